"""Texts extraction cannot do much with still give a result and a warning, never a crash."""

from __future__ import annotations

import pytest

from kg.extract import Text, extract

CASES = {
    "empty": ("", "no abstract"),
    "missing": (None, "no abstract"),
    "latex": (
        r"We propose $\mathcal{F}$-Net using \emph{kernels} and $O(n^2)$ \cite{a}.",
        "LaTeX simplified",
    ),
    "markdown": (
        r"We introduce \*\*Foo\*\* and a\_b with `code` for \$5.",
        "markdown escapes simplified",
    ),
    "html": (
        "We propose <b>FooNet</b><script>alert(1)</script> for search.",
        "HTML tags simplified",
    ),
    "chinese": (
        "我们提出了一种新的图像分类方法，并在多个数据集上验证。" * 20,
        "does not look like English",
    ),
    "german": (
        "Wir stellen eine neue Methode vor, die auf einem tiefen Netzwerk basiert "
        "und die Klassifikation von Bildern verbessert. " * 5,
        "does not look like English",
    ),
    "huge": ("We propose FooNet for image classification. " * 2400, "cut to"),
    "controls": ("We propose Foo\x00Net\x1b[31m \u202e for \ufffe search.", None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_text_gives_a_result(name: str) -> None:
    abstract, warning = CASES[name]
    result = next(extract([Text(name, "A title: With {braces}", abstract)], warn=False))
    assert result.id == name
    if warning:
        assert any(warning in w for w in result.warnings), result.warnings
    for kind in ("methods", "datasets", "tasks", "keywords"):
        for m in getattr(result, kind):
            assert m.name.strip()
            if m.start is not None and abstract:
                assert 0 <= m.start < m.end <= len(abstract)


def test_a_huge_abstract_still_finds_its_method() -> None:
    abstract, _ = CASES["huge"]
    assert len(abstract) > 100_000
    result = next(extract([Text("h", None, abstract)], warn=False))
    assert [m.name for m in result.proposed] == ["FooNet"]


def test_workers_give_the_same_results_in_order() -> None:
    texts = [
        Text(f"t{i}", None, f"We propose Net{i}, a novel network for image classification.")
        for i in range(150)
    ]
    one = [e.as_dict() for e in extract(texts, warn=False)]
    two = [e.as_dict() for e in extract(texts, warn=False, workers=2)]
    assert one == two
    assert [e["id"] for e in two] == [t.id for t in texts]
