"""Untrusted build directories: crafted journals, links, debris, killed exports.

Every case runs the real `kg` command in a fresh process on a copy of a real build; a
"victim" folder beside the build directory must come out exactly as it went in.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.corpus import generate
from kg.pipeline import OUTPUTS

KG = [sys.executable, "-m", "kg"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}

#: Runs `kg` with os.rename/os.replace trapped: the process SIGKILLs itself just before
#: renaming a file whose name holds $KG_KILL_AT and ends in .tmp (a real kill, at a point
#: chosen by name instead of by timing).
KILLER = """
import os, signal, sys
at = os.environ["KG_KILL_AT"]
def trap(real):
    def rename(src, dst, *args, **kwargs):
        name = os.fspath(src)
        if at in name and name.endswith(".tmp"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, dst, *args, **kwargs)
    return rename
os.rename, os.replace = trap(os.rename), trap(os.replace)
from kg.cli import main
sys.argv = ["kg", *sys.argv[1:]]
main()
"""


def kg(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `kg` command."""
    return subprocess.run(
        [*KG, *args], capture_output=True, text=True, env=ENV, timeout=timeout, check=False
    )


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The `kg: error:` lines of a run, checking there is no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("kg: error:")]


def tree(root: Path) -> dict[str, str]:
    """Every name under ``root`` (links as links) with a digest of what it holds."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                found[rel] = "dir"
            elif path.is_file():
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[rel] = "special"
    return found


def outputs(out: Path) -> dict[str, str]:
    """The build's visible outputs and their digests (the store by its file names)."""
    return {
        k: v for k, v in tree(out).items() if not k.startswith(".") and not k.startswith("store/")
    } | {"store/": ",".join(sorted(p.name for p in (out / "store").iterdir()))}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("src") / "papers.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for obj in generate(60, seed=5):
            handle.write(json.dumps(obj) + "\n")
    return path


