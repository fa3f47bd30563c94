"""The page of every node of the graph, at its IRI's path under the build's base IRI.

``https://w3id.org/kg/id/person/sergey-levine`` is served at ``/person/sergey-levine``:
HTML for a browser, and for an RDF client (by ``Accept``, or ``?format=``) a bounded
description of the node in Turtle, JSON-LD or N-Triples (Linked Data content negotiation).
Paper, person, concept, venue and organization nodes have their own pages; any other
node under those paths (an authorship, an extracted statement, a source) gets the
generic one: its statements and the nodes that point to it.

Every list is capped (``LIST_MAX`` rows a page, with the total and a next-page link), and
no query sorts or counts more than a bounded number of rows (``SORT_MAX``, ``COUNT_MAX``),
so a page costs a handful of indexed queries whatever the size of the build: a list of up
to SORT_MAX items is sorted (papers newest first, people by papers), a longer one is paged
in the store's index order, which is stable for a build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request

from kg.graph import vocab as V
from kg.web.data import Graph, Row, bind, graph, opening, values

bp = Blueprint("pages", __name__)

#: The first path segment of the IRIs that have pages (kg.graph.vocab.Minter); ``graph/``
#: (named graphs) is left to the network views' routes.
KINDS = ("paper", "person", "concept", "venue", "organization", "source")
LIST_MAX = 100
COUNT_MAX = 10_000  # lists longer than this say "10,000+"
SORT_MAX = 2_000  # lists up to this long are sorted (in Python: the store's ORDER BY
# decodes every term it compares, seconds for 20,000 rows); longer ones come in index order
FACTS_MAX = 400
PEOPLE_MAX = 1_000  # the people of a venue or institution too large to sort are counted to this
DESCRIPTION_MAX = 5000
RDF_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/n-triples": "ntriples",
}
FORMAT_NAMES = {"turtle": "turtle", "ttl": "turtle", "jsonld": "jsonld", "json-ld": "jsonld"}
FORMAT_NAMES |= {"nt": "ntriples", "ntriples": "ntriples"}
MEDIA = {fmt: media for media, fmt in RDF_TYPES.items()}

KG, DCT = V.KG, V.DCTERMS
#: extraction predicates: what a paper says about a concept, as the page words it
ROLES: dict[str, str] = {
    KG + "proposesMethod": "proposes",
    KG + "usesMethod": "uses",
    KG + "introducesDataset": "introduces",
    KG + "usesDataset": "uses",
    KG + "addressesTask": "addresses",
    DCT + "subject": "keyword",
    KG + "authorKeyword": "author keyword",
}
#: the heading of each role's list on a concept's page: "Papers that ..."
HEADINGS = {
    "proposes": "propose it",
    "uses": "use it",
    "introduces": "introduce it",
    "addresses": "address it",
    "keyword": "have it as a keyword",
    "author keyword": "name it as a keyword",
}
KIND_CLASSES = {KG + "Method": "method", KG + "Dataset": "dataset", KG + "Task": "task"}
SHORT = {ns: p for p, ns in V.PREFIXES.items()}


def curie(iri: str) -> str:
    """``dcterms:title`` for a term of a known vocabulary, else the IRI."""
    for ns, prefix in SHORT.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def page_number() -> int:
    """The ``page`` request parameter (1 if absent or not a sensible number)."""
    return min(max(_int(request.args.get("page"), 1), 1), 100_000)


@dataclass
class Listing:
    """One page of a long list: its rows, the total, and where this page starts."""

    rows: list[Row]
    total: int
    page: int
    size: int = LIST_MAX
    sorted: bool = True

    @property
    def at_least(self) -> bool:
        """Whether ``total`` is only a lower bound (the count stopped at COUNT_MAX)."""
        return self.total > COUNT_MAX

    @property
    def first(self) -> int:
        return (self.page - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def more(self) -> bool:
        return len(self.rows) == self.size and self.last < self.total


@dataclass
class Fact:
    """One statement about the node, with where it came from."""

    predicate: str
    value: str
    is_iri: bool
    sources: list[str] = field(default_factory=list)


# -- routing and negotiation ----------------------------------------------------------


def _node_iri(kg: Graph) -> str:
    """The IRI the request's path names: its raw (still percent-encoded) path under the
    base, as the Minter wrote it."""
    raw = request.environ.get("RAW_URI") or request.path
    path = raw.split("?", 1)[0]
    iri = kg.iri(path)
    try:
        ox.NamedNode(iri)
    except ValueError:
        abort(404, "no such node")
    return iri


def _format() -> str | None:
    """The RDF format the client asked for, or None for HTML."""
    asked = request.args.get("format", "").strip().lower()
    if asked:
        if asked == "html":
            return None
        if asked not in FORMAT_NAMES:
            abort(400, f"unknown format; use one of {', '.join(sorted(FORMAT_NAMES))} or html")
        return FORMAT_NAMES[asked]
    offers = ["text/html", *RDF_TYPES, "application/json", "application/xhtml+xml"]
    best = request.accept_mimetypes.best_match(offers, default="text/html")
    if best == "application/json":
        return "jsonld"
    return RDF_TYPES.get(best or "")


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/<any(" + ", ".join(KINDS) + "):kind>/<path:rest>")
def node(kind: str, rest: str) -> Any:
    """A node's page, or its description for an RDF client."""
    kg = graph()
    iri = _node_iri(kg)
    types = {r["t"] for r in kg.select("SELECT ?t WHERE { ?n a ?t }", n=iri) if r["t"]}
    if (
        not types
        and not kg.select("SELECT ?p WHERE { ?n ?p ?o } LIMIT 1", n=iri)
        and not kg.select("SELECT ?s WHERE { ?s ?p ?n } LIMIT 1", n=iri)
    ):
        abort(404, "there is no node with this IRI in the graph")
    fmt = _format()
    if fmt is not None:
        body = kg.construct(describe(iri), fmt)
        return _vary(Response(body, 200, {"Content-Type": _ctype(fmt)}))
    if KG + "Paper" in types:
        html = paper_page(kg, iri)
    elif KG + "Person" in types:
        html = person_page(kg, iri)
    elif KG + "Concept" in types:
        html = concept_page(kg, iri, types)
    elif KG + "Venue" in types:
        html = group_page(kg, iri, "venue")
    elif KG + "Organization" in types:
        html = group_page(kg, iri, "organization")
    else:
        html = generic_page(kg, iri, types)
    return _vary(Response(html, 200, {"Content-Type": "text/html; charset=utf-8"}))


