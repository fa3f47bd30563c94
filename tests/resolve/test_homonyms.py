"""People who share a name: identifiers, emails, evidence, and the decisions kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.identifiers import normalize, person_ids
from kg.records import Affiliation, Author, Paper, SourceRef
from kg.resolve import homonyms
from kg.resolve.people import resolve_people
from kg.resolve.personnames import parse


def _paper(
    file: str, line: int, *authors: Author, title: str | None = None, abstract: str | None = None
) -> Paper:
    return Paper(
        source=SourceRef(file, line),
        title=title or f"paper {file} {line}",
        authors=authors,
        abstract=abstract,
    )


def _a(name: str, email: str | None = None, **ids: str) -> Author:
    return Author.from_written(name, email, ids=person_ids(list(ids.items())))


def _same(res, a: tuple[str, int], b: tuple[str, int]) -> bool:  # type: ignore[no-untyped-def]
    return bool(res.person_of[a] == res.person_of[b])


def test_a_shared_identifier_merges_across_name_variants_and_surnames() -> None:
    papers = [
        _paper("a", 1, _a("Wei Wang", orcid="0000-0002-1825-0097"), _a("Le Song")),
        _paper(
            "a",
            2,
            _a("W. Wang-Li", orcid="https://orcid.org/0000-0002-1825-0097"),
            _a("Yann LeCun"),
        ),
    ]
    res = resolve_people(papers)
    assert _same(res, ("a:1", 1), ("a:2", 1))
    key = res.person_of[("a:1", 1)]
    assert "same-orcid" in res.evidence[key]


def test_two_identifiers_of_one_scheme_are_two_people_whatever_else_agrees() -> None:
    # same rare name, same co-author, same email domain: still two ORCIDs
    papers = [
        _paper(
            "a",
            1,
            _a("Dale Schuurmans", "d@ualberta.ca", orcid="0000-0002-1825-0097"),
            _a("Bo Dai"),
        ),
        _paper(
            "a",
            2,
            _a("Dale Schuurmans", "d@ualberta.ca", orcid="0000-0001-5109-3700"),
            _a("Bo Dai"),
        ),
    ]
    res = resolve_people(papers)
    assert not _same(res, ("a:1", 1), ("a:2", 1))
    [entry] = res.decisions["Dale Schuurmans"]
    assert entry["joined"] is False and entry["reasons"] == ["different orcid identifiers"]
    # a slot with no identifier can join either, but never bridges the two
    papers.append(_paper("a", 3, _a("Dale Schuurmans"), _a("Bo Dai")))
    res = resolve_people(papers)
    assert not _same(res, ("a:1", 1), ("a:2", 1))


def test_an_email_repeated_across_a_papers_slots_is_no_evidence() -> None:
    # a submitter's address filled in for every slot (the ICLR 2018 Paper Copilot file)
    shared = "first@inria.fr"
    papers = [
        _paper("a", 1, _a("Wei Zhang", shared), _a("Chris Reinke", shared)),
        _paper("a", 2, _a("Wei Zhang", shared), _a("Yann LeCun")),
    ]
    res = resolve_people(papers)
    # paper 2's slot has that address alone, paper 1's does not: no shared email evidence
    assert not _same(res, ("a:1", 1), ("a:2", 1))
    alone = [
        _paper("a", 1, _a("Wei Zhang", "wz@inria.fr"), _a("Chris Reinke")),
        _paper("a", 2, _a("Wei Zhang", "wz@inria.fr"), _a("Yann LeCun")),
    ]
    res = resolve_people(alone)
    assert _same(res, ("a:1", 1), ("a:2", 1))


def test_a_person_who_moved_stays_one_through_a_shared_coauthor() -> None:
    papers = [
        _paper("a", 1, _a("Chris Dyer", "cdyer@cs.cmu.edu"), _a("Noah A. Smith")),
        _paper("a", 2, _a("Chris Dyer", "cdyer@google.com"), _a("Noah A. Smith")),
    ]
    res = resolve_people(papers)
    assert _same(res, ("a:1", 1), ("a:2", 1))
    assert not res.ambiguous


def test_affiliations_count_as_institutions() -> None:
    ms = Affiliation(name="Microsoft Research", domain="microsoft.com")
    thu = Affiliation(name="Tsinghua University", id="ror:03cve4549")
    name = "Abhinav Gupta"  # a name some people share
    papers = [
        _paper("a", 1, Author.from_written(name, affiliations=(ms,)), _a("A One")),
        _paper("a", 2, Author.from_written(name, affiliations=(ms,)), _a("B Two")),
        _paper("a", 3, Author.from_written(name, affiliations=(thu,)), _a("C Three")),
    ]
    res = resolve_people(papers)
    assert _same(res, ("a:1", 1), ("a:2", 1))
    assert not _same(res, ("a:1", 1), ("a:3", 1))
    reasons = " ".join(r for d in res.decisions[name] for r in d["reasons"])
    assert "same institution" in reasons and "different institutions" in reasons


def test_a_rare_name_needs_no_evidence_and_a_common_one_does() -> None:
    rare, common = parse("Masao Utiyama"), parse("Yang Liu")
    assert homonyms.without_evidence(rare, 2)
    assert not homonyms.without_evidence(common, 2)
    stats = homonyms.name_stats()
    assert stats.given_count(common) > 50 * stats.given_count(rare) or stats.surname_count(
        common
    ) > 50 * stats.surname_count(rare)


def test_shared_coauthors_and_topic_raise_the_probability() -> None:
    name = parse("Abhinav Gupta")
    stats = homonyms.name_stats()

    def profile(coauthors: set[str], topic: dict[str, float]) -> homonyms.Profile:
        return homonyms.Profile.of(
            [homonyms.Slot(("x", 1), "x", "Abhinav Gupta", frozenset(coauthors), topic=topic)]
        )

    base = homonyms.probability(
        homonyms.features(profile({"a smith"}, {}), profile({"b jones"}, {}), name, 2, stats),
        homonyms.weights(),
    )
    topic = {"diffusion": 0.8, "robot": 0.6}
    closer = homonyms.probability(
        homonyms.features(profile({"a smith"}, topic), profile({"b jones"}, topic), name, 2, stats),
        homonyms.weights(),
    )
    shared = homonyms.probability(
        homonyms.features(profile({"a smith"}, {}), profile({"a smith"}, {}), name, 2, stats),
        homonyms.weights(),
    )
    assert base < homonyms.THRESHOLD_APART < closer
    assert shared > homonyms.THRESHOLD


def test_the_shipped_weights_match_the_features_and_stay_monotone() -> None:
    data = json.loads((Path(homonyms.__file__).parent / "data" / "homonyms.json").read_text())
    assert tuple(data["features"]) == homonyms.FEATURES
    for part in ("shared", "apart"):
        for feature, weight in zip(homonyms.FEATURES, data[part], strict=True):
            if feature not in homonyms._NAME_FEATURES and feature != "org_conflict":
                assert weight >= 0, (part, feature)


def test_resolution_of_homonyms_is_order_independent() -> None:
    import random

    papers = [
        _paper("a", i, _a("Yang Liu"), _a(co), title=t)
        for i, (co, t) in enumerate(
            [
                ("A Smith", "robot grasping with tactile sensing"),
                ("A Smith", "tactile sensing for dexterous robot hands"),
                ("Q Zhou", "graph neural networks for molecules"),
                ("R Patel", "molecular graph generation with diffusion"),
                ("Q Zhou", "diffusion models for drug design"),
            ],
            start=1,
        )
    ]
    base = resolve_people(papers)
    for seed in range(3):
        shuffled = papers[:]
        random.Random(seed).shuffle(shuffled)
        again = resolve_people(shuffled)
        assert again.person_of == base.person_of
        assert again.decisions == base.decisions


def test_identifier_normalisers_refuse_what_is_not_an_identifier() -> None:
    assert normalize("orcid", "0000-0002-1694-233X") == "0000-0002-1694-233X"
    assert normalize("orcid", "0000-0002-1694-2330") is None
    assert normalize("openreview", "~Wei_Wang13") == "~Wei_Wang13"
    assert normalize("openreview", "wei@x.edu") is None
    assert normalize("ror", "https://ror.org/05x2bcf33") == "05x2bcf33"
    assert normalize("dblp", "https://dblp.org/pid/129/2382.html") == "129/2382"
    assert normalize("openalex", "https://openalex.org/A5023888391") == "A5023888391"
    assert normalize("email", "mailto:Ann@CMU.EDU") == "Ann@cmu.edu"
    with pytest.raises(ValueError):
        normalize("isbn", "x")


def test_kg_explain_person_reads_the_build_report(tmp_path: Path) -> None:
    rows = [
        {"title": t, "authors": ["Yang Liu", co], "abstract": f"We study {t}."}
        for t, co in [
            ("tactile robot grasping", "Ann Smith"),
            ("dexterous tactile hands", "Ann Smith"),
            ("molecular graph diffusion", "Quan Zhou"),
        ]
    ]
    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    kg = [sys.executable, "-m", "kg"]
    built = subprocess.run(
        [*kg, "build", str(source), "--dir", str(out), "--no-extract"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    shown = subprocess.run(
        [*kg, "explain", "person", "--dir", str(out), "yang liu"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "Yang Liu: 2 people in this build"
    assert any("1 shared co-author (a smith)" in line for line in lines)
    assert any(
        line.strip().startswith("kept apart:") and "a join needs 0.70" in line for line in lines
    )
    report = json.loads((out / "build-report.json").read_text())
    [entry] = report["people_decisions"]
    assert sorted(len(p["papers"]) for p in entry["people"]) == [1, 2]
    missing = subprocess.run(
        [*kg, "explain", "person", "--dir", str(tmp_path / "none"), "A B"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode != 0 and "no build report" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_homonym_training_drops_held_out_abstracts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The word statistics of the topic feature never see a held-out abstract."""
    import training.corpus
    import training.homonyms
    from bench.people import families, load
    from training.corpus import is_heldout, text_hash

    papers, _ = load(families()["corl"][0])
    victim = next(p for p in papers if p.abstract)
    banned = frozenset({text_hash(victim.abstract or "")})
    monkeypatch.setattr(training.homonyms, "heldout", lambda: banned)
    kept = training.homonyms._without_heldout(papers)
    assert len(kept) == len(papers)
    assert [p.abstract for p in kept if p.source == victim.source] == [None]
    assert sum(1 for p in kept if p.abstract) == sum(1 for p in papers if p.abstract) - 1
    # and none of the truth lists holds a real held-out abstract
    assert not any(
        is_heldout(p.abstract)
        for path in (x for f in families().values() for x in f)
        for p in load(path)[0]
    )
    assert training.corpus.heldout()  # the real list is there to check against
