"""Every registered part of every registry is tested and has its row in the README.

The registries are kg's extension points: input formats, output formats, query result
formats, saved queries and the parts of extraction.  For each one:

* a test parametrized over the registry calls every part (checked here by reading its
  ``parametrize`` mark: a test over a hand-kept list, or one that leaves a part out,
  fails this check);
* every part has its own test or test data (a sample file, a golden file, an expected
  output, the parameters it runs with), so a part added without one fails here;
* the README's table of that registry lists exactly the registered parts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kg import queries, resultformats, sources
from kg.export import outputs
from kg.extract.parts import PARTS
from tests import golden
from tests import test_resultformats as result_tests
from tests.export import test_golden as output_tests
from tests.extract import test_parts as part_tests
from tests.queries import test_saved as query_tests
from tests.sources import test_registry as reader_tests

ROOT = Path(__file__).parent.parent
TESTS = ROOT / "tests"


def _output_parts() -> list[str]:
    return [f"{kind}/{name}" for kind, table in outputs.registry().items() for name in table]


def _output_tested(part: str) -> bool:
    kind, name = part.split("/")
    if (kind, name) in golden.LEFT_OUT:  # its own test module instead of a golden file
        return (TESTS / "export" / f"test_{name}.py").is_file()
    return set(golden.files(kind, name)) <= set(golden.expected())


def _reader_tested(name: str) -> bool:
    module = sources.registry()[name].read.__module__.rsplit(".", 1)[-1]
    samples = reader_tests.SAMPLES
    has_sample = name in reader_tests.TEXT_SAMPLES or (name in samples and samples[name].is_file())
    return has_sample and (TESTS / "sources" / f"test_{module}.py").is_file()


def _output_row(part: str) -> tuple[str, str]:
    kind, name = part.split("/")
    command = outputs.KINDS[kind][1].split(" | ")[0]
    return f"`{name}`", command


@dataclass(frozen=True)
class Registry:
    """A registry and what proves its parts are tested and documented."""

    parts: Callable[[], list[str]]
    every: Callable[..., Any]  # the test parametrized over it that calls every part
    tested: Callable[[str], bool]  # the part has its own test or test data
    section: str  # the README heading above its table
    header: str  # the first column's heading of that table
    row: Callable[[str], tuple[str, ...]]  # what the part's row holds (first cell first)


def _name_row(name: str) -> tuple[str, ...]:
    return (f"`{name}`",)


REGISTRIES: dict[str, Registry] = {
    "input formats": Registry(
        lambda: list(sources.registry()),
        reader_tests.test_every_reader_reads_its_sample,
        _reader_tested,
        "## Input formats",
        "name",
        _name_row,
    ),
    "output formats": Registry(
        _output_parts,
        output_tests.test_every_output_format_renders_its_golden_bytes,
        _output_tested,
        "## Output formats",
        "format",
        _output_row,
    ),
    "result formats": Registry(
        lambda: list(resultformats.FORMATS),
        result_tests.test_every_result_format_writes_its_result,
        lambda name: name in result_tests.EXPECTED,
        "### Query result formats",
        "format",
        _name_row,
    ),
    "saved queries": Registry(
        lambda: list(queries.registry()),
        query_tests.test_every_saved_query_runs_and_answers,
        lambda name: name in query_tests.CALLS or name in query_tests.AFFILIATION_CALLS,
        "### Saved queries",
        "name",
        _name_row,
    ),
    "extraction parts": Registry(
        lambda: list(PARTS),
        part_tests.test_every_part_is_tested,
        lambda name: bool(part_tests.TESTS.get(name)),
        "## Extraction",
        "part",
        _name_row,
    ),
}
PARTS_OF = [(registry, part) for registry, r in REGISTRIES.items() for part in r.parts()]


def parametrized(test: Callable[..., Any]) -> list[str]:
    """The cases a test is parametrized with (``a/b`` for two arguments)."""
    marks = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
    assert marks, f"{test.__name__} is not parametrized"
    cases = []
    for mark in marks:
        for value in mark.args[1]:
            values = value.values if hasattr(value, "values") else value  # pytest.param
            cases.append("/".join(values) if isinstance(values, tuple) else str(values))
    return cases


def readme_rows(section: str, header: str) -> list[list[str]]:
    """The rows (as cells) of the tables under ``section`` whose first column is
    ``header``, up to the next heading of the same or a higher level."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    level = section.split()[0]
    start = lines.index(section)
    rows: list[list[str]] = []
    in_table = False
    for line in lines[start + 1 :]:
        heading = re.match(r"(#+) ", line)
        if heading and len(heading[1]) <= len(level):
            break
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if not in_table:
            in_table = cells[0] == header
            continue
        if not set(cells[0]) <= set("-:"):
            rows.append(cells)
    return rows


@pytest.mark.parametrize("registry", list(REGISTRIES))
def test_every_registry_has_a_test_that_calls_each_part(registry: str) -> None:
    r = REGISTRIES[registry]
    cases = parametrized(r.every)
    missing = sorted(set(r.parts()) - set(cases))
    assert not missing, f"{r.every.__name__} does not run {', '.join(missing)}"


@pytest.mark.parametrize(("registry", "part"), PARTS_OF)
def test_every_part_has_its_own_test(registry: str, part: str) -> None:
    assert REGISTRIES[registry].tested(part), f"the {registry} part {part!r} has no test"


@pytest.mark.parametrize(("registry", "part"), PARTS_OF)
def test_every_part_has_a_readme_row(registry: str, part: str) -> None:
    r = REGISTRIES[registry]
    want = r.row(part)
    rows = readme_rows(r.section, r.header)
    assert any(row[0] == want[0] and all(w in " ".join(row) for w in want) for row in rows), (
        f"README.md ({r.section}) has no row for the {registry} part {part!r}"
    )


@pytest.mark.parametrize("registry", list(REGISTRIES))
def test_every_readme_row_is_a_registered_part(registry: str) -> None:
    r = REGISTRIES[registry]
    rows = readme_rows(r.section, r.header)
    assert len(rows) == len(r.parts()), f"README.md ({r.section}): {len(rows)} rows"


def test_the_checks_fail_on_a_part_without_a_test_or_a_row() -> None:
    r = REGISTRIES["saved queries"]
    assert not r.tested("no-such-query")
    assert "no-such-query" not in parametrized(r.every)
    assert not any(row[0] == "`no-such-query`" for row in readme_rows(r.section, r.header))
