"""Records → RDF quads.

Every source's statements go into that source's named graph (its IRI is the source
node's); what resolution decides (preferred labels, an organization's country) goes into
the resolution graph.  No blank nodes: every node has a stable IRI, so the same input gives
the same quads.

A person's identifiers are stated on the person, in the graph of the source that gives
them; an affiliation is stated on the authorship (the author slot of one paper), not on the
person: it is true of that paper.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping

from pyoxigraph import Literal, NamedNode, Quad

from kg.corpus import Corpus, LoadedSource
from kg.graph import vocab as V
from kg.graph.extracted import extraction_quads, mentions
from kg.graph.literals import decimal, integer
from kg.records import Author, Citation, Paper
from kg.resolve.concepts import Concepts
from kg.text import fold, normalize_person_name, normalize_title, slugify

_BOOL = NamedNode(V.XSD + "boolean")
_URI = NamedNode(V.XSD + "anyURI")


def _uri(value: str) -> Literal:
    return Literal(value, datatype=_URI)


def venue_key(venue: str) -> str:
    """The IRI key of a venue name: ``"ICLR 2020"`` → ``iclr-2020``."""
    return slugify(venue)


def build_quads(corpus: Corpus, minter: V.Minter) -> Iterator[Quad]:
    """All quads of the corpus, source graph by source graph, then the resolution graph."""
    yield from record_quads(corpus, minter)
    yield from extraction_quads(corpus, minter)
    yield from concept_label_quads(
        concept_forms(corpus), concept_papers(corpus), corpus.concepts, minter
    )


def record_quads(
    corpus: Corpus, minter: V.Minter, keep: Callable[[str], bool] | None = None
) -> Iterator[Quad]:
    """The source graphs and what resolution decides, except concept labels.

    Concept labels depend on every mention of a concept, and a concept's paper count on
    every paper; :func:`concept_forms` and :func:`concept_papers` count them, so that
    shards can count their part and a merge can add them up.  ``keep``
    limits the quads to a shard's: the records of the paper clusters, the citations, the
    people and the organizations whose keys it accepts (facts about nodes those share, such
    as a venue, come with each of them).
    """
    for source in corpus.sources:
        yield from _source_quads(corpus, source, minter, keep)
    yield from _resolution_quads(corpus, minter, keep)


def _source_quads(
    corpus: Corpus, source: LoadedSource, m: V.Minter, keep: Callable[[str], bool] | None = None
) -> Iterator[Quad]:
    g = m.source(source.key)

    def q(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> Quad:
        return Quad(s, p, o, g)

    yield q(g, V.TYPE, V.SOURCE)
    yield q(g, V.FILE_NAME, Literal(source.name))
    yield q(g, V.FORMAT, Literal(source.format))
    yield q(g, V.SHA256, Literal(source.sha256))
    yield q(g, V.AUTHORITY, integer(source.authority))
    said: set[tuple[str, ...]] = set()  # node facts already stated in this graph
    cluster_of = corpus.papers.cluster_of
    for paper in source.papers:
        if keep is None or keep(cluster_of[paper.id]):
            yield from _paper_quads(corpus, paper, g, m, q, said)
    if source.citations or source.cites:
        yield q(g, V.TYPE, V.BLOG_POST)
    for cite in source.citations:
        if keep is None or keep(cite.id):
            yield from _citation_quads(corpus, cite, g, m, q)


def _paper_quads(
    corpus: Corpus,
    paper: Paper,
    g: NamedNode,
    m: V.Minter,
    q,  # type: ignore[no-untyped-def]
    said: set[tuple[str, ...]],
) -> Iterator[Quad]:
    """A record's quads; facts about shared nodes (venues, concepts, people) that ``said``
    holds were stated by an earlier record of the graph and are not repeated."""
    node = m.paper(corpus.papers.cluster_of[paper.id])
    record = m.record(g, paper.source.line, paper.source.item)
    yield q(record, V.TYPE, V.SOURCE_RECORD)
    yield q(record, V.LINE, integer(paper.source.line))
    yield q(record, V.IN_SOURCE, g)
    yield q(node, V.TYPE, V.PAPER)
    yield q(node, V.WAS_DERIVED_FROM, record)
    if paper.title:
        yield q(node, V.TITLE, Literal(paper.title))
    if paper.abstract:
        yield q(node, V.ABSTRACT, Literal(paper.abstract))
    if paper.tldr:
        yield q(node, V.TLDR, Literal(paper.tldr))
    if paper.decision:
        yield q(node, V.DECISION, Literal(paper.decision))
    if paper.year is not None:
        yield q(node, V.YEAR, integer(paper.year))
    if paper.venue:
        venue = m.venue(venue_key(paper.venue))
        yield q(node, V.VENUE_P, venue)
    if paper.venue and _first_time(said, "v", venue.value, paper.venue, str(paper.year)):
        yield q(venue, V.TYPE, V.VENUE)
        yield q(venue, V.LABEL, Literal(paper.venue))
        yield q(venue, V.NORMALIZED_NAME, Literal(normalize_title(paper.venue)))
        if paper.year is not None:
            yield q(venue, V.YEAR, integer(paper.year))
    if paper.ids.openreview:
        yield q(node, V.OPENREVIEW_ID, Literal(paper.ids.openreview))
    if paper.ids.arxiv:
        yield q(node, V.ARXIV_ID, Literal(paper.ids.arxiv))
    if paper.ids.doi:
        yield q(node, V.DOI, Literal(paper.ids.doi))
    for scheme, value in paper.ids.other:
        yield q(node, V.IDENTIFIER, Literal(f"{scheme}:{value}"))
    if paper.urls.forum:
        yield q(node, V.FORUM_URL, _uri(paper.urls.forum))
    if paper.urls.pdf:
        yield q(node, V.PDF_URL, _uri(paper.urls.pdf))
    for url in paper.urls.code:
        yield q(node, V.CODE_REPOSITORY, _uri(url))
    for keyword in paper.keywords:
        key = corpus.concepts.key(keyword)
        if not key:
            continue
        concept = m.concept(key)
        yield q(node, V.AUTHOR_KEYWORD, concept)
        if _first_time(said, "c", concept.value, keyword):
            yield q(concept, V.TYPE, V.CONCEPT)
            yield q(concept, V.ALT_LABEL, Literal(keyword))
    for index, rating in enumerate(paper.ratings, start=1):
        review = m.review(record, index)  # a node per review: equal ratings stay distinct
        yield q(node, V.HAS_REVIEW, review)
        yield q(review, V.TYPE, V.REVIEW)
        yield q(review, V.RATING, decimal(rating))
    for subject in paper.subjects:
        key = corpus.concepts.key(subject.label)
        if not key:
            continue
        concept = m.concept(key)
        scheme = subject.scheme or "source"
        cls = m.classification(node, scheme, key)
        yield q(node, V.CLASSIFIED_AS, concept)
        yield q(node, V.HAS_CLASSIFICATION, cls)
        yield q(cls, V.TYPE, V.CLASSIFICATION)
        yield q(cls, V.CONCEPT_P, concept)
        yield q(cls, V.SCHEME, Literal(scheme))
        if subject.score is not None:
            yield q(cls, V.SCORE, decimal(subject.score))
        if subject.id:
            yield q(cls, V.IDENTIFIER, Literal(subject.id))
        yield q(concept, V.TYPE, V.CONCEPT)
        yield q(concept, V.ALT_LABEL, Literal(subject.label))
    for position, author in enumerate(paper.authors, start=1):
        pkey = corpus.people.person_of[(paper.id, position)]
        person = m.person(pkey)
        slot = m.authorship(node, pkey)
        yield q(node, V.CREATOR, person)
        yield q(node, V.HAS_AUTHORSHIP, slot)
        yield q(slot, V.TYPE, V.AUTHORSHIP)
        yield q(slot, V.AUTHOR, person)
        yield q(slot, V.POSITION, integer(position))
        yield q(slot, V.NAME_AS_WRITTEN, Literal(author.written))
        if author.email:
            yield q(slot, V.EMAIL, Literal(author.email))
        if author.equal_contribution:
            yield q(slot, V.EQUAL_CONTRIBUTION, Literal("true", datatype=_BOOL))
        if _first_time(said, "p", person.value, author.name):
            yield q(person, V.TYPE, V.PERSON)
            yield q(person, V.FOAF_NAME, Literal(author.name))
        for scheme, value in author.ids:
            if _first_time(said, "i", person.value, scheme, value):
                yield from _id_quads(person, scheme, value, q)
        yield from _affiliation_quads(corpus, paper, position, author, slot, m, q, said)


def _id_quads(node: NamedNode, scheme: str, value: str, q) -> Iterator[Quad]:  # type: ignore[no-untyped-def]
    """An identifier as a literal of its scheme's property, and as owl:sameAs and
    schema:sameAs where the scheme's ids are IRIs (ORCID, ROR)."""
    prop = V.ID_PROPERTIES.get(scheme)
    if prop is None:
        return
    yield q(node, prop, Literal(value))
    if scheme in V.SAME_AS_PREFIXES:
        iri = NamedNode(V.SAME_AS_PREFIXES[scheme] + value)
        yield q(node, V.SAME_AS, iri)
        yield q(node, V.SCHEMA_SAME_AS, iri)


