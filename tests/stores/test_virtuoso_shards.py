"""N-Quads shards bulk-loaded into a real Virtuoso keep their graphs and add up to the build.

The shards are real: ``kg build --emit nquads --shard I/3`` (the session's
``bundled_shards``), plus the ``labels.nq`` that ``kg build --from-shards`` writes beside
them.  As a set of quads they are the full build's ``graph.nq``.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import queries
from kg.graph.vocab import PREFIXES
from kg.store import Store
from tests.queries.test_saved import CALLS
from tests.stores.virtuoso import (
    BulkLoad,
    Virtuoso,
    canonical_local,
    canonical_remote,
    require_virtuoso,
)

require_virtuoso()

SHARDS = 3
LOADERS = 2  # rdf_loader_run() sessions at once: one per core here
# what ld_dir is given as the graph; for N-Quads only a default, which no quad needs
DEFAULT_GRAPH = "urn:kg:shards:default"


def read_quads(paths: Sequence[Path]) -> list[ox.Quad]:
    """Every quad of the N-Quads files ``paths``, in order (duplicates kept)."""
    return [q for path in paths for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)]


def load_shards(server: Virtuoso, paths: Sequence[Path], directory: Path) -> BulkLoad:
    """Put the shard files ``paths`` in one directory and bulk-load it into ``server``."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path.parent != directory:
            shutil.copy(path, directory / path.name)
    return server.load_nquads_dir(directory, DEFAULT_GRAPH, loaders=LOADERS)


def graph_counts(server: Virtuoso) -> Counter[str]:
    """Triples per named graph in ``server``, Virtuoso's own system graphs included."""
    doc = server.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return Counter({b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]})


@pytest.fixture(scope="module")
def shard_files(bundled_shards: Path) -> list[Path]:
    return sorted(bundled_shards.glob("*.nq"))


@pytest.fixture(scope="module")
def build_quads(built: Path) -> list[ox.Quad]:
    return read_quads([built / "graph.nq"])


@pytest.fixture(scope="module")
def shard_quads(shard_files: list[Path]) -> list[ox.Quad]:
    return read_quads(shard_files)


@pytest.fixture(scope="module")
def expected(shard_quads: list[ox.Quad]) -> Counter[str]:
    """Triples per graph in the shards (a quad in two shards counts once)."""
    return Counter(q.graph_name.value for q in set(shard_quads))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def loaded(
    shard_files: list[Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Virtuoso, BulkLoad, Counter[str]]]:
    """A fresh Virtuoso with the shards loaded; the graph counts it had before them."""
    work = tmp_path_factory.mktemp("virtuoso-shards")
    with Virtuoso(work / "server") as server:
        before = graph_counts(server)
        load = load_shards(server, shard_files, work / "to-load")
        print(
            f"\nvirtuoso bulk load: {len(load.files)} shards, {load.quads} quads, "
            f"{load.seconds:.2f} s, {load.quads_per_second:,.0f} quads/s, "
            f"{load.loaders} loaders"
        )
        yield server, load, before


def _from_clauses(graphs: Iterable[str]) -> str:
    return "".join(f"FROM <{g}>\n" for g in sorted(graphs))


def test_the_shards_are_the_build(
    build_quads: list[ox.Quad], shard_files: list[Path], shard_quads: list[ox.Quad]
) -> None:
    assert len(shard_files) == SHARDS + 1  # and the concept labels
    assert all(path.stat().st_size > 0 for path in shard_files)
    assert set(shard_quads) == set(build_quads)
    assert all(not isinstance(q.graph_name, ox.DefaultGraph) for q in shard_quads)


def test_every_shard_loads_without_error(
    loaded: tuple[Virtuoso, BulkLoad, Counter[str]],
    shard_files: list[Path],
    shard_quads: list[ox.Quad],
) -> None:
    _, load, _ = loaded
    assert sorted(load.files) == sorted(p.name for p in shard_files)
    assert load.quads == len(set(shard_quads))
    assert load.loaders == LOADERS and load.seconds > 0


def test_each_quad_keeps_its_own_graph(
    loaded: tuple[Virtuoso, BulkLoad, Counter[str]], expected: Counter[str]
) -> None:
    server, _, before = loaded
    after = graph_counts(server)
    new = {g for g in after if g not in before}
    assert new == set(expected)  # nothing went to ld_dir's graph or anywhere else
    assert DEFAULT_GRAPH not in after
    assert all(after[g] == before[g] for g in before)


def test_each_graph_has_the_triples_of_graph_nq(
    loaded: tuple[Virtuoso, BulkLoad, Counter[str]], build_quads: list[ox.Quad]
) -> None:
    server, _, _ = loaded
    build = Counter(q.graph_name.value for q in set(build_quads))  # type: ignore[union-attr]
    counts = graph_counts(server)
    assert {g: counts[g] for g in build} == dict(build)


def test_the_union_has_the_distinct_triples_of_graph_nq(
    loaded: tuple[Virtuoso, BulkLoad, Counter[str]],
    expected: Counter[str],
    build_quads: list[ox.Quad],
) -> None:
    server, _, _ = loaded
    distinct = len({q.triple for q in build_quads})
    count = "SELECT (COUNT(*) AS ?n)\n{}WHERE {{ SELECT DISTINCT ?s ?p ?o {{ ?s ?p ?o }} }}"
    by_from = server.select(count.format(_from_clauses(expected)))
    by_parameter = server.select(count.format(""), sorted(expected))
    for doc in (by_from, by_parameter):
        assert int(doc["results"]["bindings"][0]["n"]["value"]) == distinct


@pytest.mark.parametrize("name", ["coauthors", "cited"])
def test_saved_queries_answer_the_same_over_the_shard_graphs(
    loaded: tuple[Virtuoso, BulkLoad, Counter[str]], expected: Counter[str], built: Path, name: str
) -> None:
    server, _, _ = loaded
    store = Store.open(built)
    sparql = queries.bind(store, queries.get(name), CALLS[name])
    mine = store.query(sparql)
    names = [v.value for v in mine.variables]  # type: ignore[union-attr]
    prolog = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    # the union of the shard graphs as the default graph: one default-graph-uri each
    theirs = server.select(prolog + sparql, sorted(expected))
    assert canonical_remote(theirs, names) == canonical_local(mine, names)
    assert theirs["results"]["bindings"]
