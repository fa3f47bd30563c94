"""The home page, the SPARQL editor and the saved queries as forms.

* ``/``: search first, then the editor with an example query, then the saved queries;
* ``/query``: the editor on a page of its own; ``?query=`` fills it in, and ``&run=1``
  (what its Run button sends) runs the query and shows the answer under it;
* ``/query/<name>``: a saved query as a form, one input per parameter; ``?run=1`` with
  the values runs it;
* ``/vocabulary.json``: kg's prefixes and the ontology's terms, for the editor's completion.

A query runs the way ``/sparql`` runs it (:func:`kg.querypool.answer`, in the endpoint's
worker pool when the app has one), cut to :data:`MAX_ROWS` rows for the page; the page
links to ``/sparql`` for the whole answer as CSV or JSON.  An error is shown with the line
and column the endpoint gives.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import flask
import pyoxigraph as ox

from kg.errors import UsageError
from kg.querypool import Busy, Overrun, Unavailable, WorkerLost
from kg.web import saved
from kg.web.access import graph
from kg.web.table import Failure, Table, failure, table, triples
from kg.web.vocabulary import vocabulary_json

bp = flask.Blueprint("editor", __name__)

MAX_ROWS = 1000  # rows of an answer shown on a page; the downloads hold more
MAX_QUERY = 100_000  # characters of a query the pages accept (the endpoint takes 1 MB)
MAX_BYTES = 16 << 20  # of an answer shown on a page
EXAMPLE = """\
PREFIX kg: <https://w3id.org/kg/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# The venues of the graph with their number of papers
SELECT ?venue ?name (COUNT(?paper) AS ?papers) WHERE {
  ?paper a kg:Paper ;
         kg:venue ?venue .
  ?venue rdfs:label ?name .
}
GROUP BY ?venue ?name
ORDER BY DESC(?papers) ?name"""
SELECT_DOWNLOADS = (("csv", "CSV"), ("json", "JSON"))
GRAPH_DOWNLOADS = (("turtle", "Turtle"), ("ntriples", "N-Triples"), ("json", "JSON-LD"))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What running a query gave: a table, a yes/no or a failure, and how to download it."""

    sparql: str
    table: Table | None = None
    boolean: bool | None = None
    failure: Failure | None = None
    seconds: float = 0.0
    downloads: tuple[tuple[str, str], ...] = field(default=SELECT_DOWNLOADS)

    def download(self, fmt: str) -> str:
        """The ``/sparql`` URL that answers the query in ``fmt``."""
        return "/sparql?" + urlencode({"query": self.sparql, "format": fmt})


# -- running -----------------------------------------------------------------------------


class _Down(Exception):
    """No answer: the workers are busy or gone, or the query ran past the time limit."""


def _answer(job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The endpoint's reply metadata and body for ``job``: in the server's workers when the
    app has them, else in this process (:func:`kg.querypool.answer`, the workers' code).

    Unlike :meth:`kg.web.access.Graph.select`, which runs the pages' own queries, this adds
    no prefix declarations to the text (the store predefines kg's prefixes anyway), so the
    line and column of an error are the user's own.
    """
    g = graph()
    try:
        meta, body = g.submit(job, MAX_BYTES)
    except Busy:
        raise _Down("busy: no query worker came free within the time limit; try again") from None
    except (Overrun, TimeoutError):
        raise _Down(f"timeout: the query ran past the time limit ({g.timeout_s:g} s)") from None
    except Unavailable as exc:
        raise _Down(str(exc)) from None
    except WorkerLost as exc:
        raise _Down(f"the query stopped its worker (exit {exc.code})") from None
    return meta, body


def run(sparql: str) -> Outcome:
    """Run ``sparql`` as ``/sparql`` would, keeping at most MAX_ROWS rows."""
    started = time.monotonic()
    if len(sparql) > MAX_QUERY:
        return Outcome(sparql, failure=failure(f"the query is longer than {MAX_QUERY} characters"))
    job = {"query": sparql, "select": "json", "graph": "ntriples", "max_rows": MAX_ROWS}
    try:
        meta, body = _answer(job)
    except _Down as exc:
        return Outcome(sparql, failure=failure(str(exc), 503))
    seconds = time.monotonic() - started
    status = int(meta.get("status", 500))
    if meta.get("oversize"):
        message = f"the answer is larger than {MAX_BYTES >> 20} MB: download it instead"
        return Outcome(sparql, failure=failure(message, 413), seconds=seconds)
    if status != 200:
        message = str(meta.get("message") or f"the query failed ({status})")
        return Outcome(sparql, failure=failure(message, status), seconds=seconds)
    local = graph().local_path
    cut = bool(meta.get("truncated"))
    if meta.get("format") == "ntriples":
        answer_ = triples(body, local, cut)
        return Outcome(sparql, answer_, seconds=seconds, downloads=GRAPH_DOWNLOADS)
    doc = json.loads(body)
    if "boolean" in doc:
        return Outcome(sparql, boolean=bool(doc["boolean"]), seconds=seconds)
    return Outcome(sparql, table(doc, local, cut), seconds=seconds)


class _Lookups:
    """The build as :mod:`kg.queries` reads it to look values up (anything with
    ``query()``), answered by the same runner as the pages' queries."""

    def query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Any:
        if substitutions:
            raise ValueError("bind values in the text (kg.sparqltext.bind_values)")
        try:
            meta, body = _answer({"query": sparql, "select": "json", "max_rows": MAX_ROWS})
        except _Down as exc:
            raise UsageError(str(exc)) from None
        if int(meta.get("status", 500)) != 200:
            raise UsageError(str(meta.get("message") or "a lookup failed"))
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)


# -- pages -------------------------------------------------------------------------------


def _common() -> dict[str, Any]:
    from kg.graph.vocab import PREFIXES

    return {"saved": saved.forms(), "prefixes": sorted(PREFIXES)}


@bp.get("/")
def home() -> str:
    """Search, the editor with an example, and the saved queries."""
    return flask.render_template("editor/home.html", example=EXAMPLE, **_common())


@bp.get("/query")
def query() -> str:
    """The editor; with ``run``, the answer to its query under it."""
    text = flask.request.args.get("query", "")
    outcome = run(text) if flask.request.args.get("run") and text.strip() else None
    return flask.render_template(
        "editor/query.html", query=text or EXAMPLE, outcome=outcome, **_common()
    )


@bp.get("/query/<name>", endpoint="saved")
def saved_query(name: str) -> str:
    """A saved query as a form; with ``run``, its answer for the values given."""
    form = saved.form(name)
    if form is None:
        flask.abort(404, f"no saved query {name!r}")
    given = {k: v for k, v in flask.request.args.items() if k != "run"}
    outcome, problem = None, None
    if flask.request.args.get("run"):
        try:
            outcome = run(saved.bound(_Lookups(), form, given))
        except UsageError as exc:
            problem = str(exc)
    return flask.render_template(
        "editor/saved.html",
        form=form,
        values=saved.values(form, given),
        outcome=outcome,
        problem=problem,
        **_common(),
    )


@bp.get("/vocabulary.json")
def vocabulary() -> flask.Response:
    """kg's prefixes, classes and properties, for the editor's completion."""
    response = flask.Response(vocabulary_json(), mimetype="application/json")
    response.headers["Cache-Control"] = "max-age=3600"
    return response


@bp.record_once
def _warm(state: Any) -> None:
    vocabulary_json()  # built once, when the app starts, not on the first request
