"""From a tagged title and abstract to one :class:`Extraction`.

The rules' candidates (cues, title, acronym definitions, lexicon matches, coined names)
are folded into entities: forms linked by an acronym definition or sharing a key are one
entity, reported once under its most used form, with the span of its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kg.acronyms import Definition
from kg.extract import cues as cue_rules
from kg.extract import keywords as keyword_rules
from kg.extract.chunks import WEAK_MODIFIERS
from kg.extract.lexicon import Match, key_word, key_words
from kg.extract.merging import fold_contained, merge_entities
from kg.extract.model import Extraction, Mention
from kg.extract.tagged import Entity, TaggedPaper
from kg.extract.title import TASK_HEADS, TitleInfo, analyse, name_like, task_like
from kg.extract.tokens import (
    DATASET_HEADS,
    GENERIC_HEADS,
    coined,
    name_at,
    phrase_at,
)
from kg.extract.wordlists import words
from kg.text import fold

MAX_TASKS = 4

# Last words of long forms that name a method ("... networks", "... descent").
METHOD_HEADS = words(
    """
    network networks net nets autoencoder autoencoders auto-encoder auto-encoders encoder
    encoders decoder machine machines algorithm algorithms attention descent ascent
    regression sampling sampler propagation optimization optimisation distillation
    normalization regularization dropout transformer transformers model models process
    processes field fields kernel kernels unit units memory learning training inference
    estimator estimators filter filters embedding embeddings tree trees forest forests
    classifier classifiers gan gans flow flows policy iteration lattice programming
    """
)
_TASK_DEF_HEADS = TASK_HEADS - words(
    "learning inference optimization optimisation embedding representation representations "
    "regression search programming"
)
# Words that end task names but alone name none ("learning" is every paper's task).
_NO_TASKS = frozenset(
    {("learning",), ("training",), ("sampling",), ("inference",), ("modeling",), ("modelling",)}
)
_TASK_PHRASE_TAGS = frozenset({"NN", "NNS", "NNP", "JJ", "HYPH", "VBN"})
_LIST_CUES = words("such including like e.g. e.g")
# Last words of what measures rather than does: "Fréchet Inception Distance", "BLEU score".
METRIC_HEADS = words(
    "score scores distance distances metric metrics error errors divergence accuracy "
    "measure measures index ratio"
)
# Words before a common noun that make it prose, not a method: "received much attention".
_IDIOM_BEFORE = words(
    """
    paid pay pays paying received receive receives receiving attracted attract attracts
    gained gain gains drawn draw draws much little increasing growing considerable
    significant great special particular careful close
    """
)
# Suffixes that make a name an adjective: "LSTM-based", "GAN-like".
_NAME_SUFFIXES = ("-based", "-like", "-style", "-driven", "-type", "-inspired", "-free")
_DATASET_PREPS = words("on in across over")
_EVAL_WORDS = words(
    "experiments experiment results evaluate evaluated evaluation evaluations benchmarks "
    "datasets tested test demonstrate demonstrated performance outperforms achieves "
    "state-of-the-art accuracy"
)


def _overlaps(span: tuple[int, int] | None, spans: Iterable[tuple[int, int]]) -> bool:
    return span is not None and any(span[0] < e and s < span[1] for s, e in spans)


def _def_spans(d: Definition) -> tuple[tuple[int, int], tuple[int, int]]:
    return (d.long_start, d.long_end), (d.short_start, d.short_end)


# --- proposed methods --------------------------------------------------------------


def _title_name_ok(paper: TaggedPaper, info: TitleInfo) -> bool:
    if info.name is None or info.name_is_dataset:
        return False
    if paper.count(info.name):
        return True
    if paper.title_doc is not None and any(
        t.tag_.startswith("VB") and t.tag_ != "VBN" and t.idx < len(info.name)
        for t in paper.title_doc
    ):
        return False
    return any(coined(w) for w in info.name.split()) or len(info.name.split()) <= 3


_TITLE_OBJECT = re.compile(r"\s(?:of|for|on|in|with|from|to|under|towards?)\s", re.IGNORECASE)


def _in_title(paper: TaggedPaper, d: Definition, info: TitleInfo) -> bool:
    """Does the title name ``d`` as its subject (its name, or what comes before "for X")?

    "Target-Embedding Autoencoders for ..." names the method; "Deep Learning of DPPs via
    X" is about DPPs, not proposing them.
    """
    if not paper.title:
        return False
    title = paper.title
    if info.via and title.endswith(info.via):
        title = title[: -len(info.via)]
    subject = info.name or _TITLE_OBJECT.split(title.split(":")[0], maxsplit=1)[0]
    keys = set(key_words(subject))
    long = [w for w in key_words(d.long) if len(w) > 2]
    if key_word(d.singular_short) in keys:
        return True
    shared = [w for w in long if w in keys]
    return len(shared) >= 2 and len(shared) >= 0.6 * len(long)


def proposed(paper: TaggedPaper, found: cue_rules.Cues, info: TitleInfo) -> list[Entity]:
    """The paper's own methods, one entity per method."""
    cands: list[Entity] = []
    for order, c in enumerate(found.proposed):
        cands.append(paper.entity(c.text, c.confidence, c.rule, (c.start, c.end), order))
    spans = [(c.start, c.end) for c in found.proposed]
    for d in paper.defs:
        long_span, short_span = _def_spans(d)
        near = any(
            s <= long_span[0] <= e + 1
            or _overlaps(long_span, [(s, e)])
            or _overlaps(short_span, [(s, e)])
            or (e <= long_span[0] <= e + 3)
            for s, e in spans
        )
        if near or _in_title(paper, d, info):
            if paper.lexicon.has(d.long, "methods") or paper.lexicon.has(d.long, "generic"):
                continue
            if paper.lexicon.has(d.long, "tasks") or paper.lexicon.has(d.long, "datasets"):
                continue
            conf = 0.85 if near else 0.7
            e = paper.entity(d.long, conf, "definition", long_span, order=len(cands))
            e.forms.append(d.short)
            cands.append(e)
    if _title_name_ok(paper, info):
        assert info.name is not None
        if not paper.lexicon.kinds(info.name):
            span = paper.first(info.name)
            cands.append(
                paper.entity(info.name, 0.75 if span else 0.6, "title-name", span, order=len(cands))
            )
    entities = merge_entities(cands, fuzzy=True)
    strong = [e for e in entities if e.confidence >= 0.75]
    if strong:
        entities = [e for e in entities if e.confidence >= 0.5]
    via = info.via
    weak = all(e.confidence < 0.5 for e in entities)  # only a "we propose a method to ..."
    if (
        weak
        and via
        and name_like(via)
        and not task_like(via)
        and _named_thing(via)
        and not paper.lexicon.kinds(via)
        and via.split()[-1].lower() not in GENERIC_HEADS
    ):
        entities = [paper.entity(via, 0.45, "title-via", paper.first(via))]
    return entities


