"""Redo ``docs/screenshots/editor.png``: the query editor with the example query's answer.

From the repository's root, over a build (default ``exports``, what ``kg build`` writes)::

    python -m tests.web.screenshot_editor [DIR]

It serves DIR as ``kg serve`` does, on a free port of 127.0.0.1, opens
``/query?query=<the home page's example>&run=1`` in headless Chromium and saves the page.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots" / "editor.png"


def main(argv: list[str]) -> int:
    """Serve the build, take the screenshot, say where it went."""
    from kg.server import serve
    from kg.web.editor import EXAMPLE
    from tests.export.chromium import Chromium, find_chromium

    build = Path(argv[0]) if argv else ROOT / "exports"
    server = serve(build, port=0).start()
    try:
        site = server.url.rsplit("/sparql", 1)[0]
        binary = find_chromium()
        if binary is None:
            raise SystemExit("chromium is not installed: apt-get install -y chromium")
        browser = Chromium(binary, size=(1280, 1000), loopback=True)
        try:
            browser.open(
                f"{site}/query?{urlencode({'query': EXAMPLE, 'run': '1'})}",
                "window.kgEditor !== undefined && document.querySelector('#kg-results')",
            )
            browser.pump(0.5)
            browser.evaluate("document.activeElement && document.activeElement.blur(); 1")
            OUT.parent.mkdir(parents=True, exist_ok=True)
            browser.screenshot(OUT)
        finally:
            browser.close()
    finally:
        server.close()
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
