"""NetworkX projections from the store, and every network exporter."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import UsageError
from kg.export import formats, networks
from kg.store import Store

KOLTER = "https://w3id.org/kg/id/person/j-zico-kolter"


@pytest.fixture(scope="module")
def coauthors(built: Path) -> nx.Graph:
    return networks.coauthor_graph(Store.open(built))


def test_coauthor_graph_has_the_contract_attributes(coauthors: nx.Graph) -> None:
    assert coauthors.number_of_nodes() > 2000
    data = coauthors.nodes[KOLTER]
    assert data["label"] == "J. Zico Kolter" and data["type"] == "person"
    assert data["papers"] == len(data["paper_titles"]) >= 5
    assert data["degree"] == coauthors.degree(KOLTER)
    assert data["community"] >= 0
    wong = "https://w3id.org/kg/id/person/eric-wong"
    edge = coauthors.edges[KOLTER, wong]
    assert edge["weight"] == len(edge["papers"]) == 2


def test_graphs_are_deterministic(built: Path, coauthors: nx.Graph) -> None:
    again = networks.coauthor_graph(Store.open(built))
    assert nx.utils.graphs_equal(again, coauthors)
    assert [again.nodes[n]["community"] for n in sorted(again)] == [
        coauthors.nodes[n]["community"] for n in sorted(coauthors)
    ]


def test_gexf_bytes_do_not_depend_on_the_day_they_are_written(
    coauthors: nx.Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NetworkX stamps the day into GEXF's ``lastmodifieddate``: the golden GEXF file
    written on one day failed to match the next day's export."""
    today = formats.EXPORTERS["gexf"].render(coauthors, "co-authors")
    monkeypatch.setattr(time, "strftime", lambda *_: "1999-12-31")
    assert formats.EXPORTERS["gexf"].render(coauthors, "co-authors") == today
    assert b"lastmodifieddate" not in today[""]
    nx.read_gexf(io.BytesIO(today[""]))  # still a GEXF file NetworkX reads


def test_communities_do_not_depend_on_the_order_nodes_were_added() -> None:
    """An ego network or a neighbourhood is cut out of a larger graph, and networkx gives
    such a part its nodes in the order of a set, which changes with Python's string hashing:
    communities (and the pages laid out by them) changed from one run to the next."""
    random = nx.gnm_random_graph(200, 500, seed=3)  # no clear communities: order matters
    g = nx.Graph()
    g.add_nodes_from(f"n{i:03d}" for i in sorted(random))
    g.add_edges_from((f"n{a:03d}", f"n{b:03d}", {"weight": 1}) for a, b in sorted(random.edges))
    backwards = nx.Graph()
    backwards.add_nodes_from(sorted(g.nodes, reverse=True))
    backwards.add_edges_from(sorted(g.edges(data=True), reverse=True))
    first, second = networks.annotate(nx.Graph(g)), networks.annotate(backwards)
    assert {n: first.nodes[n]["community"] for n in first} == {
        n: second.nodes[n]["community"] for n in second
    }


def test_ego_network_and_filters(built: Path) -> None:
    store = Store.open(built)
    ego = networks.coauthor_graph(store, person="Zico Kolter", hops=1)
    assert KOLTER in ego and all(nx.shortest_path_length(ego, KOLTER, n) <= 1 for n in ego)
    strong = networks.coauthor_graph(store, min_weight=2, min_papers=2)
    assert all(w >= 2 for _, _, w in strong.edges(data="weight"))
    assert all(p >= 2 for _, p in strong.nodes(data="papers"))
    with pytest.raises(UsageError, match="no person"):
        networks.coauthor_graph(store, person="Nobody At All")


def test_concept_neighborhood_and_bipartite_graphs(built: Path) -> None:
    store = Store.open(built)
    ego = networks.neighborhood(store, "reinforcement learning", papers=True, people=True)
    types = {d["type"] for _, d in ego.nodes(data=True)}
    assert {"concept", "paper", "person"} <= types
    papers_people = networks.bipartite(store, "person")
    assert nx.is_bipartite(papers_people)
    # every paper with authors: 687 (001, the 000 orals among them) + 100 (002); 004 has none
    assert sum(1 for _, d in papers_people.nodes(data=True) if d["type"] == "paper") == 787
    with pytest.raises(UsageError, match="--kind must be one of"):
        networks.neighborhood(store, "x", kind="gene")


@pytest.mark.parametrize("fmt", sorted(set(formats.EXPORTERS) - {"html"}))
def test_every_format_writes_and_reads_back(built: Path, tmp_path: Path, fmt: str) -> None:
    g = networks.coauthor_graph(Store.open(built), person="Zico Kolter", hops=1)
    g.nodes[KOLTER]["label"] = '=HYPERLINK("x") Zico \u00e9\u4e2d\U0001f600'
    out = tmp_path / f"ego{formats.EXPORTERS[fmt].extension or '.csv'}"
    paths = formats.write(g, fmt, out, "ego")
    again = formats.write(g, fmt, tmp_path / "again" / out.name, "ego")
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]  # deterministic
    label = g.nodes[KOLTER]["label"]
    if fmt == "graphml":
        back = nx.read_graphml(paths[0])
        assert back.nodes[KOLTER]["label"] == label
        assert back.number_of_edges() == g.number_of_edges()
    elif fmt == "gexf":
        back = nx.read_gexf(paths[0])
        assert back.nodes[KOLTER]["label"] == label
    elif fmt == "json":
        doc = json.loads(paths[0].read_text(encoding="utf-8"))
        back = nx.node_link_graph(doc, edges="links")
        assert back.nodes[KOLTER]["label"] == label
        assert isinstance(back.nodes[KOLTER]["paper_titles"], list)
    elif fmt == "csv":
        assert [p.name for p in paths] == ["ego.nodes.csv", "ego.edges.csv"]
        text = paths[0].read_text(encoding="utf-8")
        assert "'=HYPERLINK" in text  # formulas neutralised
        assert len(paths[1].read_text().splitlines()) == g.number_of_edges() + 1
    elif fmt == "pajek":
        text = paths[0].read_text(encoding="utf-8")
        assert text.startswith(f"*Vertices {g.number_of_nodes()}")


