"""The list of sources a build was made from (``sources.json``), for incremental builds.

``kg build --add FILE`` and ``--remove FILE`` start from this list, so the result is the
same as a full build of the new list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.builds import BuildOptions
from kg.errors import UsageError
from kg.outdir import atomic_write_bytes
from kg.sources import SourceSpec

FILE = "sources.json"


def write(stage: Path, specs: Sequence[SourceSpec], options: BuildOptions) -> None:
    """Record ``specs`` (with absolute paths) and the build ``options`` the output depends
    on (base IRI, extraction, model, encoding) in ``stage/sources.json``."""
    entries = [
        {"path": str(s.path.resolve()), "format": s.format, "venue": s.venue, "year": s.year}
        for s in specs
    ]
    data = {"sources": entries, "options": options.recorded()}
    atomic_write_bytes(
        stage / FILE, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"
    )


def options(out: Path) -> BuildOptions | None:
    """The options the build in ``out`` was made with (``None`` if unknown)."""
    try:
        data = json.loads((out / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = data.get("options") if isinstance(data, dict) else None
    return BuildOptions.from_recorded(found) if isinstance(found, dict) else None


def read(out: Path) -> list[SourceSpec]:
    """The sources of the build in ``out``; a clear error if there is none."""
    path = out / FILE
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        return [
            SourceSpec(
                Path(e["path"]), str(e.get("format") or "auto"), e.get("venue"), e.get("year")
            )
            for e in data["sources"]
        ]
    except FileNotFoundError:
        raise UsageError(
            f"{out}: no earlier build to change here (no {FILE}); run "
            f"`kg build --dir {out} SOURCES...` first"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"{path}: unreadable list of sources ({exc}); rebuild with "
            f"`kg build --dir {out} SOURCES...`"
        ) from None


def _same(spec: SourceSpec, given: Path) -> bool:
    return spec.path.resolve() == given.resolve() or (
        len(given.parts) == 1 and spec.path.name == given.name
    )


def changed(
    previous: list[SourceSpec], add: Sequence[SourceSpec], remove: Sequence[str | Path], out: Path
) -> list[SourceSpec]:
    """``previous`` without the sources ``remove`` names (path or file name), plus ``add``.

    Removing comes first, so ``--remove F --add F`` moves ``F`` to the end of the list (every
    build re-reads all its sources, so a changed file needs neither).
    """
    specs = list(previous)
    for item in remove:
        given = Path(item)
        hits = [s for s in specs if _same(s, given)]
        if not hits:
            names = ", ".join(s.path.name for s in specs) or "none"
            raise UsageError(f"{item}: not a source of the build in {out} (its sources: {names})")
        if len(hits) > 1:
            raise UsageError(
                f"{item}: names {len(hits)} sources of the build in {out}; give its full path"
            )
        specs.remove(hits[0])
    for spec in add:
        if any(s.path.resolve() == spec.path.resolve() for s in specs):
            raise UsageError(
                f"{spec.path}: already a source of the build in {out} (each "
                f"build re-reads all its sources, so the next one reads its "
                f"changes)"
            )
        specs.append(spec)
    if not specs:
        raise UsageError(f"removing {', '.join(map(str, remove))} leaves no source in {out}")
    return specs