def _named_thing(text: str) -> bool:
    """Is ``text`` written as a name: a coined word, or every word capitalised?"""
    ws = text.split()
    return any(coined(w) for w in ws) or all(w[:1].isupper() for w in ws)


def _display(paper: TaggedPaper, e: Entity) -> tuple[str, tuple[int, int] | None]:
    """The most used form of an entity in the abstract and its first span."""
    best = max(e.forms, key=lambda f: (paper.count(f), -e.forms.index(f)))
    return best, paper.first(best) or e.span


# --- used methods, datasets ----------------------------------------------------------


def _lexicon_entities(
    paper: TaggedPaper, matches: list[Match], kind: str, title: bool, blocked: list[tuple[int, int]]
) -> list[Entity]:
    out = []
    for m in matches:
        if m.entry.kind != kind:
            continue
        span = None if title else (m.start, m.end)
        if span is not None and _overlaps(span, blocked):
            continue
        doc = paper.title_doc if title else paper.doc
        assert doc is not None
        text = doc.text[m.start : m.end]
        if (
            m.token_end - m.token_start == 1
            and m.token_start > 0
            and (doc[m.token_start - 1].lower_ in _IDIOM_BEFORE)
        ):
            continue
        if title:
            span = paper.first(text)
        order = m.start + (10**6 if title else 0)
        e = paper.entity(text, 0.8, f"lexicon-{kind}", span, order=order)
        e.score = 1.0
        out.append(e)
    return out


def _def_kind(paper: TaggedPaper, d: Definition) -> str | None:
    kinds = paper.lexicon.kinds(d.long) | paper.lexicon.kinds(d.singular_short)
    for kind in ("generic", "datasets", "tasks", "methods"):
        if kind in kinds:
            return kind
    last = key_words(d.long)[-1] if key_words(d.long) else ""
    raw_last = d.long.split()[-1].lower() if d.long.split() else ""
    if raw_last in _TASK_DEF_HEADS or last in _TASK_DEF_HEADS:
        return "tasks"
    if raw_last in METHOD_HEADS or last in METHOD_HEADS:
        return "methods"
    return None


