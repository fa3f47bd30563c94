"""A bounded load on a SPARQL endpoint on loopback: concurrent clients sending saved queries.

Each client keeps one HTTP/1.1 connection and sends its share of the requests, cycling
through the saved queries (parameters bound from the build in --dir); the run stops by
itself after --requests.  Prints requests/s, p50/p90/p99 latency and the failures.

    .venv/bin/kg serve &                                   # the endpoint to load
    python -m bench.load http://127.0.0.1:8000/sparql --clients 20 --requests 5000
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

#: saved query -> parameters, chosen to exist in the bundled build
CALLS: dict[str, dict[str, str]] = {
    "coauthors": {"person": "Zico Kolter"},
    "papers-of": {"person": "Yoshua Bengio"},
    "top-concepts": {"kind": "method", "limit": "20"},
    "proposers": {"method": "LSTM"},
    "neighborhood": {"concept": "reinforcement learning", "limit": "25"},
    "cited": {},
    "orals": {"venue": "ICLR 2020"},
    "prolific": {"limit": "10"},
}


def saved_queries(store_dir: str | Path) -> list[str]:
    """The saved queries with their parameters bound, as the endpoint receives them."""
    from kg import queries
    from kg.store import Store

    store = Store.open(store_dir)
    return [queries.bind(store, queries.get(name), params) for name, params in CALLS.items()]


@dataclass
class Result:
    """What a load run measured."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.failures)

    def percentile(self, p: float) -> float:
        """The latency at percentile ``p`` (0-100), in seconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def summary(self) -> str:
        rate = self.requests / self.seconds if self.seconds else 0.0
        return (
            f"{self.requests} requests in {self.seconds:.1f} s ({rate:.0f}/s), "
            f"{len(self.failures)} failed; latency p50 {self.percentile(50) * 1000:.1f} ms, "
            f"p90 {self.percentile(90) * 1000:.1f} ms, p99 {self.percentile(99) * 1000:.1f} "
            f"ms, max {max(self.latencies, default=0) * 1000:.1f} ms"
        )


def run(
    url: str,
    texts: list[str],
    clients: int = 20,
    requests: int = 5000,
    timeout: float = 30.0,
    until: Callable[[], bool] | None = None,
) -> Result:
    """Send ``requests`` queries from ``clients`` threads; every non-200 answer is a failure.

    With ``until``, each client goes on sending after its share until ``until()`` is true
    (so the load lasts as long as something else does, and at least ``requests``).
    """
    parts = urlsplit(url)
    host, port, path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path
    result = Result()
    lock = threading.Lock()
    shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]

    def client(index: int, count: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        mine: list[float] = []
        bad: list[str] = []
        n = 0
        while n < count or (until is not None and not until()):
            text = texts[(index + n) % len(texts)]
            n += 1
            body = urlencode({"query": text})
            started = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    path,
                    body=body,
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Accept": "application/sparql-results+json",
                    },
                )
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    mine.append(time.perf_counter() - started)
                else:
                    bad.append(f"HTTP {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                bad.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.close()
        with lock:
            result.latencies.extend(mine)
            result.failures.extend(bad)

    threads = [threading.Thread(target=client, args=(i, n)) for i, n in enumerate(shares)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the endpoint, e.g. http://127.0.0.1:8000/sparql")
    parser.add_argument("--dir", default="exports", help="the build the endpoint serves")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    host = urlsplit(args.url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        parser.error("load is only sent to loopback addresses")
    result = run(args.url, saved_queries(args.dir), args.clients, args.requests)
    print(result.summary())
    if result.failures:
        print("failures:", statistics.multimode(result.failures))


if __name__ == "__main__":
    main()
