"""Build ``kg/resolve/data/names.tsv``: how many different names share a given name or a surname.

How common a name is decides how much evidence two slots of it need before they are one
person (a "Yang Liu" is a dozen people at any large venue, an "Abhinav Gupta" two, a
"Masao Utiyama" one).  The counts come from the author lists of public Paper Copilot paper
lists (``papercopilot/paperlists``, a git repository: names only, no identifiers and no
abstract text), counted over *distinct* full names, so that a prolific author does not make
a name look common:

* ``g\\tNAME\\tN``: distinct full names whose first written-out given name is NAME;
* ``s\\tNAME\\tN``: distinct full names with surname NAME;
* ``total\\t\\tN``: distinct full names in all.

Names met only once are left out (a reader treats a missing name as count 1).

    python -m training.names /work/.mirror/papercopilot+paperlists/repo
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections import Counter
from pathlib import Path

from kg.resolve.personnames import parse

TARGET = Path(__file__).resolve().parent.parent / "kg" / "resolve" / "data" / "names.tsv"


def author_lists(repo: Path) -> list[str]:
    """Every ``author`` field of every JSON list committed at HEAD of the git ``repo``."""
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    out = []
    for path in sorted(p for p in listing if p.endswith(".json")):
        shown = subprocess.run(
            ["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True, check=False
        )
        if shown.returncode != 0:  # a large file the snapshot does not hold
            continue
        try:
            papers = json.loads(shown.stdout)
        except ValueError:
            continue
        for paper in papers if isinstance(papers, list) else []:
            if isinstance(paper, dict) and isinstance(paper.get("author"), str):
                out.append(paper["author"])
    return out


def count(author_fields: list[str]) -> tuple[Counter[str], Counter[str], int]:
    """Distinct full names per first given name and per surname, and all distinct names."""
    keys = set()
    for field in author_fields:
        for written in field.split(";"):
            name = parse(written.strip())
            if name.words and name.surname and written.strip().lower() != "anonymous":
                keys.add((name.words[0], name.surname, name.key))
    given = Counter(g for g, _, _ in keys)
    surnames = Counter(s for _, s, _ in keys)
    return given, surnames, len(keys)


def write(given: Counter[str], surnames: Counter[str], total: int, target: Path = TARGET) -> None:
    """Write the table (sorted, names met once left out) through a temporary file."""
    lines = [f"total\t\t{total}"]
    lines += [f"g\t{k}\t{n}" for k, n in sorted(given.items()) if n > 1]
    lines += [f"s\t{k}\t{n}" for k, n in sorted(surnames.items()) if n > 1]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, help="a clone of papercopilot/paperlists")
    args = parser.parse_args()
    fields = author_lists(args.repo)
    given, surnames, total = count(fields)
    write(given, surnames, total)
    print(
        f"{len(fields)} author lists, {total} distinct names, {len(given)} given names, "
        f"{len(surnames)} surnames -> {TARGET}"
    )


if __name__ == "__main__":
    main()