def _list_after(paper: TaggedPaper, i: int) -> list[tuple[int, int]]:
    """Names listed after "such as" / "e.g." / "including" at token ``i``."""
    doc = paper.doc
    j = i + 1
    if doc[i].lower_ == "such":
        if j >= len(doc) or doc[j].lower_ != "as":
            return []
        j += 1
    while j < len(doc) and doc[j].text in (",", ":"):
        j += 1
    out: list[tuple[int, int]] = []
    while j < len(doc):
        e = name_at(doc, j)
        if e <= j:
            break
        out.append((j, e))
        j = e
        while j < len(doc) and doc[j].lower_ in (",", "and", "or", "as", "well"):
            j += 1
    return out


def _list_head(paper: TaggedPaper, i: int) -> str:
    """The head noun before a list cue ("autoregressive models, such as")."""
    doc = paper.doc
    j = i - 1
    while j >= 0 and doc[j].text in (",", "(", "-"):
        j -= 1
    return doc[j].lower_ if j >= 0 else ""


def _coined_names(
    paper: TaggedPaper, blocked: list[tuple[int, int]]
) -> tuple[list[Entity], list[Entity]]:
    """Coined names the lexicon does not know: (used methods, datasets) by context."""
    doc = paper.doc
    methods: list[Entity] = []
    datasets: list[Entity] = []
    listed: dict[int, str] = {}
    for tok in doc:
        if tok.lower_ in _LIST_CUES:
            head = _list_head(paper, tok.i)
            kind = (
                "datasets"
                if head in DATASET_HEADS
                else ("methods" if head in METHOD_HEADS or head in GENERIC_HEADS else "")
            )
            for s, _ in _list_after(paper, tok.i):
                listed[s] = kind
    i = 0
    last_end, last_kind = -1, ""  # the name before, for lists: "on CIFAR-10, SVHN and X"
    while i < len(doc):
        tok = doc[i]
        e = name_at(doc, i)
        if e <= i:
            i += 1
            continue
        span = (doc[i].idx, doc[e - 1].idx + len(doc[e - 1].text))
        text = doc.text[span[0] : span[1]]
        in_list = 0 <= last_end <= i <= last_end + 2 and all(
            t.lower_ in (",", "and", "or") for t in doc[last_end:i]
        )
        i = e
        lexicon_kinds = paper.lexicon.kinds(text)
        if not any(coined(t.text) for t in doc[tok.i : e]) or lexicon_kinds:
            last_end = e
            last_kind = "datasets" if "datasets" in lexicon_kinds else ""
            continue
        for suffix in _NAME_SUFFIXES:
            if text.lower().endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)]
                span = (span[0], span[0] + len(text))
                break
        if _overlaps(span, blocked) or paper.lexicon.kinds(text) or len(text) < 2:
            continue
        if paper.canonical(key_words(text)) != key_words(text):
            continue  # a defined acronym: its definition decides
        # an acronym other papers define ("QA" = question answering): the lexicon's kind
        long = paper.corpus_acronyms.get(fold(text))
        known = paper.lexicon.kinds(long) if long else set()
        if known & {"tasks", "generic"}:
            continue
        nxt = doc[e].lower_ if e < len(doc) else ""
        prev = doc[tok.i - 1].lower_ if tok.i > 0 else ""
        kind = listed.get(tok.i, "")
        evaluated = prev in _DATASET_PREPS and _eval_context(paper, tok.i)
        if nxt in DATASET_HEADS or evaluated or (in_list and last_kind == "datasets"):
            kind = "datasets"
        if known:
            kind = "datasets" if "datasets" in known else "methods"
        if not kind:
            kind = "methods"
        last_end, last_kind = e, kind
        ent = paper.entity(text, 0.45, f"coined-{kind}", span, order=span[0])
        (datasets if kind == "datasets" else methods).append(ent)
    return methods, datasets


def is_metric(e: Entity) -> bool:
    """Does any form of ``e`` end in a word that names a measure?"""
    return any(f.split()[-1].lower() in METRIC_HEADS for f in e.forms if f.split())


def _eval_context(paper: TaggedPaper, i: int) -> bool:
    sent = paper.doc[i].sent
    return any(t.lower_ in _EVAL_WORDS for t in sent)


# --- tasks ---------------------------------------------------------------------------


