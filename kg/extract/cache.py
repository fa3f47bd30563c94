"""Extractions of earlier builds, reused when a build sees the same text again.

An extraction depends on its title and abstract, on the pipeline and rules, and on the
corpus acronyms it looked up (an undefined "QA" is typed by what other papers define it
as).  Each entry records those lookups, and is reused only while the corpus still maps
every looked-up acronym the same way: adding a source re-extracts only new texts and the
few whose acronyms changed meaning.  The file is JSON lines, so a damaged cache is skipped
line by line, never trusted blindly, and never executes anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kg.extract.model import VERSION, Extraction, Mention

#: the cache file a build keeps beside its store
FILE = "extract-cache.jsonl"
#: modules outside kg/extract whose code decides an extraction too (acronym definitions,
#: the folding of corpus acronyms looked up)
_SHARED = ("acronyms.py", "text.py")
_KINDS = ("methods", "datasets", "tasks", "keywords")


class Recording(Mapping[str, str]):
    """A read-only view of a mapping that remembers every key looked up, found or not."""

    def __init__(self, data: Mapping[str, str]) -> None:
        self._data = data
        self.seen: dict[str, str | None] = {}

    def __getitem__(self, key: str) -> str:
        value = self._data.get(key)
        self.seen[key] = value
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        value = self._data.get(key)
        self.seen[key] = value
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a Recording is for lookups only")

    def __len__(self) -> int:
        return len(self._data)


@cache
def rules_digest() -> str:
    """A digest of everything but the text that decides an extraction: the extractor's
    version, its code and data files (lexicons, word statistics, the span model and the
    learned weights), the shared text modules it uses (:data:`_SHARED`) and spaCy's
    version."""
    import spacy

    h = hashlib.sha256(f"{VERSION}\0{spacy.__version__}".encode())
    root = resources.files("kg.extract")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith(".py"):
            _part(h, entry.name)
            _part(h, entry.read_bytes())
    for name in _SHARED:
        _part(h, f"kg/{name}")
        _part(h, (resources.files("kg") / name).read_bytes())
    _tree(h, root / "data", "data")
    return h.hexdigest()


def _tree(h: Any, folder: Any, name: str) -> None:
    """Every file under ``folder``, by relative name, in a fixed order."""
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        rel = f"{name}/{entry.name}"
        if entry.is_dir():
            _tree(h, entry, rel)
        elif entry.is_file() and not entry.name.endswith((".tmp", ".pyc")):
            _part(h, rel)
            _part(h, entry.read_bytes())


def _part(h: Any, data: str | bytes) -> None:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    h.update(len(raw).to_bytes(8, "big") + raw)  # length-prefixed: no two splits collide


def text_key(title: str | None, abstract: str | None, model: str | None) -> str:
    """The cache key of one text under one pipeline (name and version) and the rules."""
    h = hashlib.sha256(rules_digest().encode())
    for part in (model or "", title or "", abstract or ""):
        _part(h, part)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One cached extraction and the corpus acronyms it looked up (``None``: not found)."""

    extraction: Extraction
    lookups: tuple[tuple[str, str | None], ...]

    def valid(self, acronyms: Mapping[str, str]) -> bool:
        """Whether the corpus still answers every lookup the same way."""
        return all(acronyms.get(k) == v for k, v in self.lookups)


def _mention(m: Mention) -> list[Any]:
    return [m.name, m.role, m.new, m.start, m.end, m.confidence]


def _encode(key: str, entry: CacheEntry) -> str:
    e = entry.extraction
    return json.dumps(
        {
            "key": key,
            "lookups": [list(p) for p in entry.lookups],
            **{kind: [_mention(m) for m in getattr(e, kind)] for kind in _KINDS},
            "warnings": list(e.warnings),
            "acronyms": [list(p) for p in e.acronyms],
        },
        ensure_ascii=False,
    )


def _decode(line: str) -> tuple[str, CacheEntry]:
    obj = json.loads(line)
    mentions = {
        kind: tuple(Mention(str(n), r, w, s, e, float(c)) for n, r, w, s, e, c in obj[kind])
        for kind in _KINDS
    }
    extraction = Extraction(
        "",
        mentions["methods"],
        mentions["datasets"],
        mentions["tasks"],
        mentions["keywords"],
        warnings=tuple(map(str, obj["warnings"])),
        acronyms=tuple((str(a), str(b)) for a, b in obj["acronyms"]),
    )
    lookups = tuple((str(k), None if v is None else str(v)) for k, v in obj["lookups"])
    return str(obj["key"]), CacheEntry(extraction, lookups)


def load(path: Path) -> dict[str, CacheEntry]:
    """The entries of a cache file; a missing file is empty, a damaged line is skipped."""
    entries: dict[str, CacheEntry] = {}
    try:
        handle = path.open("rb")
    except OSError:
        return entries
    with handle:
        for raw in handle:
            try:
                key, entry = _decode(raw.decode("utf-8"))
            except (ValueError, KeyError, TypeError):  # UnicodeDecodeError is a ValueError
                continue
            entries[key] = entry
    return entries


def dump(entries: Iterable[tuple[str, CacheEntry]]) -> bytes:
    """Cache file bytes, one entry per line in key order (the same texts, the same bytes)."""
    return "".join(_encode(k, e) + "\n" for k, e in sorted(entries, key=lambda x: x[0])).encode(
        "utf-8", "surrogatepass"
    )
