"""Every vocabulary term and IRI pattern kg uses, spelled once.

The ontology itself is ``ontology/kg.ttl``; this module mirrors the terms the code writes.
Data IRIs are minted by :class:`Minter` under a configurable base.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from pyoxigraph import NamedNode

from kg.errors import UsageError

KG = "https://w3id.org/kg/ns#"
DEFAULT_BASE = "https://w3id.org/kg/id/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
BIBO = "http://purl.org/ontology/bibo/"
FABIO = "http://purl.org/spar/fabio/"
CITO = "http://purl.org/spar/cito/"
VOID = "http://rdfs.org/ns/void#"
SH = "http://www.w3.org/ns/shacl#"

#: Prefixes used when serialising Turtle and in saved queries.
PREFIXES: dict[str, str] = {
    "kg": KG,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "skos": SKOS,
    "prov": PROV,
    "schema": SCHEMA,
    "bibo": BIBO,
    "fabio": FABIO,
    "cito": CITO,
    "void": VOID,
}


def _n(iri: str) -> NamedNode:
    return NamedNode(iri)


# rdf / rdfs / skos / dcterms / foaf / prov / cito / bibo / schema
TYPE = _n(RDF + "type")
LABEL = _n(RDFS + "label")
PREF_LABEL = _n(SKOS + "prefLabel")
ALT_LABEL = _n(SKOS + "altLabel")
TITLE = _n(DCTERMS + "title")
ABSTRACT = _n(DCTERMS + "abstract")
CREATOR = _n(DCTERMS + "creator")
SUBJECT = _n(DCTERMS + "subject")
IS_PART_OF = _n(DCTERMS + "isPartOf")
FOAF_NAME = _n(FOAF + "name")
WAS_DERIVED_FROM = _n(PROV + "wasDerivedFrom")
CITES = _n(CITO + "cites")
DOI = _n(BIBO + "doi")
SAME_AS = _n(OWL + "sameAs")
SCHEMA_SAME_AS = _n(SCHEMA + "sameAs")
STATEMENT = _n(RDF + "Statement")
RDF_SUBJECT = _n(RDF + "subject")
RDF_PREDICATE = _n(RDF + "predicate")
RDF_OBJECT = _n(RDF + "object")

# classes
PAPER = _n(KG + "Paper")
PERSON = _n(KG + "Person")
AUTHORSHIP = _n(KG + "Authorship")
VENUE = _n(KG + "Venue")
CONCEPT = _n(KG + "Concept")
METHOD = _n(KG + "Method")
DATASET = _n(KG + "Dataset")
TASK = _n(KG + "Task")
SOURCE = _n(KG + "Source")
SOURCE_RECORD = _n(KG + "SourceRecord")
CITATION = _n(KG + "Citation")
BLOG_POST = _n(KG + "BlogPost")
PARAGRAPH = _n(KG + "Paragraph")
ORGANIZATION = _n(KG + "Organization")

# properties
HAS_AUTHORSHIP = _n(KG + "hasAuthorship")
POSITION = _n(KG + "position")
AUTHOR = _n(KG + "author")
NAME_AS_WRITTEN = _n(KG + "nameAsWritten")
EMAIL = _n(KG + "email")
EQUAL_CONTRIBUTION = _n(KG + "equalContribution")
NORMALIZED_NAME = _n(KG + "normalizedName")
AMBIGUOUS = _n(KG + "ambiguous")
DECISION = _n(KG + "decision")
VENUE_P = _n(KG + "venue")
YEAR = _n(KG + "year")
TLDR = _n(KG + "tldr")
AUTHOR_KEYWORD = _n(KG + "authorKeyword")
FORUM_URL = _n(KG + "forumUrl")
PDF_URL = _n(KG + "pdfUrl")
CODE_REPOSITORY = _n(KG + "codeRepository")
OPENREVIEW_ID = _n(KG + "openreviewId")
ARXIV_ID = _n(KG + "arxivId")
IDENTIFIER = _n(KG + "identifier")
FILE_NAME = _n(KG + "fileName")
FORMAT = _n(KG + "format")
SHA256 = _n(KG + "sha256")
AUTHORITY = _n(KG + "authority")
LINE = _n(KG + "line")
IN_SOURCE = _n(KG + "inSource")
AUTHOR_STRING = _n(KG + "authorString")
URL = _n(KG + "url")
TEXT = _n(KG + "text")
IN_PARAGRAPH = _n(KG + "inParagraph")
REFERS_TO = _n(KG + "refersTo")
CLASSIFICATION = _n(KG + "Classification")
CLASSIFIED_AS = _n(KG + "classifiedAs")
HAS_CLASSIFICATION = _n(KG + "hasClassification")
CONCEPT_P = _n(KG + "concept")
SCHEME = _n(KG + "scheme")
SCORE = _n(KG + "score")
RATING = _n(KG + "rating")
REVIEW = _n(KG + "Review")
HAS_REVIEW = _n(KG + "hasReview")
PAPER_COUNT = _n(KG + "paperCount")

# people's identifiers and the institutions of an author slot
ORCID = _n(KG + "orcid")
OPENREVIEW_PROFILE = _n(KG + "openreviewProfile")
OPENALEX_ID = _n(KG + "openalexId")
DBLP_ID = _n(KG + "dblpId")
SEMANTIC_SCHOLAR_ID = _n(KG + "semanticScholarId")
ROR = _n(KG + "ror")
AFFILIATION = _n(KG + "affiliation")
AFFILIATION_AS_WRITTEN = _n(KG + "affiliationAsWritten")
COUNTRY = _n(KG + "country")
DOMAIN = _n(KG + "domain")

#: The property of each identifier scheme of people and organizations (kg.identifiers).
ID_PROPERTIES: dict[str, NamedNode] = {
    "orcid": ORCID,
    "openreview": OPENREVIEW_PROFILE,
    "openalex": OPENALEX_ID,
    "dblp": DBLP_ID,
    "s2": SEMANTIC_SCHOLAR_ID,
    "ror": ROR,
}
#: Schemes whose identifiers are IRIs of the thing itself, stated as owl:sameAs and
#: schema:sameAs: the IRI is this prefix and the canonical id.
SAME_AS_PREFIXES: dict[str, str] = {"orcid": "https://orcid.org/", "ror": "https://ror.org/"}

# extraction: what a paper's abstract says, with the evidence of each statement
PROPOSES_METHOD = _n(KG + "proposesMethod")
USES_METHOD = _n(KG + "usesMethod")
USES_DATASET = _n(KG + "usesDataset")
INTRODUCES_DATASET = _n(KG + "introducesDataset")
ADDRESSES_TASK = _n(KG + "addressesTask")
EXTRACTED_STATEMENT = _n(KG + "ExtractedStatement")
CONFIDENCE = _n(KG + "confidence")
START = _n(KG + "start")
END = _n(KG + "end")
SURFACE_FORM = _n(KG + "surfaceForm")
EXTRACTOR = _n(KG + "extractor")

RESOLUTION_GRAPH_NAME = "graph/resolution"
EXTRACTION_GRAPH_NAME = "graph/extraction"


#: a local part that needs no percent-encoding (most keys are slugs)
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")


def _encoded(part: str) -> str:
    """``part`` percent-encoded for an IRI path segment (unreserved characters kept)."""
    return part if _UNRESERVED.fullmatch(part) else quote(part, safe="-._~")


class Minter:
    """Mints the stable data IRIs under one base.

    Every local part is percent-encoded, so any key (a name with quotes, ``#`` or
    spaces) gives a valid IRI.

    >>> Minter("https://example.org/").paper("S1efxTVYDr").value
    'https://example.org/paper/S1efxTVYDr'
    """

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        """UsageError unless ``base`` is an absolute IRI every minted IRI can extend."""
        if not base.startswith(("http://", "https://", "urn:")):
            raise UsageError(
                f"--base-iri must be an absolute IRI (http://, https:// or urn:), not {base!r}"
            )
        if not base.endswith(("/", "#")):
            base += "/"
        try:
            NamedNode(base + "paper/x")
        except ValueError as exc:
            raise UsageError(f"--base-iri {base!r} is not a valid IRI ({exc})") from None
        self.base = base

    def _iri(self, *parts: str) -> NamedNode:
        return NamedNode(self.base + "/".join(map(_encoded, parts)))

    def paper(self, key: str) -> NamedNode:
        return self._iri("paper", key)

    @property
    def paper_prefix(self) -> str:
        """How every paper's IRI, and so every node minted under a paper's, starts."""
        return self.base + "paper/"

    def review(self, record: NamedNode, index: int) -> NamedNode:
        return NamedNode(f"{record.value}/review/{index}")

    def classification(self, paper: NamedNode, scheme: str, key: str) -> NamedNode:
        return NamedNode(f"{paper.value}/subject/{_encoded(scheme)}/{_encoded(key)}")

    def authorship(self, paper: NamedNode, person_key: str) -> NamedNode:
        return NamedNode(f"{paper.value}/author/{_encoded(person_key)}")

    def person(self, key: str) -> NamedNode:
        return self._iri("person", key)

    def organization(self, key: str) -> NamedNode:
        return self._iri("organization", key)

    def venue(self, key: str) -> NamedNode:
        return self._iri("venue", key)

    def concept(self, key: str) -> NamedNode:
        return self._iri("concept", key)

    def source(self, key: str) -> NamedNode:
        return self._iri("source", key)

    def record(self, source: NamedNode, line: int, item: int = 0) -> NamedNode:
        return NamedNode(f"{source.value}/L{line}" + (f"-{item}" if item else ""))

    def citation(self, source: NamedNode, line: int, index: int) -> NamedNode:
        return NamedNode(f"{source.value}/L{line}/cite/{index}")

    def paragraph(self, source: NamedNode, line: int) -> NamedNode:
        return NamedNode(f"{source.value}/P{line}")

    def graph(self, key: str) -> NamedNode:
        return self._iri("graph", key)

    def statement(self, paper: NamedNode, predicate: str, concept_key: str) -> NamedNode:
        """The evidence node of one extracted statement about ``paper``."""
        return NamedNode(f"{paper.value}/extracted/{_encoded(predicate)}/{_encoded(concept_key)}")

    @property
    def resolution_graph(self) -> NamedNode:
        return NamedNode(self.base + RESOLUTION_GRAPH_NAME)

    @property
    def extraction_graph(self) -> NamedNode:
        return NamedNode(self.base + EXTRACTION_GRAPH_NAME)