def _affiliation_quads(
    corpus: Corpus,
    paper: Paper,
    position: int,
    author: Author,  # type: ignore[no-untyped-def]
    slot: NamedNode,
    m: V.Minter,
    q,
    said: set[tuple[str, ...]],
) -> Iterator[Quad]:
    """The institutions of one author slot: the organization each is, and as written."""
    for index, affiliation in enumerate(author.affiliations):
        if affiliation.raw:
            yield q(slot, V.AFFILIATION_AS_WRITTEN, Literal(affiliation.raw))
        key = corpus.organizations.of.get((paper.id, position, index))
        if key is None:
            continue
        org = m.organization(key)
        yield q(slot, V.AFFILIATION, org)
        if _first_time(said, "o", org.value):
            yield q(org, V.TYPE, V.ORGANIZATION)
        if affiliation.name and _first_time(said, "on", org.value, affiliation.name):
            yield q(org, V.ALT_LABEL, Literal(affiliation.name))
        if affiliation.id and _first_time(said, "oi", org.value, affiliation.id):
            scheme, _, value = affiliation.id.partition(":")
            yield from _id_quads(org, scheme, value, q)


def _first_time(said: set[tuple[str, ...]], *fact: str) -> bool:
    """Whether ``fact`` is new to ``said`` (and note it)."""
    if fact in said:
        return False
    said.add(fact)
    return True