@pytest.fixture(scope="module")
def pristine(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real build (no extraction), copied for each test."""
    out = tmp_path_factory.mktemp("pristine") / "out"
    result = kg("build", str(source), "--dir", str(out), "--no-extract")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def site(pristine: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the build in ``tmp_path/out`` and a victim folder ``tmp_path/home``."""
    out = tmp_path / "out"
    shutil.copytree(pristine, out, symlinks=True)
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("PRIVATE KEY\n")
    (home / "notes.txt").write_text("mine\n")
    return out, home


# ------------------------------------------------------------------ crafted journals


def _plant_staging(out: Path, name: str = ".kg-staging-abc123") -> Path:
    stage = out / name
    stage.mkdir()
    return stage


Craft = Callable[[Path, Path], None]


def _journal(data: object) -> Craft:
    def craft(out: Path, home: Path) -> None:
        text = data if isinstance(data, str) else json.dumps(data)
        (out / ".kg-commit.json").write_text(
            text.replace("HOME", str(home)).replace("OUT", str(out))
        )

    return craft


def _staged_link(out: Path, home: Path) -> None:
    stage = _plant_staging(out)
    (stage / "graph.nq").symlink_to(home / "notes.txt")
    (stage / "store").symlink_to(home / ".ssh")
    _journal({"staging": stage.name, "entries": ["graph.nq", "store"], "trash": ".kg-old-abc123"})(
        out, home
    )


def _staging_link(out: Path, home: Path) -> None:
    (out / ".kg-staging-abc123").symlink_to(home)
    (home / "store").mkdir()
    _journal({"staging": ".kg-staging-abc123", "entries": ["store"], "trash": ".kg-old-abc123"})(
        out, home
    )


def _trash_link(out: Path, home: Path) -> None:
    stage = _plant_staging(out)
    (stage / "graph.ttl").write_text("planted\n")
    (out / ".kg-old-abc123").symlink_to(home)
    _journal({"staging": stage.name, "entries": ["graph.ttl"], "trash": ".kg-old-abc123"})(
        out, home
    )


def _journal_link(out: Path, home: Path) -> None:
    (out / ".kg-commit.json").symlink_to(home / "notes.txt")


def _journal_fifo(out: Path, home: Path) -> None:
    os.mkfifo(out / ".kg-commit.json")


def _journal_dir(out: Path, home: Path) -> None:
    (out / ".kg-commit.json").mkdir()


def _lock_link(out: Path, home: Path) -> None:
    (out / ".kg-lock").unlink()
    (out / ".kg-lock").symlink_to(home / "created-through-the-lock")
    _journal({"staging": "x", "entries": [], "trash": "y"})(out, home)


def _debris_links(out: Path, home: Path) -> None:
    (out / ".kg-staging-abc123").symlink_to(home)
    (out / ".kg-old-abc123").symlink_to(home / ".ssh")
    _journal({"staging": "HOME", "entries": ["store"], "trash": "HOME/.ssh"})(out, home)


CRAFTED: dict[str, Craft] = {
    "the issue's traversal": _journal(
        {"staging": "HOME", "entries": ["../home/.ssh"], "trash": "HOME/trash"}
    ),
    "absolute staging and trash": _journal(
        {"staging": "HOME/.ssh", "entries": ["id_ed25519"], "trash": "HOME"}
    ),
    "absolute entry": _journal(
        {"staging": ".kg-staging-abc123", "entries": ["HOME/notes.txt"], "trash": ".kg-old-abc123"}
    ),
    "traversal in a kg-like staging name": _journal(
        {"staging": ".kg-staging-abc/../../home", "entries": [".ssh"], "trash": ".kg-old-abc123"}
    ),
    "traversal in the trash name": _journal(
        {"staging": ".kg-staging-abc123", "entries": ["store"], "trash": "../home"}
    ),
    "staged entries are links out": _staged_link,
    "staging is a link out": _staging_link,
    "trash is a link out": _trash_link,
    "debris names are links out": _debris_links,
    "journal is a link out": _journal_link,
    "journal is a fifo": _journal_fifo,
    "journal is a directory": _journal_dir,
    "lock is a dangling link out": _lock_link,
    "a list": _journal([1, 2, 3]),
    "a string": _journal('"staging"'),
    "null": _journal("null"),
    "missing keys": _journal({"staging": ".kg-staging-abc123"}),
    "entries not a list": _journal(
        {"staging": ".kg-staging-abc123", "entries": "store", "trash": ".kg-old-abc123"}
    ),
    "entries of numbers": _journal(
        {"staging": ".kg-staging-abc123", "entries": [1, None], "trash": ".kg-old-abc123"}
    ),
    "staging a number": _journal({"staging": 7, "entries": ["store"], "trash": "x"}),
    "not JSON": _journal('{"staging": '),
    "not UTF-8": _journal("\udcff"),
    "two megabytes": _journal(
        json.dumps(
            {
                "staging": ".kg-staging-abc123",
                "entries": ["store"] * 100_000,
                "trash": ".kg-old-abc123",
            }
        )
    ),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
@pytest.mark.parametrize("command", ["stats", "build", "export"])
def test_a_crafted_directory_touches_nothing_outside(
    case: str, command: str, site: tuple[Path, Path], source: Path
) -> None:
    out, home = site
    try:
        CRAFTED[case](out, home)
    except UnicodeEncodeError:
        (out / ".kg-commit.json").write_bytes(b"\xff\xfe{")
    before = tree(home)
    args = {
        "stats": ["stats", "--dir", str(out)],
        "build": ["build", str(source), "--dir", str(out), "--no-extract"],
        "export": ["export", "coauthors", "--dir", str(out), "--format", "csv"],
    }[command]
    result = kg(*args, timeout=60)
    assert tree(home) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["home", "out"]
    lines = errors(result)
    assert len(lines) <= 1, result.stderr
    if result.returncode:
        assert len(lines) == 1, result.stderr
    else:  # a build replaces the planted journal; a reader never takes it as kg's
        assert command == "build", result.stderr
    if command == "stats" and ".kg-commit.json" in os.listdir(out):
        assert result.returncode == 1 and str(out) in lines[0]


def test_the_issue_reproduction_leaves_the_private_key(site: tuple[Path, Path]) -> None:
    out, home = site
    trash = home.parent / "t"
    (out / ".kg-commit.json").write_text(
        json.dumps(
            {"staging": str(home.parent / "s"), "entries": ["../home/.ssh"], "trash": str(trash)}
        )
    )
    (home.parent / "s" / "..").mkdir(parents=True, exist_ok=True)
    result = kg("stats", "--dir", str(out))
    assert (home / ".ssh" / "id_ed25519").read_text() == "PRIVATE KEY\n"
    assert not trash.exists()
    assert errors(result) == [
        f"kg: error: {out}/.kg-commit.json: not a commit journal kg wrote (staging is not a "
        f"name of kg's pattern); the directory may not hold a kg build: rebuild it with "
        f"`kg build --dir {out}`, or remove the file if you trust the rest"
    ]


def test_a_real_interrupted_commit_is_still_finished_by_a_reader(
    site: tuple[Path, Path], source: Path
) -> None:
    """The journal check keeps what kg writes: a commit killed half-way rolls forward."""
    out, _ = site
    before = outputs(out)
    stage = out / ".kg-staging-k1ll3d"
    shutil.copytree(out, stage, symlinks=True, ignore=shutil.ignore_patterns(".kg-*"))
    (stage / "graph.ttl").write_text("# the new build\n")
    os.replace(stage / "build-report.json", out / "build-report.json")  # moved before the kill
    (out / ".kg-commit.json").write_text(
        json.dumps(
            {"staging": str(stage), "entries": sorted(os.listdir(stage)), "trash": ".kg-old-k1ll3d"}
        )
    )
    result = kg("stats", "--dir", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "graph.ttl").read_text() == "# the new build\n"
    assert outputs(out).keys() == before.keys()
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".kg-lock"]


# ------------------------------------------------------------------ links


def test_a_linked_store_is_refused_before_anything_changes(
    site: tuple[Path, Path], source: Path
) -> None:
    """The store moved to a bigger disk and linked back: a rebuild refuses at once."""
    out, home = site
    bigger = home / "bigger-disk"
    bigger.mkdir()
    shutil.move(out / "store", bigger / "store")
    (out / "store").symlink_to(bigger / "store")
    before, behind = outputs(out), tree(home)
    small = home.parent / "other.jsonl"
    small.write_text(json.dumps({"title": "Another build", "authors": ["Ann Lee"]}) + "\n")
    result = kg("build", str(small), "--dir", str(out), "--no-extract")
    assert result.returncode == 1
    assert errors(result) == [
        f"kg: error: {out}/store: a symbolic link; a build replaces its outputs as a whole "
        f"and does not write through links. To keep the build on another disk, build there "
        f"(--dir on that disk) and link the whole directory instead"
    ]
    assert outputs(out) == before
    assert tree(home) == behind
    assert kg("stats", "--dir", str(out)).returncode == 0  # reading through it still works
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".kg-lock"]