def test_coauthors_coloured_by_institution_carry_it_in_every_format(
    affiliated: Path, tmp_path: Path
) -> None:
    store = Store.open(affiliated)
    g = networks.coauthor_graph(store, color_by="institution")
    person = "https://w3id.org/kg/id/person/"
    assert {n.removeprefix(person): d["institution"] for n, d in g.nodes(data=True)} == {
        "ann-lee": "University of Pennsylvania",  # 4 papers there, 1 at Google
        "bo-chen": "Google",
        "cy-diaz": "NVIDIA",
        "dee-ek": "University of Pennsylvania",
        "eve-fox": "Toyota Research Institute",
    }
    assert g.graph["color_by"] == "institution"
    plain = networks.coauthor_graph(store)
    assert not any("institution" in d for _, d in plain.nodes(data=True))
    for fmt in ("graphml", "gexf", "json", "csv"):
        out = tmp_path / f"c{formats.EXPORTERS[fmt].extension or '.csv'}"
        paths = formats.write(g, fmt, out, "c")
        again = formats.write(g, fmt, tmp_path / "again" / out.name, "c")
        assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
        if fmt == "graphml":
            back = nx.read_graphml(paths[0])
        elif fmt == "gexf":
            back = nx.read_gexf(paths[0])
        elif fmt == "json":
            back = nx.node_link_graph(
                json.loads(paths[0].read_text(encoding="utf-8")), edges="links"
            )
        else:
            header, *rows = paths[0].read_text(encoding="utf-8").splitlines()
            assert "institution" in header.split(",")
            assert any("Toyota Research Institute" in r for r in rows)
            continue
        assert back.nodes[person + "bo-chen"]["institution"] == "Google"
    with pytest.raises(UsageError, match="--color-by must be one of community, institution"):
        networks.coauthor_graph(store, color_by="country")


def test_export_coauthors_color_by_institution_from_the_command_line(
    affiliated: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    target = tmp_path / "c.html"
    result = CliRunner().invoke(
        main,
        [
            "export",
            "coauthors",
            "--dir",
            str(affiliated),
            "--color-by",
            "institution",
            "--format",
            "html",
            "-o",
            str(target),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    page = target.read_bytes()
    assert b"coloured by institution" in page and b"University of Pennsylvania (2)" in page
    bad = CliRunner().invoke(
        main, ["export", "coauthors", "--dir", str(affiliated), "--color-by", "country"]
    )
    assert bad.exit_code == 2 and "'country' is not one of" in bad.output


def test_unwritable_output_fails_cleanly(built: Path) -> None:
    g = networks.coauthor_graph(Store.open(built), person="Zico Kolter", hops=1)
    with pytest.raises(Exception, match="cannot write"):
        formats.write(g, "json", Path("/proc/nope/x.json"), "x")
    with pytest.raises(UsageError, match="unknown network format 'svg'"):
        formats.write(g, "svg", Path("x.svg"), "x")


def test_paper_table_csv_neutralises_formulas(tmp_path: Path) -> None:
    from kg.export.papers import to_csv
    from kg.pipeline import build
    from kg.sources import SourceSpec

    src = tmp_path / "evil.jsonl"
    src.write_text(
        json.dumps(
            {"title": "=cmd|' /C calc'!A0", "authors": ["@Evil Person"], "abstract": "+1 and -1"}
        )
        + "\n"
    )
    build([SourceSpec(src)], out=tmp_path / "o")
    text = to_csv(Store.open(tmp_path / "o")).decode()
    row = text.splitlines()[1]
    assert ",'=cmd|' /C calc'!A0," in row.replace('"', "")
    assert "'@Evil Person" in row and "'+1 and -1" in row


_LABELS = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(labels=st.lists(_LABELS, min_size=2, max_size=6))
def test_graphml_and_json_round_trip_arbitrary_unicode(labels: list[str]) -> None:
    import tempfile

    g = nx.Graph()
    for i, label in enumerate(labels):
        g.add_node(f"n{i}", label=label, type="person", papers=1, iri=f"https://x.org/{i}")
    g.add_edge("n0", "n1", weight=1, papers=[labels[0]])
    with tempfile.TemporaryDirectory() as tmp:
        graphml = formats.write(g, "graphml", Path(tmp) / "g.graphml", "t")[0]
        back = nx.read_graphml(graphml)
        json_path = formats.write(g, "json", Path(tmp) / "g.json", "t")[0]
        doc = nx.node_link_graph(json.loads(json_path.read_text(encoding="utf-8")), edges="links")
    for i, label in enumerate(labels):
        assert doc.nodes[f"n{i}"]["label"] == label
        # XML 1.0 cannot carry most control characters: those are dropped, line ends become
        # LF (as XML parsers normalise them), everything else survives
        assert back.nodes[f"n{i}"]["label"] == _xml_text(label)


def _xml_text(text: str) -> str:
    kept = "".join(c for c in text if c in "\t\n\r" or (ord(c) >= 0x20 and c not in "\ufffe\uffff"))
    return kept.replace("\r\n", "\n").replace("\r", "\n")