def _ctype(fmt: str) -> str:
    media = MEDIA[fmt]
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


#: A bounded description: the node's own statements, those of the nodes it owns (its
#: authorships and extracted statements), and statements pointing at it, each capped.
DESCRIPTION_PARTS = (
    "SELECT ?s ?p ?o WHERE { BIND(?n AS ?s) ?s ?p ?o }",
    "SELECT ?s ?p ?o WHERE { ?n kg:hasAuthorship ?s . ?s ?p ?o }",
    "SELECT ?s ?p ?o WHERE { ?s rdf:subject ?n ; a kg:ExtractedStatement ; ?p ?o }",
    "SELECT ?s ?p ?o WHERE { BIND(?n AS ?o) ?s ?p ?o FILTER(?p != rdf:subject) }",
)


def describe(iri: str) -> str:
    """The CONSTRUCT query of a node's bounded description (the IRI is bound in each
    part: a subquery does not see a binding made outside it)."""
    parts = [f"{{ {bind(q, {'n': iri})} LIMIT {DESCRIPTION_MAX} }}" for q in DESCRIPTION_PARTS]
    return "CONSTRUCT { ?s ?p ?o } WHERE { " + " UNION ".join(parts) + " }"


# -- what every page shows --------------------------------------------------------------


def sources(kg: Graph, iri: str) -> dict[str, list[str]]:
    """Where the node's statements came from: named graph -> ``file:line`` strings.

    A source file's graph holds what was read from it; the node's records (its
    ``prov:wasDerivedFrom``) give the lines."""
    rows = kg.select(
        "SELECT ?src ?file ?line WHERE { ?n prov:wasDerivedFrom ?rec . "
        "?rec kg:inSource ?src . OPTIONAL { ?rec kg:line ?line } "
        "OPTIONAL { ?src kg:fileName ?file } } LIMIT 200",
        n=iri,
    )
    out: dict[str, list[str]] = {}
    for r in sorted(rows, key=lambda r: (r["src"] or "", _int(r["line"]))):
        if r["src"]:
            name = r["file"] or r["src"]
            out.setdefault(r["src"], []).append(f"{name}:{r['line']}" if r["line"] else name)
    return out


