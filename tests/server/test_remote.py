"""RemoteStore and `kg query --endpoint`: the same answers as the local store, safe binding."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import KGError, UsageError
from kg.remote import EndpointError, EndpointQueryError, RemoteStore
from kg.results import render
from kg.store import Store
from tests.server.conftest import ORALS, SLOW

NASTY = [
    'a "quoted" value',
    "single ' and triple ''' and \"\"\" quotes",
    "} } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    "# not a comment\nSELECT * WHERE { ?s ?p ?o }",
    'back\\slash \\u0022 \\" and \r\n\t line breaks',
    ") } ; DROP ALL ; {",
    "Zoë 🦉 ت \u2028 \x00 \x7f",
    "",
]


@pytest.fixture(scope="module")
def local(built: Path) -> Store:
    return Store.open(built)


@pytest.fixture(scope="module")
def remote(url: str) -> RemoteStore:
    return RemoteStore(url)


def _solutions(result: Any) -> list[ox.QuerySolution]:
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _rows(result: Any) -> list[tuple[str, ...]]:
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return sorted(tuple(str(row[n]) for n in names) for row in result)


def _triples(result: Any) -> set[ox.Triple]:
    assert isinstance(result, ox.QueryTriples)
    return set(result)


def test_select_gives_the_local_answer(local: Store, remote: RemoteStore) -> None:
    result = remote.query(ORALS)
    assert isinstance(result, ox.QuerySolutions)
    assert render(result, "csv") == b"n\r\n48\r\n"
    query = "SELECT ?p ?d WHERE { ?p kg:decision ?d } ORDER BY ?p ?d LIMIT 200"
    assert _rows(remote.query(query)) == _rows(local.query(query))


def test_ask_and_construct(remote: RemoteStore, local: Store) -> None:
    assert bool(remote.query('ASK { ?p kg:decision "Oral" }')) is True
    query = 'CONSTRUCT { ?p kg:decision "Oral" } WHERE { ?p kg:decision "Oral" }'
    assert _triples(remote.query(query)) == _triples(local.query(query))
    assert render(remote.query(query), "turtle").startswith(b"@prefix")


@pytest.mark.parametrize("value", NASTY)
def test_a_nasty_literal_is_bound_not_pasted(remote: RemoteStore, local: Store, value: str) -> None:
    term = ox.Literal(value)
    query = "SELECT ?v (STRLEN(?v) AS ?n) WHERE { } # ?v"
    rows = _solutions(remote.query(query, {"v": term}))
    assert len(rows) == 1 and rows[0]["v"] == term
    assert int(rows[0]["n"].value) == len(value)
    assert rows[0]["v"] == _solutions(local.query(query, {"v": term}))[0]["v"]


@pytest.mark.parametrize(
    "term",
    [
        ox.Literal("Oral"),
        ox.Literal("x", language="en-GB"),
        ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.NamedNode("https://w3id.org/kg/id/person/a#b?c=%22d%22"),
    ],
)
def test_terms_round_trip(remote: RemoteStore, term: ox.Literal | ox.NamedNode) -> None:
    rows = _solutions(remote.query("SELECT ?v WHERE { }", {"v": term}))
    assert rows[0]["v"] == term


@pytest.mark.parametrize(
    "query",
    [
        "SELECT DISTINCT ?p ?d WHERE { ?p kg:decision ?d }",
        "SELECT * { SELECT DISTINCT ?p ?d WHERE { ?p kg:decision ?d } }",
        "ASK { ?p kg:decision ?d }",
        "CONSTRUCT WHERE { ?p kg:decision ?d }",
        "CONSTRUCT { ?p a kg:Oral } WHERE { ?p kg:decision ?d }",
    ],
)
@pytest.mark.parametrize("decision", ["Oral", 'Oral" } UNION { ?p ?x ?d'])
def test_substitutions_match_the_local_store(
    remote: RemoteStore, local: Store, query: str, decision: str
) -> None:
    subs = {"d": ox.Literal(decision)}
    here, there = local.query(query, subs), remote.query(query, subs)
    if isinstance(here, ox.QuerySolutions):
        assert _rows(there) == _rows(here)
    elif isinstance(here, ox.QueryBoolean):
        assert bool(there) == bool(here)
    else:
        assert _triples(there) == _triples(here)


def test_unbindable_terms_are_refused(remote: RemoteStore) -> None:
    with pytest.raises(UsageError, match="only IRIs and literals"):
        remote.query("SELECT ?v WHERE { }", {"v": ox.BlankNode()})
    with pytest.raises(UsageError, match="not a SPARQL variable"):
        remote.query("SELECT ?v WHERE { }", {"v } ": ox.Literal("x")})


def test_bad_query_error_names_the_url(remote: RemoteStore, url: str) -> None:
    with pytest.raises(EndpointQueryError) as info:
        remote.query("SELECT ?x WHERE { ?x")
    message = str(info.value)
    assert message.startswith(f"{url}: HTTP 400") and "SPARQL syntax error" in message
    assert "\n" not in message
    assert isinstance(info.value, UsageError) and info.value.exit_code == 2


def test_timeout_and_refusals_are_endpoint_errors(remote: RemoteStore, url: str) -> None:
    with pytest.raises(EndpointError, match=r"no answer within 0.3 s"):
        RemoteStore(url, timeout_s=0.3).query(SLOW)
    with pytest.raises(EndpointError, match=r"HTTP 503 .*timeout") as info:
        remote.query(SLOW)  # outlasts the one above, so no query is left running
    assert info.value.status == 503
    with pytest.raises(EndpointError, match=r"HTTP 403 .*SERVICE"):
        remote.query("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def test_connection_refused() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = f"http://127.0.0.1:{port}/sparql"
    with pytest.raises(EndpointError, match="connection refused") as info:
        RemoteStore(dead).query(ORALS)
    assert str(info.value).startswith(dead)


def test_only_http_urls() -> None:
    for bad in ("file:///etc/passwd", "127.0.0.1:8000/sparql", "http://"):
        with pytest.raises(UsageError, match="not an http"):
            RemoteStore(bad)


def _kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        (ORALS, "--format", "csv"),
        (ORALS,),
        (
            'CONSTRUCT { ?p kg:decision "Oral" } WHERE { ?p kg:decision "Oral" } ORDER BY ?p',
            "--format",
            "ntriples",
        ),
        ("prolific", "--format", "tsv"),
        ("coauthors", "--param", "person=Zico Kolter", "--format", "json"),
    ],
)
def test_kg_query_endpoint_gives_the_local_answer(
    url: str, built: Path, args: tuple[str, ...]
) -> None:
    code, remote_out, _ = _kg("query", *args, "--endpoint", url)
    local_out = _kg("query", *args, "--dir", str(built))[1]
    assert code == 0
    if "ntriples" in args:  # a graph has no order
        assert sorted(remote_out.splitlines()) == sorted(local_out.splitlines())
    else:
        assert remote_out == local_out
    if args[0] == ORALS:
        assert "48" in remote_out


def test_kg_query_endpoint_errors_are_one_line(url: str) -> None:
    code, out, err = _kg("query", "SELECT * {", "--endpoint", url)
    assert code == 2 and out == ""
    assert err.startswith(f"kg: error: {url}: HTTP 400") and err.count("\n") == 1
    code, _, err = _kg("query", "coauthors", "--param", "person=Nobody Atall", "--endpoint", url)
    assert code == 2 and "no person 'Nobody Atall'" in err
    code, _, err = _kg("query", ORALS, "--endpoint", "http://127.0.0.1:1/sparql")
    assert code == 1 and "cannot connect" in err and "Traceback" not in err


def test_errors_are_kg_errors() -> None:
    assert issubclass(EndpointError, KGError) and issubclass(EndpointQueryError, EndpointError)
