"""The command line through click's CliRunner: output, exit codes, clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg import sources
from kg.cli import main
from tests.conftest import drain_fifo


def _run(*args: str, input: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        out.append((f"{prefix}{name}", cmd))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, f"{prefix}{name} "))
    return out


@pytest.mark.parametrize(("name", "command"), _commands(main))
def test_every_command_has_help(name: str, command: click.Command) -> None:
    assert command.help and len(command.help) > 20, f"`kg {name}` needs a docstring"
    result = _run(*name.split(), "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


@pytest.mark.parametrize(
    ("name", "command"),
    [
        (name, command)
        for name, command in _commands(main)
        if not isinstance(command, click.Group) and name != "extract"
    ],
)  # JSON lines in and out
def test_every_command_takes_dir(name: str, command: click.Command) -> None:
    assert any("--dir" in p.opts for p in command.params), f"`kg {name}` needs --dir (README)"


def test_formats_lists_every_registered_format_under_its_command() -> None:
    from kg.export import outputs
    from kg.resultformats import FORMATS

    result = _run("formats")
    sections: dict[str, list[str]] = {}
    for line in result.output.splitlines():
        if line and not line.startswith(" "):
            title = line.rstrip(":")
            sections[title] = []
        elif line:
            sections[title].append(line.split()[0])
    assert list(sections.values()) == [
        list(sources.registry()),
        *(list(table) for table in outputs.registry().values()),
        list(FORMATS),
    ]
    commands = ["kg build", *(c for _, c in outputs.KINDS.values()), "kg query"]
    assert [t.split("(")[1] for t in sections] == [f"{c} --format)" for c in commands]
    assert _run("formats", "--dir", "anywhere").output == result.output


def test_queries_lists_commands_for_the_dir_given(tmp_path: Path) -> None:
    import shlex

    from kg import queries

    where = str(tmp_path / "a build")
    usages = [
        line.strip()
        for line in _run("queries", "--dir", where).output.splitlines()
        if line.startswith("    kg query ")
    ]
    assert len(usages) == len(queries.registry())
    assert all(shlex.split(u)[-2:] == ["--dir", where] for u in usages)
    default = _run("queries").output  # the default directory goes without saying
    assert "--dir" not in default and "    kg query cited\n" in default


def test_query_counts_orals_in_every_format(built: Path) -> None:
    q = 'SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Paper ; kg:decision "Oral" }'
    csv_out = _run("query", q, "--dir", str(built), "--format", "csv").stdout_bytes
    assert csv_out == b"n\r\n48\r\n"  # SPARQL 1.1 CSV: CRLF line ends
    doc = json.loads(_run("query", q, "--dir", str(built), "--format", "json").output)
    assert doc["results"]["bindings"][0]["n"]["value"] == "48"
    table = _run("query", q, "--dir", str(built)).output.splitlines()
    assert table == ["n", "--", "48", "(1 row)"]
    assert "<sparql" in _run("query", q, "--dir", str(built), "--format", "xml").output
    assert _run("query", q, "--dir", str(built), "--format", "tsv").output.split() == ["?n", "48"]


def test_query_from_file_and_stdin(built: Path, tmp_path: Path) -> None:
    q = "ASK { ?p a kg:Paper }"
    (tmp_path / "q.rq").write_text(q)
    assert _run("query", "-f", str(tmp_path / "q.rq"), "--dir", str(built)).output == "true\n"
    assert _run("query", "-", "--dir", str(built), input=q).output == "true\n"


def test_construct_gives_turtle(built: Path) -> None:
    q = "CONSTRUCT { ?p a kg:Paper } WHERE { ?p kg:openreviewId 'HJgzt2VKPB' }"
    out = _run("query", q, "--dir", str(built)).output
    assert "paper/HJgzt2VKPB> a kg:Paper" in out


def test_query_errors_are_one_line(built: Path, tmp_path: Path) -> None:
    bad = _run("query", "SELECT WHERE {", "--dir", str(built))
    assert bad.exit_code == 2
    assert bad.output.startswith("kg: error: SPARQL syntax error")
    assert "Traceback" not in bad.output
    missing = _run("query", "ASK {}", "--dir", str(tmp_path / "none"))
    assert missing.exit_code == 1
    assert "no graph here; run `kg build" in missing.output


def test_stats_and_validate(built: Path, affiliated: Path) -> None:
    stats = json.loads(_run("stats", "--dir", str(built), "--json").output)
    assert stats["by_decision"]["Oral"] == 48
    assert stats["sources"] == 5
    assert stats["papers"] == 687 + 100 + 425
    # `kg validate` is kg.validate.validate on the store (kg/cli/info.py), and that the
    # bundled build conforms is tests/test_pipeline.py's test_graph_conforms_to_the_shapes
    # (about 20 s of SHACL, done there only); here the command, on the small affiliations
    # build
    result = _run("validate", "--dir", str(affiliated))
    assert result.exit_code == 0
    assert "the graph conforms to the shapes" in result.output


def test_export_papers_jsonl_and_csv(built: Path, tmp_path: Path) -> None:
    lines = _run("export", "papers", "--dir", str(built)).output.splitlines()
    assert len(lines) == 687 + 100 + 425
    assert (built / "papers.jsonl").read_text().splitlines() == lines
    target = tmp_path / "papers.csv"
    assert (
        _run(
            "export", "papers", "--dir", str(built), "--format", "csv", "-o", str(target)
        ).exit_code
        == 0
    )
    header = target.read_text().splitlines()[0]
    assert header.startswith("iri,title,authors,abstract,venue,year,decision")
    unwritable = _run("export", "papers", "--dir", str(built), "-o", "/proc/nope/x.jsonl")
    assert unwritable.exit_code == 1
    assert unwritable.output.startswith("kg: error: /proc/nope/x.jsonl: cannot write")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "bad.txt: the file is empty"),
        (b"\x1f\x8b\x08\x00junk", "bad.txt: this is gzip data"),
        ("Schölkopf\n".encode("latin-1"), "bad.txt:1: not valid utf-8"),
        (b"just some words\n", "bad.txt: format not recognised"),
    ],
)
def test_bad_input_is_a_one_line_error(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "bad.txt").write_bytes(content)
    result = _run("build", str(tmp_path / "bad.txt"), "--dir", str(tmp_path / "out"))
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("kg: error:")]
    assert errors == [f"kg: error: {message}" + errors[0][len(f"kg: error: {message}") :]]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "store").exists()


def test_build_of_a_user_file_with_venue_default(tmp_path: Path) -> None:
    src = tmp_path / "mine.jsonl"
    src.write_text(json.dumps({"title": "A paper", "authors": "Ann Lee, Bo Li"}) + "\n")
    result = _run(
        "build", str(src), "--dir", str(tmp_path / "o"), "--venue", "ICLR 2024", "--year", "2024"
    )
    assert result.exit_code == 0, result.output
    assert "1 papers from 1 records in 1 sources" in result.output
    row = json.loads((tmp_path / "o" / "papers.jsonl").read_text())
    assert (row["venue"], row["year"]) == ("ICLR 2024", 2024)


def test_validate_exits_1_on_violations(tmp_path: Path) -> None:
    src = tmp_path / "odd.jsonl"
    src.write_text(json.dumps({"title": "From the future", "year": 3021}) + "\n")
    assert _run("build", str(src), "--dir", str(tmp_path / "o")).exit_code == 0
    result = _run("validate", "--dir", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "kg: 1 SHACL violations" in result.output
    assert "maxInclusive" in result.output or "MaxInclusive" in result.output


def test_export_networks_from_the_command_line(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "kolter.graphml"
    result = _run(
        "export",
        "coauthors",
        "--dir",
        str(built),
        "--person",
        "Zico Kolter",
        "--hops",
        "2",
        "-o",
        str(target),
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {target} (" in result.output
    import networkx as nx

    assert "https://w3id.org/kg/id/person/j-zico-kolter" in nx.read_graphml(target)
    result = _run(
        "export",
        "neighborhood",
        "reinforcement learning",
        "--dir",
        str(built),
        "--format",
        "json",
        "-o",
        str(tmp_path / "rl.json"),
        "--papers",
    )
    assert result.exit_code == 0, result.output
    missing = _run("export", "coauthors", "--dir", str(built), "--person", "Zico Kolterr")
    assert missing.exit_code == 2
    assert "did you mean: J. Zico Kolter?" in missing.output


def test_saved_queries_from_the_command_line(built: Path) -> None:
    listing = _run("queries").output
    from kg import queries

    for name in queries.registry():
        assert f"\n{name}: " in f"\n{listing}"
    rows = (
        _run("query", "orals", "-p", "venue=ICLR 2020", "--dir", str(built), "--format", "csv")
        .stdout_bytes.decode()
        .splitlines()
    )
    assert rows[0] == "paper,title" and len(rows) == 49
    bad = _run("query", "coauthor", "--dir", str(built))
    assert bad.exit_code == 2 and "unknown saved query 'coauthor'" in bad.output
    mixed = _run("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "-p", "a=b", "--dir", str(built))
    assert mixed.exit_code == 2 and "--param goes with a saved query" in mixed.output
    malformed = _run("query", "prolific", "-p", "limit", "--dir", str(built))
    assert "--param takes KEY=VALUE" in malformed.output


def test_terminal_escapes_in_data_are_shown_not_obeyed(tmp_path: Path) -> None:
    """A title or name with terminal escape sequences cannot drive the user's terminal."""
    src = tmp_path / "evil.jsonl"
    src.write_text(
        json.dumps(
            {
                "title": "Evil \x1b]0;PWNED\x07 title \x1b[31mred",
                "authors": ["A \x1b[2J B"],
                "abstract": "x",
            }
        )
        + "\n"
    )
    out = tmp_path / "out"
    assert _run("build", str(src), "--no-extract", "--dir", str(out)).exit_code == 0
    table = _run("query", "SELECT ?t WHERE { ?p dcterms:title ?t }", "--dir", str(out))
    assert "\x1b" not in table.output and "\x07" not in table.output
    assert "Evil \\x1b]0;PWNED\\x07 title \\x1b[31mred" in table.output
    stats = _run("build", str(src), "--no-extract", "--venue", "V\x1b[2J\nW", "--dir", str(out))
    assert stats.exit_code == 0
    shown = _run("stats", "--dir", str(out)).output
    assert "\x1b" not in shown and "V\\x1b[2J\\nW: 1" in shown
    missing = _run("query", "papers-of", "--param", "person=X \x1b[2J Y", "--dir", str(out))
    assert missing.exit_code != 0 and "\x1b" not in missing.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("papers", "--format", "csv"),
        ("rdf", "--format", "ntriples"),
        ("coauthors", "--format", "graphml"),
    ],
)
def test_an_export_into_a_stream_writes_into_it(
    built: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """`-o /dev/null` or a named pipe is written into; it used to be renamed over (as root,
    `kg export papers -o /dev/null` replaced /dev/null with a regular file)."""
    import os
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    thread, got = drain_fifo(fifo)
    result = _run("export", *args, "--dir", str(built), "-o", str(fifo))
    thread.join(30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert len(got["data"]) > 1000


def test_an_export_through_a_link_keeps_the_link(built: Path, tmp_path: Path) -> None:
    real = tmp_path / "data" / "papers-2026.csv"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    assert (
        _run("export", "papers", "--format", "csv", "--dir", str(built), "-o", str(link)).exit_code
        == 0
    )
    assert link.is_symlink() and real.read_text().startswith("iri,title")


def test_a_two_file_export_into_a_stream_is_refused(built: Path, tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = CliRunner().invoke(
        main, ["export", "coauthors", "--format", "csv", "--dir", str(built), "-o", str(fifo)]
    )
    assert result.exit_code == 1
    assert "the csv export writes two files" in result.stderr


@pytest.mark.parametrize("extra", [(), ("--emit", "nquads", "--shard", "0/1")])
def test_a_bad_base_iri_is_one_error_on_every_build_path(
    tmp_path: Path, extra: tuple[str, ...]
) -> None:
    """The shard path minted IRIs from it first and died with a ValueError traceback."""
    src = tmp_path / "p.jsonl"
    src.write_text(json.dumps({"title": "A paper"}) + "\n")
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(src),
            "--no-extract",
            "--dir",
            str(tmp_path / "out"),
            "--base-iri",
            "http://a b/",
            *extra,
        ],
    )
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)  # no traceback
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("kg: error: --base-iri 'http://a b/' is not a valid IRI")
    )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_shards_read_a_resolution_written_once(tmp_path: Path) -> None:
    """``--emit resolution`` then ``--emit nquads --shard``: the shard reads the clusters
    and is the same bytes as one that resolved everything itself."""
    src = tmp_path / "p.jsonl"
    src.write_text(
        "".join(
            json.dumps({"title": f"Paper number {i}", "authors": ["Ada Byron", f"Bo {i}"]}) + "\n"
            for i in range(6)
        )
    )
    common = ["build", str(src), "--no-extract"]
    saved, alone = tmp_path / "saved", tmp_path / "alone"
    result = CliRunner().invoke(main, [*common, "--emit", "resolution", "--dir", str(saved)])
    assert result.exit_code == 0, result.output
    assert (saved / "resolution.json.gz").is_file()
    for folder in (saved, alone):
        shard = ["--emit", "nquads", "--shard", "1/2", "--dir", str(folder)]
        assert CliRunner().invoke(main, [*common, *shard]).exit_code == 0
    assert (saved / "shard-1-of-2.nq").read_bytes() == (alone / "shard-1-of-2.nq").read_bytes()
    assert (saved / "shard-1-of-2.nq").stat().st_size > 0
    refused = CliRunner().invoke(main, [*common, "--emit", "resolution", "--shard", "0/2"])
    assert refused.exit_code != 0 and "go together" in refused.stderr
