"""Render the bundled corpus's networks with headless Chromium: ``coauthors.png`` (the whole
co-author network) and ``neighborhood.png`` (the concepts around "graph neural networks",
as ``kg export neighborhood "graph neural networks" --format html`` draws them).

Usage: ``python docs/screenshots/make.py [BUILD_DIR]`` (builds the bundled corpus into a
temporary directory when no build is given). Needs Debian's ``chromium``. Prints the nodes
and links of each page, with the noise left in and out for the neighbourhood.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kg.export.html import to_html
from kg.export.networks import coauthor_graph, neighborhood
from kg.store import Store

HERE = Path(__file__).resolve().parent
TERM = "graph neural networks"


def screenshot(page: Path, png: Path, size: tuple[int, int] = (1600, 1000)) -> None:
    """Save a PNG of ``page`` as headless Chromium draws it (offline, throwaway profile)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                shutil.which("chromium") or "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--proxy-server=127.0.0.1:9",
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                "--virtual-time-budget=15000",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(argv[0]) if argv else Path(tmp) / "build"
        if not argv:
            from kg.pipeline import build as run_build

            run_build(out=build)
        store = Store.open(build)
        pages = {
            "coauthors": (coauthor_graph(store), "Co-authors in the bundled ICLR corpus"),
            "neighborhood": (neighborhood(store, TERM), f"Around {TERM}"),
        }
        for name, (graph, title) in pages.items():
            page = Path(tmp) / f"{name}.html"
            page.write_bytes(to_html(graph, title))
            screenshot(page, HERE / f"{name}.png")
            print(
                f"{HERE / (name + '.png')}: {graph.number_of_nodes()} nodes, "
                f"{graph.number_of_edges()} links"
            )
        noisy = neighborhood(store, TERM, include_noise=True)
        print(
            f"  with --include-noise: {noisy.number_of_nodes()} nodes, "
            f"{noisy.number_of_edges()} links"
        )
        strong = neighborhood(store, TERM, min_weight=2)
        print(
            f"  with --min-weight 2: {strong.number_of_nodes()} nodes, "
            f"{strong.number_of_edges()} links"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
