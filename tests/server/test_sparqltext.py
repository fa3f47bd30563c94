"""The SPARQL lexer behind SERVICE refusal, update detection and remote binding."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import UsageError
from kg.sparqltext import bind_values, code, query_form, refusal, too_deep, with_prefixes

IRI = ox.NamedNode("http://a.example/b")


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("PREFIX select: <http://s/> BASE <http://b/> ask {}", "ASK"),
        ("# CONSTRUCT\nDESCRIBE <http://a/>", "DESCRIBE"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("INSERT DATA { <http://a/> <http://a/> 1 }", "UPDATE"),
        ("PREFIX x: <http://a/> DELETE WHERE { ?s ?p ?o }", "UPDATE"),
        ("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "UPDATE"),
        ("LOAD <http://a/>", "UPDATE"),
        ("nonsense", None),
        ("", None),
    ],
)
def test_query_form(query: str, form: str | None) -> None:
    assert query_form(query) == form


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * { service silent <http://x/> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o . SeRvIcE ?u { } }",
        "SELECT * { ?s ex:a\\#b ?o . SERVICE <http://x/> { } }",
        "SELECT * { ?s ex:a\\'b ?o . SERVICE <http://x/> { } ?s ?p 'x' }",
        "SELECT * { \\u0053ERVICE <http://x/> { } }",
        'SELECT * { ?s ?p "unterminated SERVICE <http://x/> { } }',
    ],
)
def test_service_is_found_however_written(query: str) -> None:
    assert refusal(query) is not None


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s ?p "SERVICE <http://x/> { }" }',
        "SELECT * { ?s ?p '''a\nSERVICE'''}",
        "SELECT ?service { ?service ex:service <http://x/SERVICE> . ?s a schema:Service }",
        "PREFIX service: <http://s/> SELECT * { ?s service:x ?o }",
        "SELECT * { ?s <http://x/#SERVICE> ?o }",
        "SELECT * { ?s ?p ?o } # SERVICE in a comment is not code",
    ],
)
def test_service_in_data_is_allowed(query: str) -> None:
    assert refusal(query) is None


def test_with_prefixes_declares_only_what_is_used_and_missing() -> None:
    prefixes = {"kg": "http://k/", "skos": "http://s/", "rdf": "http://r/"}
    query = 'PREFIX kg: <http://other/>\nSELECT * { ?s a kg:P ; skos:l "rdf:x" } # rdf:type'
    out = with_prefixes(query, prefixes)
    assert out == "PREFIX skos: <http://s/>\n" + query
    assert with_prefixes("ASK {}", prefixes) == "ASK {}"


def test_bind_values_places_the_block_in_the_where_pattern() -> None:
    assert bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": IRI}) == (
        "SELECT ?x WHERE { VALUES (?x) { (<http://a.example/b>) }  ?x ?p ?o }"
    )
    # not in a projection's EXISTS, not in a CONSTRUCT template, not before a sub-select
    out = bind_values("SELECT (EXISTS { ?x ?p 1 } AS ?e) { ?x ?p ?o }", {"x": IRI})
    assert out.startswith("SELECT (EXISTS { ?x ?p 1 } AS ?e) { VALUES")
    out = bind_values('CONSTRUCT { ?x ?p "{" } WHERE { ?x ?p ?o }', {"x": IRI})
    assert out.startswith('CONSTRUCT { ?x ?p "{" } WHERE { VALUES')
    out = bind_values("SELECT * { SELECT ?x { ?x ?p ?o } LIMIT 1 }", {"x": IRI})
    assert out == (
        "SELECT * { VALUES (?x) { (<http://a.example/b>) } { SELECT ?x { ?x ?p ?o } LIMIT 1 } }"
    )
    out = bind_values("CONSTRUCT WHERE { ?x ?p ?o }", {"x": IRI})
    assert out == (
        "CONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { (<http://a.example/b>) }  ?x ?p ?o }"
    )


def test_a_variable_only_a_sub_select_uses_is_bound_inside_it() -> None:
    # ?c is not projected: bound outside, the VALUES row would join nothing and the
    # sub-select would count the links of every subject, so it goes into the sub-select
    query = (
        "SELECT ?o ?n ?l WHERE { { SELECT ?o (COUNT(*) AS ?n) WHERE { ?c ?p ?o } GROUP BY ?o }"
        " OPTIONAL { ?o ?q ?l } }"
    )
    out = bind_values(query, {"c": IRI})
    assert "WHERE { VALUES (?c) { (<http://a.example/b>) }  ?c ?p ?o }" in out
    store = ox.Store()
    other, target, label = (ox.NamedNode(f"http://a.example/{n}") for n in "xol")
    for s, p in ((IRI, IRI), (IRI, label), (other, IRI), (other, label), (other, other)):
        store.add(ox.Quad(s, p, target))
    assert [r["n"].value for r in store.query(out)] == ["2"]  # not 5: only IRI's links
    # projected by name or by *, or used outside the sub-select: bound in the outer group
    for seen in (
        "SELECT * { { SELECT ?c ?o { ?c ?p ?o } } }",
        "SELECT * { { SELECT * { ?c ?p ?o } } }",
        "SELECT ?o { { SELECT ?o { ?c ?p ?o } } ?c ?q ?o }",
        "SELECT ?o { { SELECT ?o { ?s ?p ?o } } FILTER NOT EXISTS { ?c ?p ?o } }",
    ):
        assert bind_values(seen, {"c": IRI}).startswith(seen[: seen.index("{") + 1] + " VALUES")
    # two variables, each in its own scope; a nested sub-select is looked into in turn
    query = (
        "SELECT ?o { ?k ?p ?o { SELECT ?o (COUNT(*) AS ?n) "
        "{ { SELECT ?o { ?c ?p ?o } } ?o ?p ?x } GROUP BY ?o } }"
    )
    out = bind_values(query, {"c": IRI, "k": other})
    assert out.startswith("SELECT ?o { VALUES (?k) { (<http://a.example/x>) }  ?k ?p ?o")
    assert "{ SELECT ?o { VALUES (?c) { (<http://a.example/b>) }  ?c ?p ?o } }" in out
    assert ox.Store().query(out) is not None  # still a query the engine parses


def test_a_variable_deep_in_nested_sub_selects_is_bound_there() -> None:
    # deeper than Python's recursion limit, in time linear enough for a query's size
    depth = 3_000
    query = "SELECT ?o {" + " { SELECT ?o {" * depth + " ?c ?p ?o" + " } }" * depth + " }"
    out = bind_values(query, {"c": IRI})
    assert out.count("VALUES") == 1
    assert "{ SELECT ?o { VALUES (?c) { (<http://a.example/b>) }  ?c ?p ?o }" in out
    assert out[: out.index("VALUES")].count("SELECT") == depth + 1  # the innermost


@pytest.mark.parametrize(
    "value",
    [
        '"} SERVICE <http://x/> {',
        "'''",
        '"""',
        "# x\n}",
        "\\",
        "\\u0022",
        "\r\n",
        "\x00",
    ],
)
def test_a_bound_value_never_changes_the_code(value: str) -> None:
    query = "SELECT ?v WHERE { ?s ?p ?v }"
    out = bind_values(query, {"v": ox.Literal(value)})
    kinds = [t.kind for t in code(out)]
    assert kinds.count("string") == 1
    assert [t.text for t in code(out) if t.kind != "string"] == [
        t.text for t in code(bind_values(query, {"v": ox.Literal("plain")})) if t.kind != "string"
    ]
    assert refusal(out) is None
    store = ox.Store()
    store.add(ox.Quad(IRI, IRI, ox.Literal(value)))
    result = store.query(out)
    assert isinstance(result, ox.QuerySolutions)
    assert [r["v"] for r in result] == [ox.Literal(value)]


