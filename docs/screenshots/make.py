"""Render the bundled corpus's co-author network to ``coauthors.png`` with headless Chromium.

Usage: ``python docs/screenshots/make.py [BUILD_DIR]`` (builds the bundled corpus into a
temporary directory when no build is given). Needs Debian's ``chromium``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kg.export.html import to_html
from kg.export.networks import coauthor_graph
from kg.store import Store

HERE = Path(__file__).resolve().parent


def screenshot(page: Path, png: Path, size: tuple[int, int] = (1600, 1000)) -> None:
    """Save a PNG of ``page`` as headless Chromium draws it (offline, throwaway profile)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [shutil.which("chromium") or "chromium", "--headless", "--no-sandbox",
             "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--hide-scrollbars", "--proxy-server=127.0.0.1:9",
             f"--user-data-dir={profile}",
             f"--window-size={size[0]},{size[1]}", "--virtual-time-budget=15000",
             f"--screenshot={png}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(argv[0]) if argv else Path(tmp) / "build"
        if not argv:
            from kg.pipeline import build as run_build

            run_build(out=build)
        graph = coauthor_graph(Store.open(build))
        page = Path(tmp) / "coauthors.html"
        page.write_bytes(to_html(graph, "Co-authors in the bundled ICLR corpus"))
        screenshot(page, HERE / "coauthors.png")
    print(f"{HERE / 'coauthors.png'}: {graph.number_of_nodes()} people")


if __name__ == "__main__":
    main(sys.argv[1:])
