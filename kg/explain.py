"""Why a build made the people of one name what they are (``kg explain person NAME``).

Reads the build report (``build-report.json``) a build wrote: for every name that had to
be weighed, its people with their papers and each decision, joined or kept apart, with the
model's probability and the evidence in words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.errors import UsageError
from kg.resolve.names import parse

REPORT = "build-report.json"


def _report(out: str | Path) -> dict[str, Any]:
    path = Path(out) / REPORT
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no build report; run `kg build --dir {out}` first") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read the build report ({exc})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: not a kg build report")
    return data


_CACHE: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}


def cached_report(out: str | Path) -> dict[str, Any]:
    """The build report of ``out``, read again only when the file changed (a server
    answering many pages reads it once per build)."""
    path = Path(out) / REPORT
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        return _report(out)  # the clear error
    found = _CACHE.get(path)
    if found is None or found[0] != stamp:
        found = (stamp, _report(out))
        _CACHE[path] = found
    return found[1]


def _same_name(a: str, b: str) -> bool:
    return parse(a).key == parse(b).key


def person(out: str | Path, name: str, report: dict[str, Any] | None = None) -> list[str]:
    """Lines telling who the people named ``name`` are, and why they were joined or split
    (``report``: the build report of ``out``, if it was read already)."""
    if not parse(name).surname:
        raise UsageError(f"{name!r} is not a person's name")
    report = _report(out) if report is None else report
    entries = [e for e in report.get("people_decisions") or [] if _same_name(e["name"], name)]
    if not entries:
        merged = [
            m
            for m in report.get("people_merged") or []
            if any(_same_name(n, name) for n in m.get("names", []))
        ]
        if merged:
            m = merged[0]
            return [
                f"{name}: one person, {m['person']}, written "
                + ", ".join(repr(n) for n in m["names"]),
                f"  joined by: {', '.join(m.get('evidence') or ['the same name'])}",
            ]
        return [
            f"{name}: nothing to explain: no two slots of this name needed weighing "
            "(it is one person in this build, or not in it at all)"
        ]
    lines: list[str] = []
    for entry in entries:
        people = entry["people"]
        lines.append(
            f"{entry['name']}: {len(people)} "
            f"{'person' if len(people) == 1 else 'people'} in this build"
        )
        owner = {}
        for p in people:
            lines.append(
                f"  {p['person']} ({p['label']}): {len(p['papers'])} "
                f"paper{'s' if len(p['papers']) != 1 else ''}"
            )
            for paper in p["papers"]:
                owner[paper["slot"]] = p["person"]
                lines.append(f"    {paper['slot']}  {paper['title'] or '(untitled)'}")
        lines.append("  decisions, in the order they were made:")
        for d in entry["decisions"]:
            sides = [sorted({owner.get(s, s) for s in d[k]}) for k in ("a", "b")]
            what = "joined" if d["joined"] else "kept apart"
            p = d.get("probability")
            odds = "" if p is None else f" (p = {p:.2f}, a join needs {d.get('needs'):.2f})"
            lines.append(
                f"    {what}: {len(d['a'])} slot(s) of {', '.join(sides[0])} and "
                f"{len(d['b'])} of {', '.join(sides[1])}{odds}"
            )
            lines.append(f"      {'; '.join(d['reasons'])}")
    return lines