def facts(kg: Graph, iri: str) -> tuple[list[Fact], bool]:
    """The node's statements with their sources (capped at FACTS_MAX), and whether
    there were more."""
    rows = kg.select(
        f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ ?n ?p ?o }} }} LIMIT {FACTS_MAX + 1}", n=iri
    )
    more = len(rows) > FACTS_MAX
    origin = sources(kg, iri)
    files = _file_names(kg, sorted({r["g"] for r in rows if r["g"]}))
    merged: dict[tuple[str, str], Fact] = {}
    for r in rows[:FACTS_MAX]:
        p, o, g = r["p"] or "", r["o"] or "", r["g"] or ""
        fact = merged.setdefault((p, o), Fact(p, o, _is_iri(o)))
        where = origin.get(g) or [files.get(g) or _graph_name(kg, g)]
        fact.sources.extend(w for w in where if w not in fact.sources)
    ordered = sorted(merged.values(), key=lambda f: (f.predicate != V.RDF + "type", f.predicate))
    return ordered, more


def _is_iri(value: str) -> bool:
    return value.startswith(("http://", "https://", "urn:"))


def _file_names(kg: Graph, graphs: list[str]) -> dict[str, str]:
    rows = kg.select_each("SELECT ?g ?file WHERE { ?g kg:fileName ?file }", "g", graphs)
    return {r["g"]: r["file"] for r in rows if r["g"] and r["file"]}


def _graph_name(kg: Graph, g: str) -> str:
    """A named graph in words: the resolution and extraction graphs are kg's own work."""
    if g == kg.iri(V.RESOLUTION_GRAPH_NAME):
        return "resolution (kg build)"
    if g == kg.iri(V.EXTRACTION_GRAPH_NAME):
        return "extraction from the abstract"
    return g


def _one(rows: list[Row], key: str) -> str | None:
    return next((r[key] for r in rows if r.get(key)), None)


def count(kg: Graph, pattern: str, what: str, cap: int = COUNT_MAX, **bindings: str) -> int:
    """How many distinct ``?what`` match ``pattern``, counting up to ``cap + 1``."""
    inner = bind(f"SELECT DISTINCT ?{what} WHERE {{ {pattern} }}", bindings)
    rows = kg.select(f"SELECT (COUNT(*) AS ?count) WHERE {{ {inner} LIMIT {cap + 1} }}")
    return _int(rows[0]["count"]) if rows else 0


def listing(
    kg: Graph,
    query: str,
    total: int,
    key: Any,
    page: int,
    **bindings: str,
) -> Listing:
    """One page of the rows of ``query`` (a SELECT without ORDER BY or LIMIT): sorted by
    ``key`` if there are at most SORT_MAX of them, else in the store's order."""
    if total <= SORT_MAX:
        rows = sorted(kg.select(f"{query} LIMIT {SORT_MAX + 1}", **bindings), key=key)
        start = (page - 1) * LIST_MAX
        return Listing(rows[start : start + LIST_MAX], total, page)
    rows = kg.select(f"{query} LIMIT {LIST_MAX} OFFSET {(page - 1) * LIST_MAX}", **bindings)
    return Listing(rows, total, page, sorted=False)


def newest_first(row: Row) -> tuple[int, str]:
    """Sort key: papers by year, newest first, then by IRI."""
    return (-_int(row.get("year"), 0), row.get("paper") or "")


