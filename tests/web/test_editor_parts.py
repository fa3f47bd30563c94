"""The editor's parts without a browser: the vocabulary it completes, the answer tables, the
saved-query forms and the vendored editor's files."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import queries
from kg.graph import vocab as V
from kg.web import saved
from kg.web.table import MAX_TEXT, cell, failure, table
from kg.web.vocabulary import prefixed, vocabulary, vocabulary_json

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "kg" / "web" / "static" / "vendor" / "yasgui"
BASE = "https://w3id.org/kg/id/"


def local(iri: str) -> str | None:
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else None


# -- vocabulary ----------------------------------------------------------------------------


def test_vocabulary_holds_every_ontology_term_once_with_kgs_prefixes() -> None:
    ontology = ox.Store()
    ontology.load((ROOT / "ontology" / "kg.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    declared = {
        "classes": {
            r["c"].value
            for r in ontology.query("SELECT ?c { ?c a <http://www.w3.org/2002/07/owl#Class> }")
        },
        "properties": {
            r["p"].value
            for r in ontology.query(
                "SELECT ?p { VALUES ?t { <http://www.w3.org/2002/07/owl#ObjectProperty> "
                "<http://www.w3.org/2002/07/owl#DatatypeProperty> } ?p a ?t }"
            )
        },
    }
    terms = vocabulary()
    assert terms["prefixes"] == V.PREFIXES
    for kind in ("classes", "properties"):
        iris = [t["iri"] for t in terms[kind]]
        assert iris == sorted(set(iris))
        assert declared[kind] <= set(iris), declared[kind] - set(iris)
    classes = {t["iri"] for t in terms["classes"]}
    assert not classes & {t["iri"] for t in terms["properties"]}
    assert {V.LABEL.value, V.TITLE.value, V.TYPE.value} <= {t["iri"] for t in terms["properties"]}
    paper = next(t for t in terms["classes"] if t["iri"] == V.PAPER.value)
    assert (paper["name"], paper["label"]) == ("kg:Paper", "Paper")
    assert paper["comment"].startswith("A research paper")
    assert json.loads(vocabulary_json()) == terms


def test_prefixed_names_only_what_a_prefixed_name_can_hold() -> None:
    assert prefixed(V.KG + "Paper") == "kg:Paper"
    assert prefixed("https://schema.org/sameAs") == "schema:sameAs"
    assert prefixed(V.KG + "a b") == f"<{V.KG}a b>"
    assert prefixed(V.KG) == f"<{V.KG}>"
    assert prefixed("https://example.org/x") == "<https://example.org/x>"


# -- answer tables -------------------------------------------------------------------------


def test_iri_cells_link_to_local_pages_or_to_http_iris_only() -> None:
    here = cell({"type": "uri", "value": BASE + "paper/abc"}, local)
    assert (here.href, here.local, here.text) == ("/paper/abc", True, BASE + "paper/abc")
    away = cell({"type": "uri", "value": "https://orcid.org/0000-0002-1825-0097"}, local)
    assert (away.href, away.local) == ("https://orcid.org/0000-0002-1825-0097", False)
    term = cell({"type": "uri", "value": V.KG + "Paper"}, local)
    assert (term.text, term.href) == ("kg:Paper", V.KG + "Paper")
    for hostile in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "urn:x"):
        c = cell({"type": "uri", "value": hostile}, local)
        assert (c.href, c.text) == (None, hostile)


def test_literal_and_blank_cells_keep_their_text_and_say_their_type() -> None:
    lang = cell({"type": "literal", "value": "<b>x</b>", "xml:lang": "en"}, local)
    assert (lang.text, lang.note, lang.href) == ("<b>x</b>", "@en", None)
    typed = cell({"type": "literal", "value": "3", "datatype": V.XSD + "integer"}, local)
    assert typed.note == "xsd:integer"
    plain = cell({"type": "literal", "value": "x", "datatype": V.XSD + "string"}, local)
    assert plain.note == ""
    assert cell({"type": "bnode", "value": "b0"}, local).text == "_:b0"
    long = cell({"type": "literal", "value": "x" * 5000, "xml:lang": "en"}, local)
    assert (len(long.text), long.note) == (MAX_TEXT + 1, "(3000 more characters) @en")


def test_a_table_keeps_columns_and_unbound_cells() -> None:
    doc = {
        "head": {"vars": ["a", "b"]},
        "results": {"bindings": [{"a": {"type": "literal", "value": "1"}}, {}]},
    }
    t = table(doc, local, truncated=True)
    assert t.columns == ("a", "b")
    assert [[c.text if c else None for c in row] for row in t.rows] == [["1", None], [None, None]]
    assert t.truncated


@pytest.mark.parametrize(
    ("message", "where"),
    [
        ("SPARQL syntax error at line 3, column 17: expected ...\n  x\n  ^", (3, 17)),
        ("the query failed: something else", (None, None)),
    ],
)
def test_a_failure_reads_the_line_and_column_the_endpoint_gives(
    message: str, where: tuple[int | None, int | None]
) -> None:
    f = failure(message)
    assert (f.line, f.column) == where
    assert f.message == message


# -- saved queries as forms ----------------------------------------------------------------


def test_every_saved_query_is_a_form_with_its_parameters() -> None:
    forms = {f.name: f for f in saved.forms()}
    assert list(forms) == list(queries.registry())
    for name, q in queries.registry().items():
        f = forms[name]
        assert [(p.name, p.type, p.help, p.default) for p in f.params] == [
            (p.name, p.type, p.help, p.default) for p in q.params
        ]
        assert f.usage == q.usage()
    kind = next(p for p in forms["top-concepts"].params if p.type == "kind")
    assert kind.choices == tuple(queries.KINDS)
    assert saved.form("no-such-query") is None


def test_form_values_ignore_unknown_and_empty_fields() -> None:
    f = saved.form("neighborhood")
    assert f is not None
    given = {"concept": " transformers ", "limit": "", "evil": "x"}
    assert saved.values(f, given) == {"concept": "transformers"}


# -- the vendored editor -------------------------------------------------------------------


def test_the_vendored_files_are_the_ones_the_readme_names() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for name in ("yasqe.min.js", "yasqe.min.css"):
        digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert re.search(rf"`build/{re.escape(name)}` \(sha256 `{digest}`\)", readme), name
    licence = (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert "The MIT License" in licence
    for bundled in ("codemirror", "lodash-es", "dompurify", "query-string", "store"):
        assert f"\n{bundled} (" in licence, bundled