def _task_phrases(paper: TaggedPaper) -> list[Entity]:
    """ "X task(s)/problem(s)" and "the problem of X" in the abstract."""
    doc = paper.doc
    out = []
    for tok in doc:
        low = tok.lower_
        if low in ("task", "tasks", "problem", "problems") and tok.i > 0:
            j = tok.i
            s = j - 1
            while s >= 0 and doc[s].tag_ in _TASK_PHRASE_TAGS and j - s <= 5:
                s -= 1
            s += 1
            while s < j and doc[s].lower_ in WEAK_MODIFIERS:
                s += 1
            if s < j:
                text = doc[s:j].text
                if task_like(text) and not paper.lexicon.has(text, "generic"):
                    e = paper.entity(
                        text, 0.5, "task-phrase", (doc[s].idx, tok.idx - 1), order=doc[s].idx
                    )
                    e.score = 1.0
                    out.append(e)
        if low in ("problem", "task") and tok.i + 2 < len(doc) and doc[tok.i + 1].lower_ == "of":
            a, b = phrase_at(doc, tok.i + 2)
            if b > a and task_like(doc[a:b].text):
                e = paper.entity(
                    doc[a:b].text,
                    0.5,
                    "problem-of",
                    (doc[a].idx, doc[b - 1].idx + len(doc[b - 1])),
                    order=doc[a].idx,
                )
                e.score = 1.2
                out.append(e)
    return out


def tasks(
    paper: TaggedPaper,
    matches: list[Match],
    title_matches: list[Match],
    info: TitleInfo,
    excluded: set[tuple[str, ...]],
) -> list[Entity]:
    """The main tasks: from the title, the task lexicon and task phrases, best first."""
    cands: list[Entity] = []
    for order, t in enumerate(info.tasks):
        e = paper.entity(t, 0.7, "title-task", paper.first(t), order=-100 + order)
        e.score = 3.0
        cands.append(e)
    for e in _lexicon_entities(paper, matches, "tasks", False, []):
        n = paper.count(e.forms[0])
        own = key_words(e.forms[0])  # not a member of the set e.keys: its order varies by run
        in_title = bool(paper.title_keys) and all(w in paper.title_keys for w in own)
        if len(own) == 1 and n < 2 and not in_title:
            continue  # "generalization" said once in passing is no task of the paper
        first_sents = e.span is not None and e.span[0] < _second_sentence_end(paper)
        e.score = 1.0 + 0.4 * min(n - 1, 3) + (1.0 if in_title else 0) + (0.5 if first_sents else 0)
        e.confidence = min(0.9, 0.5 + 0.1 * e.score)
        cands.append(e)
    for e in _lexicon_entities(paper, title_matches, "tasks", True, []):
        e.score = 2.5
        cands.append(e)
    for d in paper.defs:
        if _def_kind(paper, d) == "tasks":
            e = paper.entity(d.long, 0.6, "definition-task", _def_spans(d)[0], order=d.long_start)
            e.score = 1.5
            cands.append(e)
    cands.extend(_task_phrases(paper))
    entities = [
        e
        for e in merge_entities(cands)
        if not (e.keys & excluded)
        and not (e.keys & _NO_TASKS)
        and not any("," in f for f in e.forms)
    ]
    entities.sort(key=lambda e: (-e.score, e.order))
    return fold_contained(paper, entities)[:MAX_TASKS]


def _second_sentence_end(paper: TaggedPaper) -> int:
    for n, sent in enumerate(paper.doc.sents):
        if n == 1:
            return sent.end_char
    return len(paper.doc.text)


# --- assembling -----------------------------------------------------------------------


_LATEX_MARKS = re.compile(r"[$^{}_\\]|\\(?:mathrm|mathbf|mathit|text|textbf|textit)\b")


def as_written(name: str, raw: str) -> str:
    """``raw`` (the abstract's own text) when it is ``name`` with LaTeX marks in it
    ("VA-RED$^2$" for "VA-RED2"), so a name reads as the authors wrote it; else ``name``."""
    if raw and raw != name and "$" in raw and _LATEX_MARKS.sub("", raw) == name:
        return raw
    return name


def _mention(
    paper: TaggedPaper,
    e: Entity,
    role: str | None = None,
    new: bool | None = None,
    choose: bool = False,
    spell_out: bool = False,
) -> Mention:
    name, span = _display(paper, e) if choose else (e.forms[0], e.span)
    if spell_out:
        name = paper.spelled_out(name)
    start = end = None
    if span is not None and paper.cleaned.offsets:
        start, end = paper.cleaned.span(*span)
        name = as_written(name, paper.raw[start:end])
    return Mention(
        name=name,
        role=role,
        new=new,
        start=start,
        end=end,
        confidence=round(min(1.0, e.confidence), 3),
    )