def most_first(row: Row) -> tuple[int, str]:
    """Sort key: by the count ``k``, largest first, then by IRI."""
    return (-_int(row.get("k"), 0), next((v for k, v in row.items() if k != "k" and v), ""))


def _label(kg: Graph, iri: str) -> str:
    return kg.labels([iri]).get(iri) or iri.rsplit("/", 1)[-1]


def _render(template: str, kg: Graph, iri: str, **context: Any) -> str:
    node_facts, more = facts(kg, iri)
    return render_template(
        template,
        iri=iri,
        facts=node_facts,
        facts_more=more,
        facts_max=FACTS_MAX,
        curie=curie,
        formats=sorted(MEDIA),
        **context,
    )


# -- papers -----------------------------------------------------------------------------


@dataclass
class Span:
    """An extracted concept at its place in the abstract."""

    start: int
    end: int
    kind: str
    role: str
    concept: str
    label: str
    confidence: str | None


def paper_page(kg: Graph, iri: str) -> str:
    """Title, authors, venue, decision, identifiers, the abstract with its extracted
    concepts marked, what they are, and the blog posts citing the paper."""
    own = kg.select("SELECT ?p ?o WHERE { ?n ?p ?o } LIMIT 500", n=iri)
    by: dict[str, list[str]] = {}
    for r in own:
        by.setdefault(r["p"] or "", []).append(r["o"] or "")

    def first(term: ox.NamedNode) -> str | None:
        return sorted(by.get(term.value, []))[0] if by.get(term.value) else None

    title = first(V.LABEL) or first(V.TITLE) or f"Untitled paper {iri.rsplit('/', 1)[-1]}"
    authors = kg.select(
        "SELECT ?a ?pos ?person ?written ?name WHERE { ?n kg:hasAuthorship ?a . "
        "?a kg:author ?person . OPTIONAL { ?a kg:position ?pos } "
        "OPTIONAL { ?a kg:nameAsWritten ?written } OPTIONAL { ?person foaf:name ?name } } "
        f"LIMIT {SORT_MAX}",
        n=iri,
    )
    authors = list({a["a"]: a for a in reversed(authors)}.values())  # one row per slot
    authors.sort(key=lambda a: (_int(a["pos"], 1 << 30), a["person"] or ""))
    venue = first(V.VENUE_P)
    statements = kg.select(
        "SELECT ?pred ?c ?start ?end ?surface ?conf ?label ?kind WHERE { "
        "?st rdf:subject ?n ; rdf:predicate ?pred ; rdf:object ?c . "
        "OPTIONAL { ?st kg:start ?start ; kg:end ?end } OPTIONAL { ?st kg:surfaceForm ?surface } "
        "OPTIONAL { ?st kg:confidence ?conf } OPTIONAL { ?c skos:prefLabel ?label } "
        "OPTIONAL { ?c a ?kind FILTER(?kind IN (kg:Method, kg:Dataset, kg:Task)) } } "
        "LIMIT 2000",
        n=iri,
    )
    abstract = first(V.ABSTRACT) or ""
    extracted, spans = _extracted(statements, abstract)
    cited_by = kg.select(
        "SELECT ?post ?file ?para ?line ?text WHERE { ?para cito:cites ?n ; "
        "dcterms:isPartOf ?post . OPTIONAL { ?post kg:fileName ?file } "
        "OPTIONAL { ?para kg:line ?line } OPTIONAL { ?para kg:text ?text } } "
        "LIMIT 100",
        n=iri,
    )
    cited_by.sort(key=lambda r: (r["post"] or "", _int(r["line"])))
    links = _paper_links(by)
    keywords = sorted(by.get(V.AUTHOR_KEYWORD.value, []))[:LIST_MAX]
    return _render(
        "paper.html",
        kg,
        iri,
        title=title,
        authors=authors,
        venue=venue,
        venue_label=_label(kg, venue) if venue else None,
        year=first(V.YEAR),
        decision=first(V.DECISION),
        tldr=first(V.TLDR),
        keywords=keywords,
        keyword_labels=kg.labels([k for k in keywords if kg.local_path(k)]),
        links=links,
        segments=_segments(abstract, spans),
        extracted=extracted,
        cited_by=cited_by,
    )


