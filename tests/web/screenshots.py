"""Redo the screenshots of the pages in docs/screenshots (headless Chromium).

    python -m tests.web.screenshots            # builds the bundled corpus into a temp dir
    python -m tests.web.screenshots --dir exports   # or serves an existing build of it

The institution page comes from a build of the affiliations sample the tests use
(``tests/conftest.py``), since the bundled ICLR listings name no institutions.

Each page is opened with ``kg serve``'s own server, given a moment for its embedded
network to draw, and captured at 1280x900 with ``Page.captureScreenshot``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from kg.web.editor import EXAMPLE
from tests.export.chromium import Chromium, find_chromium

ROOT = Path(__file__).resolve().parents[2]
SHOTS = {
    "paper.png": "/paper/V1ZHVxJ6dSS",
    "person.png": "/person/priya-l-donti",
    "concept.png": "/concept/graph-convolutional-network",
    "venue.png": "/venue/iclr-2020",
    "search.png": "/search?" + urlencode({"q": "graph neural"}),
    "home.png": "/",
    "editor.png": "/query?" + urlencode({"query": EXAMPLE, "run": "1"}),
}
#: Pages of the affiliations sample's build: its biggest institution.
AFFILIATION_SHOTS = {"institution.png": "/organization/ror-00b30xv10"}


def capture(out: Path, folder: Path, shots: dict[str, str] = SHOTS) -> list[Path]:
    """Serve the build in ``out`` and write one PNG per page of ``shots`` into ``folder``."""
    from kg.server import serve

    binary = find_chromium()
    if binary is None:
        raise SystemExit("chromium is not installed: apt-get install -y chromium")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    server = serve(out, workers=2, log=None).start()
    browser = Chromium(binary, loopback=True)
    try:
        base = server.url.removesuffix("/sparql")
        for name, path in shots.items():
            browser.open(base + path)
            browser.pump(1.5)  # the network views draw after load
            browser.screenshot(folder / name)
            written.append(folder / name)
    finally:
        browser.close()
        server.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="a build of the bundled corpus to serve")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if args.dir is not None:
        paths = capture(args.dir, args.out)
    else:
        from kg.builds import BuildOptions
        from kg.pipeline import build

        with tempfile.TemporaryDirectory(prefix="kg-shots-") as tmp:
            print("building the bundled corpus ...", file=sys.stderr, flush=True)
            build(out=Path(tmp), options=BuildOptions(workers=2))
            paths = capture(Path(tmp), args.out)
    from kg.builds import BuildOptions
    from kg.pipeline import build
    from tests.conftest import affiliation_sources

    with tempfile.TemporaryDirectory(prefix="kg-shots-") as tmp:
        build(affiliation_sources(), out=Path(tmp), options=BuildOptions(extract=False))
        paths += capture(Path(tmp), args.out, AFFILIATION_SHOTS)
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
