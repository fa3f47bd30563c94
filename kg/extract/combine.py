"""The span model's mentions joined with the rules' entities.

What is kept, per kind, and how a method's role is decided are settings chosen by the
ablation in ``training/evaluate.py`` (k-fold cross-validation on the annotated corpus):
a source stays only where it adds.

- :data:`SOURCES`: per kind, are the rules' entities kept beside the model's?
  (``proposed``: the methods the cue rules find proposed; ``methods``: the others.)
- :data:`ROLE`: how a method is judged the paper's own: ``"model"`` (the model labelled a
  mention of it PROPOSED), ``"model-or-rules"`` (or the cue rules found it proposed),
  ``"learned"`` (the logistic regression of :mod:`kg.extract.roles`).
- A dataset is new by the learned ``new`` weights (or the rules' verdict without them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kg.extract import roles
from kg.extract.engine import MAX_TASKS, Rules, is_metric
from kg.extract.lexicon import key_words
from kg.extract.merging import fold_contained, merge_entities
from kg.extract.spans import Found
from kg.extract.tagged import Entity, TaggedPaper

SOURCES: dict[str, bool] = {"proposed": True, "methods": False, "datasets": True, "tasks": True}
ROLE = "model-or-rules"
ROLES = ("model", "model-or-rules", "learned")
THRESHOLD = 0.5
MAX_PROPOSED = 1


@dataclass(slots=True)
class RoleCandidate:
    """A method or dataset entity with what the role decision reads."""

    entity: Entity
    x: list[float]
    model_proposed: bool
    rule_proposed: bool


def _entities(paper: TaggedPaper, found: Sequence[Found], *labels: str) -> list[Entity]:
    out = []
    for f in found:
        if f.label not in labels:
            continue
        span = (f.start, f.end) if f.field == "abstract" else paper.first(f.text)
        e = paper.entity(f.text, 0.8, "model", span, order=span[0] if span else -1)
        e.score = 1.0 if f.field == "title" else 0.0
        out.append(e)
    return merge_entities(out)


def _context(paper: TaggedPaper) -> roles.Context:
    sents = [(s.start_char, s.end_char) for s in paper.doc.sents]
    return roles.Context(paper.title or "", paper.doc.text, sents)


def _vector(
    paper: TaggedPaper, e: Entity, ctx: roles.Context, *, rule_proposed: bool, rule_new: bool
) -> list[float]:
    spans = sorted({s for f in e.forms for s in paper.index.find(key_words(f))})
    in_title = paper.title_index is not None and any(
        key_words(f) and paper.title_index.find(key_words(f)) for f in e.forms
    )
    known = any(
        k in paper.lexicon.keys.get("methods", set())
        or k in paper.lexicon.keys.get("datasets", set())
        for k in e.keys
    )
    return roles.features(
        e.forms[0],
        spans,
        ctx,
        in_title=in_title,
        rule_proposed=rule_proposed,
        rule_new_dataset=rule_new,
        known=known,
    )


def candidates(
    paper: TaggedPaper,
    rule: Rules,
    found: Sequence[Found],
    sources: Mapping[str, bool] | None = None,
) -> tuple[list[RoleCandidate], list[RoleCandidate], list[Entity]]:
    """Method and dataset candidates, and the tasks (best first)."""
    use = sources or SOURCES
    ctx = _context(paper)
    model_methods = _entities(paper, found, "METHOD", "PROPOSED")
    model_prop = {k for e in _entities(paper, found, "PROPOSED") for k in e.keys}
    model_datasets = _entities(paper, found, "DATASET")
    model_tasks = _entities(paper, found, "TASK")
    rule_prop = {k for e in rule.proposed for k in e.keys}
    rule_new = {k for e in rule.datasets if e.new for k in e.keys}

    datasets = merge_entities(model_datasets + (list(rule.datasets) if use["datasets"] else []))
    ds_keys = {k for e in datasets for k in e.keys}
    m_in = (
        model_methods
        + (rule.proposed if use["proposed"] else [])
        + (rule.used if use["methods"] else [])
    )
    methods = [
        e
        for e in merge_entities(m_in)
        if (not (e.keys & ds_keys) or e.keys & rule_prop) and not is_metric(e)
    ]
    methods.sort(key=lambda e: e.span[0] if e.span else -1)
    m_keys = {k for e in methods for k in e.keys}
    datasets = [e for e in datasets if not (e.keys & m_keys)]

    def cand(e: Entity, new: bool) -> RoleCandidate:
        rp = bool(e.keys & rule_prop)
        x = _vector(paper, e, ctx, rule_proposed=rp, rule_new=new)
        return RoleCandidate(e, x, bool(e.keys & model_prop), rp)

    t_in = model_tasks + (rule.tasks if use["tasks"] else [])
    task_list = [e for e in merge_entities(t_in) if not (e.keys & (m_keys | ds_keys))]
    for e in task_list:
        e.score += 0.3 * paper.count(e.forms[0])
    task_list.sort(key=lambda e: (-e.score, e.span[0] if e.span else -1))
    return (
        [cand(e, False) for e in methods],
        [cand(e, bool(e.keys & rule_new)) for e in datasets],
        fold_contained(paper, task_list)[:MAX_TASKS],
    )


def _proposed(c: RoleCandidate, role: str, weights: Mapping[str, Sequence[float]]) -> float:
    """How sure we are that the candidate is the paper's own method."""
    if role == "learned" and "proposed" in weights:
        return roles.probability(weights["proposed"], c.x)
    if role == "model":
        return 0.9 if c.model_proposed else 0.1
    if c.model_proposed and c.rule_proposed:
        return 0.95
    return 0.75 if c.model_proposed or c.rule_proposed else 0.1


def combine(
    paper: TaggedPaper,
    rule: Rules,
    found: Sequence[Found],
    weights: Mapping[str, Sequence[float]] | None = None,
    sources: Mapping[str, bool] | None = None,
    role: str | None = None,
) -> Rules:
    """The entities to report: the model's and (per :data:`SOURCES`) the rules', each
    method's role decided per :data:`ROLE` and each dataset's novelty by the learned
    weights (the shipped ones unless ``weights`` are given)."""
    if weights is None:
        weights = roles.weights()
    methods, datasets, tasks = candidates(paper, rule, found, sources)
    scored = [(c, _proposed(c, role or ROLE, weights)) for c in methods]
    # a paper proposes about one method (1.0 per abstract in the training corpus): beyond
    # the MAX_PROPOSED surest, a candidate counts as used (cross-validated proposed F1:
    # 0.522 with one, 0.538 with two, 0.529 with no limit; two also made a compared method
    # or a title fragment a paper's own, and cost 0.06 on the development set)
    ranked = sorted(
        (i for i, (_, p) in enumerate(scored) if p >= THRESHOLD), key=lambda i: (-scored[i][1], i)
    )
    mine = set(ranked[:MAX_PROPOSED])
    proposed: list[Entity] = []
    used: list[Entity] = []
    for i, (c, p) in enumerate(scored):
        if p >= THRESHOLD and i not in mine:
            p = 1 - p
        c.entity.confidence = round(max(p, 1 - p), 3)
        (proposed if i in mine else used).append(c.entity)
    ds = []
    for c in datasets:
        # new when the cue rules say so ("we introduce FooBench, a new benchmark") or the
        # learned weights do
        p = roles.probability(weights["new"], c.x) if "new" in weights else 0.0
        c.entity.new = bool(c.entity.new) or p >= THRESHOLD
        ds.append(c.entity)
    return Rules(proposed, used, ds, tasks)