def _paper_links(by: dict[str, list[str]]) -> list[tuple[str, str, str | None]]:
    """(what, identifier, URL or None) for each identifier and link of a paper."""
    out: list[tuple[str, str, str | None]] = []
    for doi in sorted(by.get(V.DOI.value, [])):
        out.append(("DOI", doi, f"https://doi.org/{doi}"))
    for arxiv in sorted(by.get(V.ARXIV_ID.value, [])):
        out.append(("arXiv", arxiv, f"https://arxiv.org/abs/{arxiv}"))
    for orid in sorted(by.get(V.OPENREVIEW_ID.value, [])):
        out.append(("OpenReview", orid, f"https://openreview.net/forum?id={orid}"))
    for what, term in (("Forum", V.FORUM_URL), ("PDF", V.PDF_URL), ("Code", V.CODE_REPOSITORY)):
        for url in sorted(by.get(term.value, [])):
            out.append((what, url, url))
    return [(w, i, u if u and u.startswith(("http://", "https://")) else None) for w, i, u in out]


def _extracted(statements: list[Row], abstract: str) -> tuple[list[dict[str, Any]], list[Span]]:
    """The extracted statements, one per (role, concept), and the spans to mark."""
    kinds: dict[str, set[str]] = {}
    for r in statements:
        if r["c"] and r["kind"] in KIND_CLASSES:
            kinds.setdefault(r["c"], set()).add(KIND_CLASSES[r["kind"]])
    table: dict[tuple[str, str], dict[str, Any]] = {}
    spans: list[Span] = []
    for r in statements:
        pred, concept = r["pred"] or "", r["c"] or ""
        role = ROLES.get(pred, curie(pred))
        kind = _kind(pred, kinds.get(concept, set()))
        label = r["label"] or r["surface"] or concept.rsplit("/", 1)[-1]
        entry = table.setdefault(
            (pred, concept),
            {"role": role, "kind": kind, "concept": concept, "label": label, "conf": r["conf"]},
        )
        if r["conf"] and (entry["conf"] is None or float(r["conf"]) > float(entry["conf"])):
            entry["conf"] = r["conf"]
        start, end = _int(r["start"], -1), _int(r["end"], -1)
        if 0 <= start < end <= len(abstract) and (
            r["surface"] is None or abstract[start:end] == r["surface"]
        ):
            spans.append(Span(start, end, kind, role, concept, label, r["conf"]))
    order = {"method": 0, "dataset": 1, "task": 2, "keyword": 3}
    rows = sorted(table.values(), key=lambda e: (order.get(e["kind"], 4), e["label"].lower()))
    return rows, spans


def _kind(predicate: str, kinds: set[str]) -> str:
    if predicate.endswith("Method"):
        return "method"
    if predicate.endswith("Dataset"):
        return "dataset"
    if predicate.endswith("Task"):
        return "task"
    return "keyword" if not kinds else sorted(kinds)[0]


