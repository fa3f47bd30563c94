"""A small driver for Debian's headless Chromium over the DevTools protocol.

It talks to Chromium through ``--remote-debugging-pipe`` (JSON messages separated by NUL
bytes on file descriptors 3 and 4), so it needs no websocket library and opens no port.
The browser runs with a throwaway profile, background networking off, and every proxied
request sent to a closed port on 127.0.0.1, so a page that tried to reach anything would
fail and be seen doing so in the Network events.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)
_LOUD = ("error", "warning")


def find_chromium() -> str | None:
    """Debian's chromium, if installed."""
    return shutil.which("chromium")


class ChromiumError(RuntimeError):
    """The browser died, timed out or answered a command with an error."""


class Chromium:
    """One headless Chromium process with one page, driven over the DevTools pipe."""

    def __init__(
        self, binary: str, size: tuple[int, int] = (1280, 900), *, loopback: bool = False
    ) -> None:
        """``loopback``: let requests to 127.0.0.1 through (to test a local server); every
        other host still goes to the closed proxy port."""
        self._profile = tempfile.TemporaryDirectory(prefix="kg-chromium-")
        flags = [f for f in FLAGS if not (loopback and f.startswith("--proxy-bypass-list"))]
        self._to_browser, self._from_browser, self.proc = _launch(
            binary,
            [
                *flags,
                f"--user-data-dir={self._profile.name}",
                f"--window-size={size[0]},{size[1]}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
        )
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False},
        )

    # -- protocol ------------------------------------------------------------------------

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 60,
    ) -> dict[str, Any]:
        """Send one command and wait for its answer (events seen meanwhile are kept)."""
        self._next_id += 1
        wanted = self._next_id
        message: dict[str, Any] = {"id": wanted, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == wanted:
                if "error" in reply:
                    raise ChromiumError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self._keep(reply)

    def call(
        self, method: str, params: dict[str, Any] | None = None, timeout: float = 60
    ) -> dict[str, Any]:
        """A command to the page's session."""
        return self.send(method, params, self.session, timeout)

    def _keep(self, event: dict[str, Any]) -> None:
        """Record an event; dismiss a dialog (alert and co.) at once so the page goes on."""
        self.events.append(event)
        if event.get("method") == "Page.javascriptDialogOpening":
            self._next_id += 1
            dismiss = {
                "id": self._next_id,
                "method": "Page.handleJavaScriptDialog",
                "params": {"accept": False},
                "sessionId": event.get("sessionId"),
            }
            os.write(self._to_browser, json.dumps(dismiss).encode() + b"\0")

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChromiumError("timed out waiting for Chromium")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise ChromiumError(f"Chromium exited ({self.proc.poll()})")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(raw))

    def pump(self, seconds: float) -> None:
        """Collect events for a while."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self._keep(self._read(deadline))
        except ChromiumError:
            if self.proc.poll() is not None:
                raise

    # -- page helpers --------------------------------------------------------------------

    def evaluate(self, expression: str, timeout: float = 60) -> Any:
        """The JSON value of a JavaScript expression in the page (promises awaited)."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout,
        )
        if "exceptionDetails" in result:
            raise ChromiumError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(
        self, url: str, ready: str = "document.readyState === 'complete'", timeout: float = 60
    ) -> float:
        """Load ``url`` and wait until ``ready`` is true; the seconds that took."""
        self.events.clear()
        started = time.monotonic()
        self.call("Page.navigate", {"url": url})
        self.wait_for(ready, timeout)
        return time.monotonic() - started

    def wait_for(self, expression: str, timeout: float = 60) -> None:
        """Poll until a JavaScript expression is truthy."""
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"Boolean({expression})"):
            if time.monotonic() > deadline:
                raise ChromiumError(f"timed out waiting for {expression}")
            self.pump(0.05)

    def requests(self) -> list[str]:
        """URLs of every request the page made since it was opened."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and dialogs (alert and co.) seen so far."""
        out = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(f"exception: {params['exceptionDetails']}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in _LOUD:
                out.append(f"console: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in _LOUD:
                out.append(f"log: {params['entry'].get('text')}")
            elif method == "Page.javascriptDialogOpening":
                out.append(f"dialog: {params.get('message')}")
        return out

    def screenshot(self, path: Path) -> None:
        """Save the visible page as PNG."""
        import base64

        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        with contextlib.suppress(ChromiumError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._profile.cleanup()


def _launch(binary: str, args: list[str]) -> tuple[int, int, subprocess.Popen[bytes]]:
    """Start Chromium with its DevTools pipe on fds 3 (commands in) and 4 (replies out)."""
    cmd_read, cmd_write = os.pipe()
    out_read, out_write = os.pipe()

    def wire() -> None:  # in the child, before exec: move the pipe ends to fds 3 and 4
        high_in = fcntl.fcntl(cmd_read, fcntl.F_DUPFD, 10)
        high_out = fcntl.fcntl(out_write, fcntl.F_DUPFD, 10)
        os.dup2(high_in, 3)
        os.dup2(high_out, 4)

    proc = subprocess.Popen(  # preexec_fn is fine: the test process starts no threads
        [binary, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=False,
        preexec_fn=wire,
    )
    os.close(cmd_read)
    os.close(out_write)
    return cmd_write, out_read, proc