def test_a_planted_lock_link_is_never_followed(site: tuple[Path, Path], source: Path) -> None:
    out, home = site
    (out / ".kg-lock").unlink()
    (out / ".kg-lock").symlink_to(home / "made-by-kg")
    result = kg("build", str(source), "--dir", str(out), "--no-extract")
    assert errors(result) == [
        f"kg: error: {out}/.kg-lock: a symbolic link, not kg's lock "
        f"file; kg does not follow it (remove it)"
    ]
    assert not (home / "made-by-kg").exists()


def test_a_linked_output_file_is_refused_and_its_target_kept(
    site: tuple[Path, Path], source: Path
) -> None:
    out, home = site
    (out / "graph.nq").unlink()
    (out / "graph.nq").symlink_to(home / "notes.txt")
    result = kg("build", str(source), "--dir", str(out), "--no-extract")
    assert result.returncode == 1 and len(errors(result)) == 1
    assert (home / "notes.txt").read_text() == "mine\n"
    assert os.readlink(out / "graph.nq") == str(home / "notes.txt")


# ------------------------------------------------------------------ debris


def test_a_killed_build_leaves_no_debris_after_the_next_reader(
    tmp_path: Path, pristine: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(pristine, out, symlinks=True)
    big = tmp_path / "big.jsonl"
    with big.open("w", encoding="utf-8") as handle:
        for obj in generate(3000, seed=9):
            handle.write(json.dumps(obj) + "\n")
    before = outputs(out)
    process = subprocess.Popen(
        [*KG, "build", str(big), "--dir", str(out), "--no-extract"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV,
    )
    deadline = time.monotonic() + 60
    # kill it once its staging directory holds a store being loaded
    while not list(out.glob(".kg-staging-*/store/*")) and time.monotonic() < deadline:
        assert process.poll() is None, "the build ended before it could be killed"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    assert list(out.glob(".kg-staging-*")), "the kill left no debris to clean"
    result = kg("stats", "--dir", str(out))
    assert result.returncode == 0, result.stderr
    assert outputs(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".kg-lock"]


def test_debris_is_left_while_a_build_holds_the_lock(tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    (out / ".kg-staging-running").mkdir(parents=True)
    with open(out / ".kg-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kg("stats", "--dir", str(out))
        assert (out / ".kg-staging-running").is_dir()
    kg("stats", "--dir", str(out))
    assert not (out / ".kg-staging-running").exists()


def test_a_reader_waits_for_a_commit_under_way(site: tuple[Path, Path], tmp_path: Path) -> None:
    """Mid-commit the store is between its old and new version: a reader waits it out."""
    import fcntl

    out, _ = site
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps({"title": "The new build", "authors": ["Ann Lee"]}) + "\n")
    assert kg("build", str(small), "--dir", str(tmp_path / "new"), "--no-extract").returncode == 0
    stage = out / ".kg-staging-live"
    stage.mkdir()
    shutil.copytree(tmp_path / "new" / "store", stage / "store")
    (out / ".kg-commit.json").write_text(
        json.dumps({"staging": stage.name, "entries": ["store"], "trash": ".kg-old-live"})
    )
    with open(out / ".kg-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the build committing
        (out / ".kg-old-live").mkdir()
        os.rename(out / "store", out / ".kg-old-live" / "store")
        reader = subprocess.Popen(
            [*KG, "stats", "--json", "--dir", str(out)],
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)
        os.rename(stage / "store", out / "store")
        (out / ".kg-commit.json").unlink()
    report, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert json.loads(report)["papers"] == 1


# ------------------------------------------------------------------ killed exports


def _killed(at: str, *args: str) -> int:
    process = subprocess.run(
        [sys.executable, "-c", KILLER, *args],
        env={**ENV, "KG_KILL_AT": at},
        capture_output=True,
        timeout=120,
        check=False,
    )
    return process.returncode


def test_a_killed_export_leaves_no_temporary_file_behind(site: tuple[Path, Path]) -> None:
    out, _ = site
    target = out.parent / "exports" / "people.graphml"
    assert (
        _killed("people.graphml", "export", "coauthors", "--dir", str(out), "-o", str(target))
        == -signal.SIGKILL
    )
    assert [p.name for p in target.parent.iterdir()], "the kill left nothing to clean"
    result = kg("export", "papers", "--dir", str(out), "-o", str(target.parent / "p.jsonl"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in target.parent.iterdir()) == ["p.jsonl"]


def _pair(folder: Path) -> tuple[set[str], set[tuple[str, str]]]:
    nodes = (folder / "net.nodes.csv").read_text().splitlines()[1:]
    edges = (folder / "net.edges.csv").read_text().splitlines()[1:]
    return ({n.split(",")[0] for n in nodes}, {(e.split(",")[0], e.split(",")[1]) for e in edges})


def test_a_killed_csv_export_never_leaves_a_mixed_pair(site: tuple[Path, Path]) -> None:
    out, _ = site
    folder = out.parent / "nets"
    args = [
        "export",
        "coauthors",
        "--dir",
        str(out),
        "--format",
        "csv",
        "-o",
        str(folder / "net.csv"),
    ]
    assert kg(*args).returncode == 0
    old = _pair(folder)
    assert kg(*args, "--min-papers", "2", "-o", str(out.parent / "new.csv")).returncode == 0
    new = (
        {n.split(",")[0] for n in (out.parent / "new.nodes.csv").read_text().splitlines()[1:]},
        None,
    )
    assert new[0] != old[0]
    # killed just before the edges file is renamed into place, after the nodes file
    assert _killed("net.edges.csv", *args, "--min-papers", "2") == -signal.SIGKILL
    # the next write into the folder finishes the pair
    assert (
        kg("export", "coauthors", "--dir", str(out), "-o", str(folder / "other.graphml")).returncode
        == 0
    )
    nodes, edges = _pair(folder)
    assert nodes == new[0]
    assert all(a in nodes and b in nodes for a, b in edges)
    assert sorted(p.name for p in folder.iterdir()) == [
        "net.edges.csv",
        "net.nodes.csv",
        "other.graphml",
    ]


def test_outputs_named_like_the_build(pristine: Path) -> None:
    from kg.extract.cache import FILE
    from kg.outdir import ENTRIES
    from kg.store import STORE_DIR

    assert {*OUTPUTS, STORE_DIR, FILE} == ENTRIES


GROUP_JOURNALS = {
    "traversal": [["../home/.ssh", "../home/x.nodes.csv", ".x.kg-00000000.old"]],
    "absolute": [["/etc/passwd", "x.nodes.csv", ".x.nodes.csv.kg-00000000.old"]],
    "a build entry": [[".graph.nq.kg-00000000.tmp", "graph.nq", ".graph.nq.kg-00000001.old"]],
    "NUL": [
        [
            ".x.nodes.csv\u0000.kg-00000000.tmp",
            "x.nodes.csv\u0000",
            ".x.nodes.csv\u0000.kg-00000001.old",
        ]
    ],
    "a link": [[".x.nodes.csv.kg-00000000.tmp", "x.nodes.csv", ".x.nodes.csv.kg-00000001.old"]],
    "not a list": {"a": 1},
}


@pytest.mark.parametrize("case", sorted(GROUP_JOURNALS))
def test_a_crafted_export_journal_is_left_alone(case: str, site: tuple[Path, Path]) -> None:
    out, home = site
    folder = out.parent / "nets"
    folder.mkdir()
    (folder / ".kg-files-0123abcd.json").write_text(json.dumps({"files": GROUP_JOURNALS[case]}))
    (folder / ".x.nodes.csv.kg-00000000.tmp").symlink_to(home / "notes.txt")
    (folder / ".graph.nq.kg-00000000.tmp").write_text("planted")
    before, beside = tree(home), tree(folder)
    result = kg(
        "export", "coauthors", "--dir", str(out), "--format", "csv", "-o", str(folder / "net.csv")
    )
    assert result.returncode == 0 and not errors(result)
    assert tree(home) == before
    assert {k: v for k, v in tree(folder).items() if k.startswith(".")} == beside