def _citation_quads(corpus: Corpus, cite: Citation, g: NamedNode, m: V.Minter, q) -> Iterator[Quad]:  # type: ignore[no-untyped-def]
    node = m.citation(g, cite.source.line, cite.index)
    yield q(node, V.TYPE, V.CITATION)
    yield q(node, V.IN_SOURCE, g)
    yield q(node, V.LINE, integer(cite.source.line))
    if cite.title:
        yield q(node, V.TITLE, Literal(cite.title))
    if cite.authors:
        yield q(node, V.AUTHOR_STRING, Literal(cite.authors))
    if cite.url:
        yield q(node, V.URL, _uri(cite.url))
    for url in cite.extra_urls:
        yield q(node, V.URL, _uri(url))
    if cite.ids.openreview:
        yield q(node, V.OPENREVIEW_ID, Literal(cite.ids.openreview))
    if cite.ids.arxiv:
        yield q(node, V.ARXIV_ID, Literal(cite.ids.arxiv))
    paragraph = None
    if cite.paragraph and cite.paragraph_line is not None:
        paragraph = m.paragraph(g, cite.paragraph_line)
        yield q(node, V.IN_PARAGRAPH, paragraph)
        yield q(paragraph, V.TYPE, V.PARAGRAPH)
        yield q(paragraph, V.TEXT, Literal(cite.paragraph))
        yield q(paragraph, V.LINE, integer(cite.paragraph_line))
        yield q(paragraph, V.IS_PART_OF, g)
    target = corpus.papers.citation_target.get(cite.id)
    if target:
        paper = m.paper(target)
        yield q(node, V.REFERS_TO, paper)
        yield q(g, V.CITES, paper)
        if paragraph is not None:
            yield q(paragraph, V.CITES, paper)


