"""HTTP beyond the SPARQL protocol: HEAD, 405, kg's own error pages, hostile bytes, echo caps."""

from __future__ import annotations

import socket
from urllib.parse import quote, urlencode, urlsplit

import pytest

from tests.server.conftest import ORALS, fetch

CORS = "Access-Control-Allow-Origin"


def _raw(url: str, request: bytes, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as is on a fresh connection; status, headers and body of the reply."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(1 << 16):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def test_head_answers_like_get_without_a_body(url: str) -> None:
    target = f"{url}?{urlencode({'query': ORALS})}"
    status, headers, body = fetch(target, method="HEAD")
    get_status, get_headers, get_body = fetch(target)
    assert (status, body) == (200, b"") and get_status == 200
    assert headers.get_content_type() == get_headers.get_content_type()
    assert headers["Content-Length"] == str(len(get_body)) and headers[CORS] == "*"
    status, headers, body = fetch(url, method="HEAD")  # the service description
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    status, headers, body = fetch(f"{url}?query=SELECT", method="HEAD")
    assert status == 400 and body == b"" and headers[CORS] == "*"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "BREW"])
def test_other_methods_get_405_with_allow(url: str, method: str) -> None:
    status, headers, body = fetch(url, method=method, data=b"" if method != "TRACE" else None)
    assert status == 405 and headers[CORS] == "*"
    assert set(headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert headers.get_content_type() == "text/plain" and method.encode() in body


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /sparql HTTP/2.0\r\n\r\n", 505),
        (b"GET /sparql HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n", 431),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
    ],
)
def test_errors_of_the_standard_library_are_kgs_own_with_cors(
    url: str, request_: bytes, status: int
) -> None:
    got, headers, body = _raw(url, request_)
    assert got == status
    assert headers[CORS.lower()] == "*"
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert b"<" not in body and body.endswith(b"\n") and body.count(b"\n") == 1


@pytest.mark.parametrize(
    "query",
    [
        "query=ASK%7B%7D%FF",  # a percent-escaped byte that is not UTF-8
        "query=ASK%7B%C3%7D",  # a cut sequence
        "query=ASK%7B%7D&format=%FFjson",
    ],
)
def test_non_utf8_in_the_query_string_is_400(url: str, query: str) -> None:
    status, headers, body = fetch(f"{url}?{query}")
    assert status == 400 and b"UTF-8" in body and headers[CORS] == "*"


def test_raw_non_ascii_bytes_in_the_request_line(url: str) -> None:
    raw_utf8 = "/sparql?query=" + quote("SELECT ?x { BIND(") + '"é"' + quote(" AS ?x) }")
    status, _, body = _raw(
        url, b"GET " + raw_utf8.encode("utf-8") + b" HTTP/1.1\r\nConnection: close\r\n\r\n"
    )
    assert status == 200 and "é".encode() in body  # raw UTF-8 is read as UTF-8
    status, _, body = _raw(
        url, b"GET /sparql?query=ASK{}\xff HTTP/1.1\r\nConnection: close\r\n\r\n"
    )
    assert status == 400 and b"UTF-8" in body


def test_non_utf8_in_a_form_body_is_400(url: str) -> None:
    status, _, body = fetch(
        url, b"query=ASK%7B%7D%FF", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 400 and b"UTF-8" in body


@pytest.mark.parametrize("charset", ["utf\x00-8", "no-such-charset", "rot13", "x" * 5000])
def test_a_bad_charset_is_415_not_500(url: str, charset: str) -> None:
    body = b"ASK {}"
    request = (
        f"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        f"Content-Type: application/sparql-query; charset={charset}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1") + body
    status, headers, text = _raw(url, request)
    assert status == 415 and headers[CORS.lower()] == "*"
    assert b"charset" in text and len(text) < 400


def test_latin1_charset_still_works(url: str) -> None:
    query = 'SELECT ?x { BIND("Zoë" AS ?x) }'
    status, _, body = fetch(
        url,
        query.encode("latin-1"),
        {"Content-Type": "application/sparql-query; charset=iso-8859-1"},
    )
    assert status == 200 and "Zoë".encode() in body


def test_error_messages_do_not_echo_a_huge_parameter(url: str) -> None:
    huge = "x" * 60_000  # under the URL and body limits of the shared endpoint
    status, _, body = fetch(f"{url}?{urlencode({'query': ORALS, 'format': huge})}")
    assert status == 400 and len(body) < 2000 and b"unknown format" in body
    status, _, body = fetch(
        url,
        f"SELECT * WHERE {{ ?s ?p ?o }} {huge} }}".encode(),
        {"Content-Type": "application/sparql-query"},
    )
    assert status == 400 and len(body) < 2000 and b"syntax error" in body


@pytest.mark.parametrize("lengths", [["6", "60"], ["+6"], ["\u0666"], ["-1"], ["6 6"]])
def test_content_length_must_be_one_number_in_digits(url: str, lengths: list[str]) -> None:
    head = "".join(f"Content-Length: {n}\r\n" for n in lengths)
    request = (
        f"POST /sparql HTTP/1.1\r\nHost: x\r\n{head}"
        "Content-Type: application/sparql-query\r\n\r\nASK {}"
    ).encode()
    status, headers, body = _raw(url, request)
    assert status == 400 and headers["connection"] == "close" and b"Content-Length" in body


def test_control_characters_are_escaped_in_error_messages(url: str) -> None:
    status, _, body = fetch(f"{url}?query=ASK%00%1B%5B2J%7B")
    assert status == 400 and b"\x00" not in body and b"\x1b" not in body
    assert b"\\x00\\x1b[2J" in body
