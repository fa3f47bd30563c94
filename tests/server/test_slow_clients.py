"""Slow clients cannot hold the endpoint: a request must arrive within a deadline, and a
connection that is still waiting for its request gives its slot to a new one when all are
taken.  The flood comes from 127.0.0.2, the client that must be served from 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.server import SparqlServer, serve
from tests.server.conftest import ORALS, fetch

SLOTS = 8


@pytest.fixture
def guarded(built: Path) -> Iterator[SparqlServer]:
    """An endpoint with few connection slots and a 1 s deadline for a whole request."""
    server = serve(
        built, timeout_s=5, workers=1, max_connections=SLOTS, request_s=1.0, log=None
    ).start()
    try:
        yield server
    finally:
        server.close()


def _address(server: SparqlServer) -> tuple[str, int]:
    return str(server.server_address[0]), int(server.server_address[1])


def _trickle(address: tuple[str, int], stop: float, dropped: list[float]) -> None:
    """Send a request head one byte every 0.2 s, from 127.0.0.2; reconnect when cut."""
    head = f"GET /sparql?{urlencode({'query': ORALS})} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    for _ in range(100):  # bounded: reconnects
        if time.monotonic() > stop:
            return
        try:
            sock = socket.create_connection(address, timeout=5, source_address=("127.0.0.2", 0))
        except OSError:
            time.sleep(0.1)
            continue
        with sock:
            opened = time.monotonic()
            try:
                for byte in head[:-1]:  # never finishes its head
                    if time.monotonic() > stop:
                        return
                    sock.sendall(bytes([byte]))
                    time.sleep(0.2)
                    if not sock.recv(1 << 10, socket.MSG_DONTWAIT | socket.MSG_PEEK):
                        break  # closed by the server
            except BlockingIOError:
                continue
            except OSError:
                pass
            dropped.append(time.monotonic() - opened)


def _trickle_until_closed(address: tuple[str, int]) -> tuple[float, bytes]:
    sock = socket.create_connection(address, timeout=5)
    with sock:
        opened = time.monotonic()
        reply = b""
        for byte in b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" * 10:
            try:
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
                sock.setblocking(False)
                try:
                    reply = sock.recv(1 << 10)
                    break  # an answer, or end of file: the server gave up on it
                except BlockingIOError:
                    pass
                finally:
                    sock.setblocking(True)
            except OSError:
                break
        return time.monotonic() - opened, reply


def test_a_request_head_must_arrive_within_the_deadline(guarded: SparqlServer) -> None:
    seconds, reply = _trickle_until_closed(_address(guarded))
    assert seconds < 2.0  # one byte every 0.1 s for 10 s would hold the slot otherwise
    assert reply == b"" or reply.startswith(b"HTTP/1.1 408")


def test_a_request_body_must_arrive_within_the_deadline(guarded: SparqlServer) -> None:
    with socket.create_connection(_address(guarded), timeout=5) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
            b"Content-Type: application/sparql-query\r\n\r\nASK"
        )
        started = time.monotonic()
        reply = b""
        for _ in range(40):
            try:
                sock.sendall(b" ")
            except OSError:
                break
            time.sleep(0.1)
            sock.setblocking(False)
            try:
                reply = sock.recv(1 << 10)
                break
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
        assert time.monotonic() - started < 2.0
        assert reply.startswith(b"HTTP/1.1 408") and b"Access-Control-Allow-Origin: *" in reply


def test_a_slow_client_flood_does_not_lock_out_other_clients(guarded: SparqlServer) -> None:
    address = _address(guarded)
    stop = time.monotonic() + 5
    dropped: list[float] = []
    flood = [
        threading.Thread(target=_trickle, args=(address, stop, dropped)) for _ in range(2 * SLOTS)
    ]
    for thread in flood:
        thread.start()
    try:
        time.sleep(1.5)  # every slot taken by the flood, which goes on reconnecting
        answers = []
        for _ in range(8):
            started = time.monotonic()
            status, _, body = fetch(f"{guarded.url}?{urlencode({'query': ORALS})}", timeout=5)
            answers.append((status, b'"48"' in body, time.monotonic() - started < 1.5))
            time.sleep(0.2)
    finally:
        for thread in flood:
            thread.join(10)
    assert answers == [(200, True, True)] * 8
    assert dropped  # the flood was cut, not served


@pytest.mark.parametrize("source", ["127.0.0.1", "127.0.0.2"])
def test_idle_connections_from_one_address_cannot_take_every_slot(
    guarded: SparqlServer, source: str
) -> None:
    """Idle connections (never a byte) from one address hold at most half the slots, and a
    new connection from that address closes one of them that has waited long enough."""
    address = _address(guarded)
    idle = [
        socket.create_connection(address, timeout=5, source_address=(source, 0))
        for _ in range(SLOTS)
    ]
    try:
        time.sleep(0.7)  # past EVICT_AFTER_S
        for _ in range(3):
            status, _, body = fetch(f"{guarded.url}?{urlencode({'query': ORALS})}", timeout=5)
            assert status == 200 and b'"48"' in body
        refused_or_closed = 0
        for sock in idle:
            sock.settimeout(0.2)
            try:
                data = sock.recv(100)
            except TimeoutError:
                continue  # still open: it holds a slot
            except OSError:
                data = b""
            refused_or_closed += data == b"" or data.startswith(b"HTTP/1.1 503")
        assert refused_or_closed >= SLOTS // 2
    finally:
        for sock in idle:
            sock.close()