def _resolution_quads(
    corpus: Corpus, m: V.Minter, keep: Callable[[str], bool] | None = None
) -> Iterator[Quad]:
    g = m.resolution_graph
    for cluster in corpus.papers.clusters:
        if keep is not None and not keep(cluster.key):
            continue
        node = m.paper(cluster.key)
        title = next((x.paper.title for x in cluster.members if x.paper.title), None)
        if title:
            yield Quad(node, V.LABEL, Literal(title), g)
    for key, label in corpus.people.labels.items():
        if keep is not None and not keep(key):
            continue
        person = m.person(key)
        yield Quad(person, V.PREF_LABEL, Literal(label), g)
        for name in {normalize_person_name(n) for n in corpus.people.names[key]}:
            yield Quad(person, V.NORMALIZED_NAME, Literal(name), g)
        if key in corpus.people.ambiguous:
            yield Quad(person, V.AMBIGUOUS, Literal(corpus.people.ambiguous[key]), g)
    for key, organization in corpus.organizations.by_key.items():
        if keep is not None and not keep(key):
            continue
        org = m.organization(key)
        yield Quad(org, V.PREF_LABEL, Literal(organization.label), g)
        for name in organization.normalized:
            yield Quad(org, V.NORMALIZED_NAME, Literal(name), g)
        if organization.country:
            yield Quad(org, V.COUNTRY, Literal(organization.country), g)
        if organization.domain:
            yield Quad(org, V.DOMAIN, Literal(organization.domain), g)


Forms = dict[str, Counter[str]]


def concept_forms(corpus: Corpus, papers: Callable[[str], bool] | None = None) -> Forms:
    """Per concept key: how often each spelling names it, in keywords and extractions.

    ``papers`` keeps only the records of the paper clusters it accepts (a shard's).
    """
    concepts: Forms = {}
    cluster_of = corpus.papers.cluster_of
    for source in corpus.sources:
        for paper in source.papers:
            if papers is not None and not papers(cluster_of[paper.id]):
                continue
            for keyword in (*paper.keywords, *(s.label for s in paper.subjects)):
                if key := corpus.concepts.key(keyword):
                    concepts.setdefault(key, Counter())[keyword] += 1
    for paper_key in sorted(corpus.extracted):
        for _, mention in mentions(corpus.extracted[paper_key].extraction):
            concepts.setdefault(corpus.concepts.key(mention.name), Counter())[mention.name] += 1
    return concepts


def concept_papers(corpus: Corpus, papers: Callable[[str], bool] | None = None) -> Counter[str]:
    """Per concept key: how many papers link to it (``kg:authorKeyword``,
    ``kg:classifiedAs``, or an extracted link), each paper counted once.

    ``papers`` keeps only the paper clusters it accepts (a shard's); a paper belongs to
    one shard, so the shards' counts add up to the whole build's.
    """
    counts: Counter[str] = Counter()
    key_of = corpus.concepts.key
    for cluster in corpus.papers.clusters:
        if papers is not None and not papers(cluster.key):
            continue
        linked = {
            key
            for member in cluster.members
            for name in (*member.paper.keywords, *(s.label for s in member.paper.subjects))
            if (key := key_of(name))
        }
        if (found := corpus.extracted.get(cluster.key)) is not None:
            linked.update(key_of(mention.name) for _, mention in mentions(found.extraction))
        counts.update(linked)
    return counts


def concept_label_quads(
    forms_of: Forms, papers_of: Mapping[str, int], concepts: Concepts, m: V.Minter
) -> Iterator[Quad]:
    """Each concept's preferred label (its most frequent spelling), its lookup names and
    the number of papers about it (``kg:paperCount``, what ``top-concepts`` ranks by)."""
    g = m.resolution_graph
    for key, forms in forms_of.items():
        label = max(forms, key=lambda f: (forms[f], f == f.lower(), f))
        yield Quad(m.concept(key), V.PREF_LABEL, Literal(label), g)
        if count := papers_of.get(key):
            yield Quad(m.concept(key), V.PAPER_COUNT, integer(count), g)
        # every spelling finds the concept in lookups: "GAN", "GANs", the long form
        names = {fold(f) for f in forms} | {concepts.folded(label)}
        for name in sorted(names):
            yield Quad(m.concept(key), V.NORMALIZED_NAME, Literal(name), g)
