"""Minted IRIs: every key percent-encoded the one way, fast path or not."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from kg.graph import vocab as V


@given(st.text())
def test_a_part_is_encoded_as_quote_encodes_it(part: str) -> None:
    assert V._encoded(part) == quote(part, safe="-._~")


def test_slugs_pass_unchanged_and_the_rest_is_encoded() -> None:
    m = V.Minter("https://example.org/")
    assert m.person("ada-lovelace_2.0~x").value == "https://example.org/person/ada-lovelace_2.0~x"
    assert m.concept("a b/ü#").value == "https://example.org/concept/a%20b%2F%C3%BC%23"
