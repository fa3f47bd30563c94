"""The built wheel: it holds every file of the package, building it prints no warnings, and
`kg` installed from it (not from this source tree) builds, validates, queries and extracts.

The wheel is built from a copy of the project's files (so a stale ``build/`` folder here
cannot fill in a file the configuration forgets), installed with ``pip --target`` and run by
a Python started with ``-S`` from outside the repository: its path holds the installed
wheel and the dependencies, but not this tree and not the editable install's finder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# besides the top-level files, what the wheel is built from
BUILT_FROM = ("kg", "ontology")
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.tmp", "build", "*.egg-info")
# files a build or an extraction would silently do without: named so a failure says which
MUST_HOLD = (
    "kg/py.typed",
    "kg/ontology/kg.ttl",
    "kg/ontology/shapes.ttl",
    "kg/data/iclr/manifest.json",
    "kg/queries/coauthors.rq",
    "kg/web/static/vendor/yasgui/yasqe.min.js",
    "kg/web/static/vendor/yasgui/LICENSE",
    "kg/web/static/editor.js",
    "kg/web/templates/editor/home.html",
    "kg/resolve/data/names.tsv",
    "kg/resolve/data/homonyms.json",
    "kg/extract/data/methods.txt",
    "kg/extract/data/df.tsv",
    "kg/extract/data/roles.json",
    "kg/extract/data/keywords.json",
    "kg/extract/data/spans/meta.json",
    "kg/extract/data/spans/config.cfg",
    "kg/extract/data/spans/spancat/model",
    "kg/extract/data/spans/tok2vec/model",
    "kg/extract/data/spans/vocab/strings.json",
)


@dataclass(frozen=True)
class Installed:
    src: Path  # the copy of the project the wheel is built from
    wheel: Path
    site: Path
    build_log: str
    work: Path  # a folder outside the repository, the commands' working directory


def _pip(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"pip {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The project's wheel, built from a clean copy of its files and installed alone."""
    base = tmp_path_factory.mktemp("packaging")
    src = base / "src"
    src.mkdir()
    for entry in ROOT.iterdir():
        if entry.is_file():
            shutil.copy2(entry, src / entry.name)
    for name in BUILT_FROM:  # kg/ontology stays a link to ../ontology, as in the repository
        shutil.copytree(ROOT / name, src / name, symlinks=True, ignore=JUNK)
    done = _pip("wheel", "--no-deps", "-w", str(base / "dist"), str(src), cwd=base)
    (wheel,) = (base / "dist").glob("kg-*.whl")
    _pip(
        "install", "--no-deps", "--no-compile", "--target", str(base / "site"), str(wheel), cwd=base
    )
    work = base / "work"
    work.mkdir()
    return Installed(src, wheel, base / "site", done.stdout + done.stderr, work)


def _python(
    inst: Installed, *args: str, path: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -S ARGS`` in a folder outside the repository, with ``path`` (default:
    the installed wheel) first on the module path, then the dependencies; no .pth file is
    read, so the editable install of a source tree is not importable."""
    paths = [
        str(path or inst.site),
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}
    done = subprocess.run(
        [sys.executable, "-S", *args],
        cwd=inst.work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"python {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _kg(inst: Installed, *args: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    return _python(inst, "-m", "kg", *args, path=path)


def _package_files(folder: Path) -> set[str]:
    """Every file under ``folder`` (links followed), as paths relative to its parent."""
    found = set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if not name.endswith((".pyc", ".tmp")):
                found.add(Path(root, name).relative_to(folder.parent).as_posix())
    return found


def test_building_the_wheel_prints_no_warnings(installed: Installed) -> None:
    # setuptools' warnings are classes (SetuptoolsDeprecationWarning, BuildBackendWarning...)
    warned = [line for line in installed.build_log.splitlines() if "Warning" in line]
    assert not warned, "\n".join(warned)


def test_an_editable_install_prints_no_warnings(installed: Installed, tmp_path: Path) -> None:
    """What `make install` runs (`pip install -e '.[test]'`), into an empty environment."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = _pip(
        "--python",
        str(python),
        "install",
        "--no-deps",
        "-e",
        f"{installed.src}[test]",
        cwd=installed.src,
    )  # from the project's folder, as make does
    log = done.stdout + done.stderr
    assert not [line for line in log.splitlines() if "Warning" in line], log
    probe = "import kg, importlib.resources as r; print(r.files('kg') / 'ontology' / 'kg.ttl')"
    where = subprocess.run(
        [str(python), "-I", "-c", probe],
        cwd=installed.work,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert where == str(installed.src / "kg" / "ontology" / "kg.ttl")


def test_the_wheel_holds_every_file_of_the_package(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        held = {n for n in wheel.namelist() if not n.split("/")[0].endswith(".dist-info")}
        assert [f for f in MUST_HOLD if f not in held] == []
        source = _package_files(ROOT / "kg")
        assert sorted(source - held) == [], "files of kg/ missing from the wheel"
        assert sorted(held - source) == [], "files in the wheel that kg/ does not have"
        for name in ("kg.ttl", "shapes.ttl"):  # the files, not the link
            assert wheel.read(f"kg/ontology/{name}") == (ROOT / "ontology" / name).read_bytes()


def test_kg_builds_validates_and_queries_from_the_installed_wheel(installed: Installed) -> None:
    found = _python(installed, "-c", "import kg; print(kg.__file__)").stdout.strip()
    assert found == str(installed.site / "kg" / "__init__.py")
    out = installed.work / "out"
    done = _kg(installed, "build", "--dir", str(out), "--no-extract")
    # the bundled corpus: the manifest and its five listings are in the wheel
    assert re.search(r"\b[1-9]\d+ papers from \d+ records in 5 sources", done.stderr), done.stderr
    assert "conforms" in _kg(installed, "validate", "--dir", str(out)).stderr  # the ontology
    rows = _kg(
        installed, "query", "prolific", "--param", "limit=3", "--dir", str(out), "--format", "json"
    ).stdout  # a saved query's .rq file
    assert len(json.loads(rows)["results"]["bindings"]) == 3


def test_the_installed_span_model_loads_and_extracts_as_this_tree_does(
    installed: Installed,
) -> None:
    # without its span model extraction quietly runs on rules and the trained pipeline only,
    # so check that the installed one is found and loaded
    probe = "import kg.extract.spans as s; print(s.path() if s.model() else 'no span model')"
    spans = installed.site / "kg" / "extract" / "data" / "spans"
    assert _python(installed, "-c", probe).stdout.strip() == str(spans)
    # lexicons, word statistics, weights and the span model: the same extractions
    texts = str(ROOT / "tests" / "data" / "eval" / "texts_dev.jsonl")
    args = ("extract", texts, "--workers", "1", "--quiet")
    assert _kg(installed, *args).stdout == _kg(installed, *args, path=ROOT).stdout
