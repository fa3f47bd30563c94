"""Network exporters in one registry: GraphML, GEXF, CSV node/edge lists, JSON, Pajek, HTML.

Each exporter turns a graph (following the attribute contract of ``networks``) into the
bytes of one or more files, keyed by the suffix added to the output name; the caller
writes them atomically.  List attributes become ``; ``-joined text in GraphML, GEXF and
Pajek (tools such as Gephi and Cytoscape take plain values only) and stay lists in JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from kg.errors import KGError, UsageError
from kg.export.cells import safe_cell
from kg.export.networks import iter_edges
from kg.outdir import atomic_write_files, write_export


@dataclass(frozen=True, slots=True)
class Exporter:
    """A network format: its name, file extension, description and renderer."""

    name: str
    extension: str
    description: str
    render: Callable[[nx.Graph, str], dict[str, bytes]]


# Characters XML 1.0 cannot hold (most C0 controls, U+FFFE, U+FFFF, lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _plain(g: nx.Graph) -> nx.Graph:
    """A copy for XML formats: attributes are strings, numbers or booleans, and every
    string holds only what XML carries (forbidden characters dropped, line ends as LF)."""
    out = nx.Graph()
    for node, data in sorted(g.nodes(data=True)):
        out.add_node(_xml(node), **{k: _scalar(v) for k, v in sorted(data.items())})
    for a, b, data in iter_edges(g):
        out.add_edge(_xml(a), _xml(b), **{k: _scalar(v) for k, v in sorted(data.items())})
    return out


Items = tuple[
    list[tuple[object, dict[str, object]]], list[tuple[object, object, dict[str, object]]]
]


def _plain_items(g: nx.Graph) -> Items:
    """The nodes and edges :func:`_plain` would give, in its order, without copying the
    graph when no node id needs cleaning (the usual case)."""
    ids = sorted(g.nodes)
    if any(_xml(n) != n for n in ids):
        plain = _plain(g)  # cleaning may merge ids: let networkx decide as it always did
        return list(plain.nodes(data=True)), list(plain.edges(data=True))
    nodes: list[tuple[object, dict[str, object]]] = [
        (n, {k: _scalar(v) for k, v in sorted(g.nodes[n].items())}) for n in ids
    ]
    edges: list[tuple[object, object, dict[str, object]]] = [
        (a, b, {k: _scalar(v) for k, v in sorted(d.items())}) for a, b, d in iter_edges(g)
    ]
    return nodes, edges


def _xml_text(text: str) -> str:
    """``text`` as XML keeps it: no characters XML forbids, line ends as ``\n``."""
    return _NOT_XML.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def _xml(value: object) -> object:
    return _xml_text(value) if isinstance(value, str) else value


def _scalar(value: object) -> str | int | float | bool:
    if isinstance(value, (list, tuple, set)):
        return _xml_text("; ".join(str(v) for v in value))
    if isinstance(value, (int, float, bool)) and not isinstance(value, str):
        return value
    return _xml_text(str(value))


_GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)


def _graphml_type(values: set[type]) -> str:
    if values <= {bool}:
        return "boolean"
    if values <= {int}:
        return "long"
    if values <= {int, float}:
        return "double"
    return "string"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: object) -> str:
    return (
        _text(value)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#09;")
    )


def _graphml(g: nx.Graph, title: str) -> dict[str, bytes]:
    """GraphML as networkx writes it (keys, types, indentation), streamed as text: the
    ElementTree writer took 20 s for a network of 84K people and 394K links."""
    nodes, edges = _plain_items(g)
    keys: dict[tuple[str, str], str] = {}
    types: dict[tuple[str, str], set[type]] = {}
    for scope, items in (("node", (d for _, d in nodes)), ("edge", (d for _, _, d in edges))):
        for data in items:
            for name, value in data.items():
                keys.setdefault((scope, name), f"d{len(keys)}")
                types.setdefault((scope, name), set()).add(type(value))
    out = [_GRAPHML_HEAD]
    for (scope, name), key in reversed(keys.items()):
        out.append(
            f'  <key id="{key}" for="{scope}" attr.name="{_attr(name)}" '
            f'attr.type="{_graphml_type(types[(scope, name)])}" />\n'
        )
    out.append('  <graph edgedefault="undirected">\n')
    for node, data in nodes:
        out.append(_element(f'<node id="{_attr(node)}"', "node", data, keys))
    for a, b, data in edges:
        out.append(_element(f'<edge source="{_attr(a)}" target="{_attr(b)}"', "edge", data, keys))
    out.append("  </graph>\n</graphml>\n")
    return {"": "".join(out).encode("utf-8")}


def _element(
    start: str, scope: str, data: dict[str, object], keys: dict[tuple[str, str], str]
) -> str:
    if not data:
        return f"    {start} />\n"
    inner = "".join(
        f'      <data key="{keys[(scope, name)]}">{_text(value)}</data>\n'
        for name, value in data.items()
    )
    return f"    {start}>\n{inner}    </{scope}>\n"


def _gexf(g: nx.Graph, title: str) -> dict[str, bytes]:
    """GEXF 1.2 without the optional ``lastmodifieddate``.

    NetworkX stamps the day of writing there, so the same graph exported tomorrow would
    differ by that date alone; exports are byte-identical for the same input instead.
    """
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    for meta in writer.xml.iter("meta"):
        meta.attrib.pop("lastmodifieddate", None)
    writer.add_graph(_plain(g))
    buffer = io.BytesIO()
    writer.write(buffer)
    return {"": buffer.getvalue()}


def _csv(g: nx.Graph, title: str) -> dict[str, bytes]:
    node_keys = sorted({k for _, d in g.nodes(data=True) for k in d})
    edge_keys = sorted({k for _, _, d in g.edges(data=True) for k in d})
    nodes, edges = io.StringIO(), io.StringIO()
    w = csv.writer(nodes, lineterminator="\n")
    w.writerow(["id", *node_keys])
    for node, data in sorted(g.nodes(data=True)):
        w.writerow([safe_cell(node), *(safe_cell(data.get(k, "")) for k in node_keys)])
    w = csv.writer(edges, lineterminator="\n")
    w.writerow(["source", "target", *edge_keys])
    for a, b, data in iter_edges(g):
        w.writerow([safe_cell(a), safe_cell(b), *(safe_cell(data.get(k, "")) for k in edge_keys)])
    return {
        ".nodes.csv": nodes.getvalue().encode("utf-8"),
        ".edges.csv": edges.getvalue().encode("utf-8"),
    }


def _json(g: nx.Graph, title: str) -> dict[str, bytes]:
    data = {
        "title": title,
        "directed": False,
        "nodes": [{"id": n, **d} for n, d in sorted(g.nodes(data=True))],
        "links": [{"source": a, "target": b, **d} for a, b, d in iter_edges(g)],
    }
    return {"": (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")}


def _pajek(g: nx.Graph, title: str) -> dict[str, bytes]:
    index = {node: i for i, node in enumerate(sorted(g.nodes), start=1)}
    lines = [f"*Vertices {len(index)}"]
    for node, i in index.items():
        label = str(g.nodes[node].get("label", node)).replace('"', "'").replace("\n", " ")
        lines.append(f'{i} "{label}"')
    lines.append("*Edges")
    for a, b, data in iter_edges(g):
        lines.append(f"{index[a]} {index[b]} {data.get('weight', 1)}")
    return {"": ("\r\n".join(lines) + "\r\n").encode("utf-8")}


def _html(g: nx.Graph, title: str) -> dict[str, bytes]:
    from kg.export.html import to_html

    return {"": to_html(g, title)}


EXPORTERS: dict[str, Exporter] = {
    e.name: e
    for e in (
        Exporter("graphml", ".graphml", "GraphML (Gephi, Cytoscape, yEd)", _graphml),
        Exporter("gexf", ".gexf", "GEXF (Gephi)", _gexf),
        Exporter("csv", "", "CSV node and edge lists (NAME.nodes.csv, NAME.edges.csv)", _csv),
        Exporter("json", ".json", "node-link JSON (d3, networkx.node_link_graph)", _json),
        Exporter("pajek", ".net", "Pajek .net (Pajek, igraph)", _pajek),
        Exporter("html", ".html", "interactive HTML page that works offline", _html),
    )
}


def write(g: nx.Graph, fmt: str, output: str | Path, title: str) -> list[Path]:
    """Write ``g`` as ``fmt`` to ``output`` (CSV: two files beside it); returns the paths.

    The files are written atomically, and together: after a failure or a kill, the CSV
    pair is both old or both new (the next write into the folder finishes a killed one).
    """
    if fmt not in EXPORTERS:
        raise UsageError(f"unknown network format {fmt!r}; choose one of: {', '.join(EXPORTERS)}")
    exporter = EXPORTERS[fmt]
    output = Path(output)
    files: dict[Path, bytes] = {}
    for suffix, data in exporter.render(g, title).items():
        path = output.with_name(output.name + suffix) if suffix else output
        if suffix and output.suffix == ".csv":
            path = output.with_name(output.stem + suffix)
        files[path] = data
    try:
        if len(files) == 1:
            [(path, data)] = files.items()
            write_export(path, data)
        else:
            atomic_write_files(files)
    except OSError as exc:
        names = " and ".join(str(p) for p in files)
        raise KGError(f"{names}: cannot write ({exc.strerror or exc})") from None
    return list(files)
