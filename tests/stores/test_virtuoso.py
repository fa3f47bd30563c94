"""The Turtle export in a real Virtuoso gives the same answers to every saved query."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import queries
from kg.graph.vocab import PREFIXES
from kg.store import Store
from tests.queries.test_saved import (
    AFFILIATION_CALLS,
    CALLS,
    METHOD_CALLS,
    METHODS,
    methods_store,
)
from tests.stores.virtuoso import Virtuoso, canonical_local, canonical_remote, require_virtuoso

require_virtuoso()


@pytest.fixture(scope="module")
def virtuoso(
    built: Path, affiliated: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Virtuoso]:
    # Virtuoso's loader knows files by name: the second graph.ttl needs another one
    renamed = tmp_path_factory.mktemp("affiliated-ttl") / "affiliated.ttl"
    shutil.copy(affiliated / "graph.ttl", renamed)
    with Virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        server.load(built / "graph.ttl", "urn:kg:test")
        server.load(METHODS, "urn:kg:methods")
        server.load(renamed, "urn:kg:affiliations")
        yield server


def test_all_triples_arrive(virtuoso: Virtuoso, built: Path) -> None:
    doc = virtuoso.select("SELECT (COUNT(*) AS ?n) FROM <urn:kg:test> WHERE { ?s ?p ?o }")
    local = Store.open(built).query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
    )
    assert int(doc["results"]["bindings"][0]["n"]["value"]) == int(next(iter(local))["n"].value)  # type: ignore[call-overload,index]


@pytest.mark.parametrize(
    ("name", "graph"),
    [
        *((n, "bundled") for n in sorted(CALLS) if n != "proposers"),
        *((n, "methods") for n in sorted(METHOD_CALLS)),
        *((n, "affiliations") for n in sorted(AFFILIATION_CALLS)),
    ],
)
def test_saved_queries_answer_the_same_in_virtuoso(
    virtuoso: Virtuoso, built: Path, affiliated: Path, name: str, graph: str
) -> None:
    store = {
        "bundled": lambda: Store.open(built),
        "methods": methods_store,
        "affiliations": lambda: Store.open(affiliated),
    }[graph]()
    params = {"bundled": CALLS, "methods": METHOD_CALLS, "affiliations": AFFILIATION_CALLS}[graph][
        name
    ]
    sparql = queries.bind(store, queries.get(name), params)
    mine = store.query(sparql)
    names = [v.value for v in mine.variables]  # type: ignore[union-attr]
    prolog = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    theirs = virtuoso.select(
        prolog + sparql,
        {
            "bundled": "urn:kg:test",
            "methods": "urn:kg:methods",
            "affiliations": "urn:kg:affiliations",
        }[graph],
    )
    assert theirs["results"]["bindings"] or graph != "affiliations"
    assert canonical_remote(theirs, names) == canonical_local(mine, names)
