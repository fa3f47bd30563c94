"""The benchmark's memory sampler counts what a build really holds."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench import run


def test_a_fork_not_yet_execd_is_not_counted_twice() -> None:
    """Between fork and exec a spawned worker's VmRSS is its parent's: a sample taken then
    doubled a 1M build's peak (12.3 GB, where 6.4 GB was held)."""
    held = bytearray(os.urandom(1)) * (200 << 20)  # resident: 200 MB of this process
    alone = run._rss_with_workers_mb()
    pid = os.fork()
    if pid == 0:  # the child sleeps as the fork it is, then leaves without cleanup
        try:
            time.sleep(3)
        finally:
            os._exit(0)
    try:
        time.sleep(0.2)
        assert str(pid) in run._children()
        with_fork = run._rss_with_workers_mb()
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert with_fork < alone + 100  # not alone + the fork's copy of it all
    # a child that has exec'd is counted, with its own memory
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; b = bytearray(150 << 20); time.sleep(3)"]
    )
    try:
        deadline = time.monotonic() + 10
        while (now := run._rss_with_workers_mb()) < alone + 140 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
    assert now >= alone + 140
    del held  # resident until here