@dataclass(slots=True)
class Rules:
    """What the rules found in one paper, as entities (before naming and ranking)."""

    proposed: list[Entity]
    used: list[Entity]
    datasets: list[Entity]
    tasks: list[Entity]


def rules(paper: TaggedPaper) -> Rules:
    """The rules' entities of one paper."""
    lexicon = paper.lexicon
    info = analyse(paper.title)
    found = cue_rules.find(paper.doc, lexicon, {d.long_start: d.long_end for d in paper.defs})
    matches = lexicon.match(paper.doc, paper.index)
    title_matches = (
        lexicon.match(paper.title_doc, paper.title_index)
        if paper.title_doc is not None and paper.title_index is not None
        else []
    )
    mine = proposed(paper, found, info)
    mine_keys = set().union(*(e.keys for e in mine)) if mine else set()
    mine_spans = [e.span for e in mine if e.span is not None]
    mine_spans += [(c.start, c.end) for c in found.proposed]
    for e in mine:
        for form in e.forms:
            mine_spans += paper.index.find(key_words(form))
    for d in paper.defs:
        if key_words(d.long) in mine_keys:
            mine_spans += list(_def_spans(d))

    # datasets
    ds: list[Entity] = []
    for c in found.new_datasets:
        e = paper.entity(c.text, c.confidence, c.rule, (c.start, c.end), order=c.start)
        e.new = True
        ds.append(e)
    if info.name and info.name_is_dataset:
        e = paper.entity(info.name, 0.7, "title-dataset", paper.first(info.name))
        e.new = True
        ds.append(e)
    ds += _lexicon_entities(paper, matches, "datasets", False, [])
    ds += _lexicon_entities(paper, title_matches, "datasets", True, [])

    coined_methods, coined_datasets = _coined_names(paper, mine_spans)
    ds += coined_datasets
    datasets = merge_entities(ds)
    dataset_keys = set().union(*(e.keys for e in datasets)) if datasets else set()

    # used methods
    used: list[Entity] = []
    for d in paper.defs:
        if key_words(d.long) in mine_keys or _def_kind(paper, d) != "methods":
            continue
        e = paper.entity(d.long, 0.75, "definition-method", _def_spans(d)[0], order=d.long_start)
        used.append(e)
    used += _lexicon_entities(paper, matches, "methods", False, mine_spans)
    used += _lexicon_entities(paper, title_matches, "methods", True, [])
    used += coined_methods
    generic = lexicon.keys.get("generic", set())
    used = [
        e
        for e in merge_entities(sorted(used, key=lambda e: e.order))
        if not (e.keys & mine_keys)
        and not (e.keys & dataset_keys)
        and not (e.keys & generic)
        and not is_metric(e)
    ]
    used.sort(key=lambda e: e.order)

    task_entities = tasks(
        paper,
        matches,
        title_matches,
        info,
        mine_keys | dataset_keys | {k for e in used for k in e.keys},
    )
    new_keys = set().union(*(e.keys for e in datasets if e.new)) if datasets else set()
    mine = [e for e in mine if not (e.keys & new_keys)]  # a new benchmark is a dataset
    return Rules(mine, used, datasets, task_entities)


def method_mentions(paper: TaggedPaper, found: Rules) -> list[Mention]:
    """The methods of a paper as mentions: its own first, each under its chosen name."""
    methods = [_mention(paper, e, "proposed", choose=True) for e in found.proposed]
    return methods + [_mention(paper, e, "used") for e in found.used]


def assemble(paper: TaggedPaper, found: Rules) -> Extraction:
    """Name, locate and rank entities into the paper's :class:`Extraction`."""
    methods = method_mentions(paper, found)
    datasets, task_entities = found.datasets, found.tasks
    return Extraction(
        id=paper.id,
        methods=tuple(methods),
        datasets=tuple(_mention(paper, e, new=bool(e.new)) for e in datasets),
        tasks=tuple(_mention(paper, e, spell_out=True) for e in task_entities),
        keywords=tuple(keyword_rules.rank(paper, methods, task_entities)),
        warnings=paper.cleaned.warnings,
        acronyms=tuple((d.long, d.short) for d in paper.defs),
    )


def extract(paper: TaggedPaper) -> Extraction:
    """All mentions of one paper, by the rules alone."""
    return assemble(paper, rules(paper))


__all__ = ["Entity", "Rules", "TaggedPaper", "assemble", "extract", "rules"]