def test_bind_values_needs_a_pattern() -> None:
    with pytest.raises(UsageError, match="WHERE pattern"):
        bind_values("DESCRIBE ?x", {"x": IRI})
    with pytest.raises(UsageError, match="SELECT, ASK"):
        bind_values("INSERT DATA { }", {"x": IRI})
    with pytest.raises(UsageError, match="braces"):
        bind_values("SELECT * { ?x ?p ?o", {"x": IRI})


# -- the SERVICE check against the engine itself ---------------------------------------

_FRAGMENTS = [
    "SERVICE",
    "sErViCe",
    "SERVICEr:x",
    "SERVICE:x",
    "r:x",
    "<http://127.0.0.1:8080/x>",
    "{",
    "}",
    "{}",
    "(",
    ")",
    "<",
    ">",
    "<=",
    "'",
    '"',
    "'>'",
    "<'>",
    "#",
    "\n",
    " ",
    "1",
    "?x",
    "?o",
    ".",
    "BIND(",
    " AS ?y)",
    "FILTER(",
    "||",
    "&&",
    "@en",
    "UNION",
    "OPTIONAL",
    "<<(",
    ")>>",
    "VALUES ?v {",
    "a",
    "=",
    "+",
    "true",
    "'''",
    '"""',
    "#'",
    ",",
    ";",
    "[",
    "]",
    "STR(",
    "^^",
    "<a#",
    "<'x'>",
    "x>",
    "\\",
]
_HEAD = "PREFIX r: <http://127.0.0.1:8080/> SELECT * WHERE { ?s ?p ?o "