def _segments(text: str, spans: list[Span]) -> list[tuple[str, Span | None]]:
    """The abstract cut into plain and marked pieces; where spans overlap, a statement
    that the paper proposes, uses or addresses something wins over a keyword, then the
    longer span, then the earlier."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: ("keyword" in s.role, s.start - s.end, s.start)):
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    out: list[tuple[str, Span | None]] = []
    at = 0
    for span in sorted(chosen, key=lambda s: s.start):
        if span.start > at:
            out.append((text[at : span.start], None))
        out.append((text[span.start : span.end], span))
        at = span.end
    if at < len(text):
        out.append((text[at:], None))
    return out


# -- people -----------------------------------------------------------------------------


def person_page(kg: Graph, iri: str) -> str:
    """Papers by year with author positions, co-authors, institutions, the names the
    person was written as and why those were taken for one person."""
    name = _one(kg.select("SELECT ?name WHERE { ?n foaf:name ?name } LIMIT 1", n=iri), "name")
    name = name or iri.rsplit("/", 1)[-1]
    page = page_number()
    total = count(kg, "?paper dcterms:creator ?n", "paper", n=iri)
    papers = listing(
        kg,
        "SELECT ?paper ?year WHERE { ?paper dcterms:creator ?n . "
        "OPTIONAL { ?paper kg:year ?year } }",
        total,
        newest_first,
        page,
        n=iri,
    )
    shown = [r["paper"] for r in papers.rows if r["paper"]]
    details = {
        r["paper"]: r
        for r in kg.select(
            opening(
                bind(
                    "SELECT ?paper ?pos ?venue WHERE { OPTIONAL { ?paper kg:hasAuthorship ?a . "
                    "?a kg:author ?n ; kg:position ?pos } OPTIONAL { ?paper kg:venue ?venue } }",
                    {"n": iri},
                ),
                values("paper", shown),
            )
        )
        if shown
    }
    for r in papers.rows:
        r.update({k: v for k, v in details.get(r["paper"], {}).items() if v})
    labels = kg.labels([p for r in papers.rows for p in (r["paper"], r.get("venue")) if p])
    years: dict[str, list[Row]] = {}
    for r in papers.rows:
        years.setdefault(r["year"] or "year unknown", []).append(r)
    coauthors = kg.select(
        "SELECT ?co (COUNT(*) AS ?k) WHERE { ?paper dcterms:creator ?n , ?co . "
        f"FILTER(?co != ?n) }} GROUP BY ?co LIMIT {SORT_MAX * 10}",
        n=iri,
    )
    coauthor_total = len(coauthors)
    coauthors = sorted(coauthors, key=most_first)[:LIST_MAX]
    labels.update(kg.labels([r["co"] for r in coauthors if r["co"]]))
    for r in coauthors:
        r["name"] = labels.get(r["co"] or "")
    institutions = kg.select(
        "SELECT ?org (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?a) AS ?k) WHERE { "
        "?a kg:author ?n ; kg:affiliation ?org . OPTIONAL { ?org rdfs:label ?l } } "
        f"GROUP BY ?org LIMIT {SORT_MAX}",
        n=iri,
    )
    institutions = sorted(institutions, key=most_first)[:LIST_MAX]
    topics = kg.select(
        "SELECT ?c (COUNT(*) AS ?k) WHERE { "
        "?paper dcterms:creator ?n ; ?role ?c . FILTER(?role IN (kg:proposesMethod, "
        "kg:usesMethod, kg:introducesDataset, kg:usesDataset, kg:addressesTask)) } "
        f"GROUP BY ?c LIMIT {SORT_MAX * 10}",
        n=iri,
    )
    topics = sorted(topics, key=most_first)[:20]
    labels.update(kg.labels([r["c"] for r in topics if r["c"]]))
    for r in topics:
        r["label"] = labels.get(r["c"] or "")
    variants = kg.select(
        "SELECT ?written (COUNT(*) AS ?k) WHERE { ?a kg:author ?n ; kg:nameAsWritten ?written } "
        f"GROUP BY ?written LIMIT {SORT_MAX}",
        n=iri,
    )
    variants = sorted(variants, key=most_first)[:LIST_MAX]
    return _render(
        "person.html",
        kg,
        iri,
        name=name,
        papers=papers,
        years=years,
        labels=labels,
        coauthors=coauthors,
        coauthor_total=coauthor_total,
        institutions=institutions,
        topics=topics,
        variants=variants,
        why=_why(kg.store_dir, name),
    )


def _why(store_dir: Path, name: str) -> list[str]:
    """What the build report says about the people of this name (kg explain person)."""
    from kg import explain
    from kg.errors import KGError

    try:
        return explain.person(store_dir, name, report=explain.cached_report(store_dir))
    except KGError as exc:
        return [str(exc)]


# -- concepts ---------------------------------------------------------------------------


def concept_page(kg: Graph, iri: str, types: set[str]) -> str:
    """Labels, kinds, and the papers that propose, use or address the concept."""
    labels = kg.select(
        "SELECT ?p ?l WHERE { ?n ?p ?l FILTER(?p IN (skos:prefLabel, skos:altLabel, rdfs:label)) } "
        "LIMIT 200",
        n=iri,
    )
    labels.sort(key=lambda r: (r["p"] or "", r["l"] or ""))
    pref = _one([r for r in labels if r["p"] == V.PREF_LABEL.value], "l")
    title = pref or _one(labels, "l") or iri.rsplit("/", 1)[-1]
    page = page_number()
    wanted = request.args.get("role")
    sections = []
    for role, words in ROLES.items():
        total = count(kg, "?paper ?role ?c", "paper", c=iri, role=role)
        if not total:
            continue
        this_page = page if wanted == curie(role) else 1
        rows = listing(
            kg,
            "SELECT ?paper ?year WHERE { ?paper ?role ?c . OPTIONAL { ?paper kg:year ?year } }",
            total,
            newest_first,
            this_page,
            c=iri,
            role=role,
        )
        sections.append((role, curie(role), HEADINGS.get(words, words), rows))
    paper_labels = kg.labels([r["paper"] for s in sections for r in s[3].rows if r["paper"]])
    kinds = sorted(KIND_CLASSES[t] for t in types if t in KIND_CLASSES) or ["concept"]
    return _render(
        "concept.html",
        kg,
        iri,
        title=title,
        kinds=kinds,
        also=sorted({r["l"] for r in labels if r["l"] and r["l"] != title}),
        sections=sections,
        paper_labels=paper_labels,
    )


# -- venues and organizations -----------------------------------------------------------


def group_page(kg: Graph, iri: str, what: str) -> str:
    """A venue's or an institution's papers and people."""
    title = _label(kg, iri)
    page = page_number()
    if what == "venue":
        papers_of = "?paper kg:venue ?n ."
        people_of = "?paper kg:venue ?n ; dcterms:creator ?person ."
    else:
        papers_of = "?paper kg:hasAuthorship ?a . ?a kg:affiliation ?n ."
        people_of = "?a kg:affiliation ?n ; kg:author ?person ."
    total = count(kg, papers_of, "paper", n=iri)
    papers = listing(
        kg,
        f"SELECT DISTINCT ?paper ?year WHERE {{ {papers_of} OPTIONAL {{ ?paper kg:year ?year }} }}",
        total,
        newest_first,
        page,
        n=iri,
    )
    people_cap = COUNT_MAX if total <= SORT_MAX else PEOPLE_MAX
    people_total = count(kg, people_of, "person", cap=people_cap, n=iri)
    if total <= SORT_MAX:  # who has most papers here
        people = kg.select(
            f"SELECT ?person (COUNT(DISTINCT ?paper) AS ?k) WHERE {{ {people_of} }} "
            f"GROUP BY ?person LIMIT {SORT_MAX * 10}",
            n=iri,
        )
        people = sorted(people, key=most_first)[:LIST_MAX]
    else:  # too many papers to count everyone's: the first people in the store's order
        people = kg.select(
            f"SELECT DISTINCT ?person WHERE {{ {people_of} }} LIMIT {LIST_MAX}", n=iri
        )
    labels = kg.labels(
        [v for r in papers.rows + people for k in ("paper", "person") if (v := r.get(k))]
    )
    return _render(
        "group.html",
        kg,
        iri,
        what=what,
        title=title,
        papers=papers,
        people=people,
        people_total=people_total,
        people_cap=people_cap,
        labels=labels,
    )


# -- anything else ----------------------------------------------------------------------


def generic_page(kg: Graph, iri: str, types: set[str]) -> str:
    """A node without a page of its own: its statements and what points to it."""
    incoming = kg.select(f"SELECT ?s ?p WHERE {{ ?s ?p ?n }} LIMIT {LIST_MAX}", n=iri)
    incoming_total = count(kg, "?s ?p ?n", "s", n=iri)
    return _render(
        "node.html",
        kg,
        iri,
        title=_label(kg, iri),
        types=sorted(curie(t) for t in types),
        incoming=incoming,
        incoming_total=incoming_total,
        labels=kg.labels([r["s"] for r in incoming if r["s"]]),
    )


__all__ = ["KINDS", "bp"]
