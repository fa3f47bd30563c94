import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kg.text import (
    ascii_fold,
    clean_person_name,
    normalize_person_name,
    normalize_title,
    short_hash,
    slugify,
    terminal_safe,
)


def test_normalize_title_removes_markup_escapes_and_case() -> None:
    assert normalize_title("# **<u>DiffTaichi: Differentiable</u></u>**") == (
        "difftaichi differentiable"
    )
    title = r"Gradient \$\ell\_1\$ Regularization"
    assert normalize_title(title) == "gradient ell 1 regularization"
    assert normalize_title("BREAKING CERTIFIED DEFENSES:") == normalize_title(
        "Breaking certified defenses"
    )


def test_person_names_fold_case_accents_and_marks() -> None:
    assert normalize_person_name("Bernhard Schölkopf") == normalize_person_name(
        "Bernhard Scholkopf"
    )
    assert normalize_person_name("Łukasz Kaiser") == "lukasz kaiser"
    assert normalize_person_name("Jiashi FENG") == "jiashi feng"
    assert clean_person_name("Xinrun Wang\\*") == ("Xinrun Wang", True)
    assert clean_person_name("Yi Wu<sup>†</sup>") == ("Yi Wu", True)
    assert clean_person_name("Emmanuel Müller") == ("Emmanuel Müller", False)


def test_ascii_fold_handles_letters_without_decomposition() -> None:
    assert ascii_fold("Mikołaj Bińkowski") == "Mikolaj Binkowski"


@given(st.text())
def test_slug_is_always_iri_safe_and_non_empty(text: str) -> None:
    slug = slugify(text)
    assert slug
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in slug)


@given(st.text(), st.text())
def test_short_hash_is_stable_and_separates_parts(a: str, b: str) -> None:
    assert short_hash(a, b) == short_hash(a, b)
    assert len(short_hash(a, b)) == 16
    if (a, b) != (a + b, ""):
        assert short_hash(a, b) != short_hash(a + b, "") or "\x1f" in a + b


@given(st.text())
def test_terminal_safe_leaves_no_control_character(text: str) -> None:
    shown = terminal_safe(text, keep_newlines=False)
    assert not any(unicodedata.category(c) == "Cc" and c != "\t" for c in shown)
    assert not any(c in shown for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    if text.isprintable():
        assert shown == text  # printable text is shown as it is


def test_terminal_safe_shows_escape_sequences_as_text() -> None:
    assert terminal_safe("a\x1b]0;T\x07b\x9b2J") == "a\\x1b]0;T\\x07b\\x9b2J"
    assert terminal_safe("line\nnext") == "line\nnext"
    assert terminal_safe("line\nnext", keep_newlines=False) == "line\\nnext"
    assert terminal_safe("rtl\u202eevil") == "rtl\\u202eevil"