def _engine(query: str) -> str:
    """What the engine does with ``query`` where it cannot open a socket: net, ok or error."""
    from kg import sandbox

    store = ox.Store()  # data for every pattern the fragments can make, so SERVICE is reached
    for obj in (ox.Literal("1"), ox.NamedNode("http://127.0.0.1:8080/x"), IRI):
        store.add(ox.Quad(IRI, IRI, obj))

    def attempt() -> str:
        try:
            result = store.query(query)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        except OSError as exc:
            return "net" if exc.errno == 101 or "(os error 101)" in str(exc) else "error"
        except (SyntaxError, ValueError, RuntimeError, TypeError):
            return "error"
        return "ok"

    return sandbox.run(attempt)


def _agrees(query: str) -> None:
    """Refused if the engine tried the network; not refused if it ran offline.

    The engine skips a SERVICE joined with no solutions, so the store holds data for the
    patterns the fragments can form.
    """
    seen = _engine(query)
    if seen == "net":
        assert refusal(query) is not None, f"the engine followed SERVICE in {query!r}"
    elif seen == "ok":
        assert refusal(query) is None, f"refused, though the engine ran {query!r} offline"


fragments = st.lists(st.sampled_from(_FRAGMENTS), max_size=10).map("".join)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(pre=fragments, post=fragments)
def test_service_check_agrees_with_the_engine(pre: str, post: str) -> None:
    """Whatever surrounds a SERVICE call, kg refuses it exactly when the engine would call."""
    _agrees(f"{_HEAD}{pre} SERVICE r:x {{ ?a ?b ?c }} {post} }}")
    _agrees(f"{_HEAD}{pre}{post} }}")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { BIND(1<'>' AS ?x) SERVICE <http://127.0.0.1:8080/x> { ?a ?b ?c } } #'",
        "PREFIX r: <http://127.0.0.1:8080/> SELECT * WHERE { SERVICEr:x { } }",
        "PREFIX r: <http://127.0.0.1:8080/> SELECT * WHERE { FILTER(1<2)SERVICE r:x#>\n{ } }",
        "SELECT * WHERE { ?s ?p (1 <http://x/service>) }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o <'x#' ) }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<r:x) } # SERVICE",
        "SELECT * WHERE { BIND(<<(?s <http://schema.org/Service> ?o)>> AS ?t) ?s ?p ?o }",
        "SELECT * WHERE { ?s <http://schema.org/Service> ?o } VALUES ?o { 1 <http://a/service> }",
    ],
)
def test_service_check_agrees_on_known_cases(query: str) -> None:
    _agrees(query)


@pytest.mark.parametrize(
    ("query", "deep"),
    [
        ("ASK " + "{" * 30_000 + "}" * 30_000, True),
        ("ASK { FILTER(" + "||".join(["true"] * 30_000) + ") }", True),
        ("SELECT * { " + " . ".join(f"?s ?p ?o{i}" for i in range(12_000)) + " }", True),
        ("ASK { FILTER(" + "||".join(["true"] * 10_000) + ") }", False),
        ("SELECT * { VALUES (?x ?y) { " + "(1 <http://a/>) " * 100_000 + "} }", False),
        ("SELECT * { ?s ?p ?o FILTER(?o IN (" + ",".join(["1"] * 100_000) + ")) }", False),
    ],
)
def test_too_deep_counts_recursion_not_size(query: str, deep: bool) -> None:
    """Chains and brackets count; VALUES rows and IN lists, however long, do not."""
    assert (too_deep(query) is not None) == deep
