"""Headless Chromium, driven over the DevTools protocol on a pipe: no driver, no port,
no dependency. Dev tooling (not installed): the browser tests, the bench's paint figure
and the results page's screenshots for review:

    python -m tools.browser SITE_FOLDER    # `make screenshots`: SITE_FOLDER/screenshots/

    with Browser.launch() as browser:
        page = browser.open(Path("site/index.html"), width=390)
        page.evaluate("document.title")
        page.screenshot(Path("shot.png"))

`--remote-debugging-pipe` makes Chromium read commands from fd 3 and write answers and
events to fd 4, each a JSON message ended by a NUL byte.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import itertools
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pipelines.errors import PipelineError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
]


class BrowserError(PipelineError):
    """Chromium is missing, did not start, or a command failed."""


def find_chromium() -> str | None:
    explicit = os.environ.get("INTERREG_CHROMIUM")
    if explicit:
        return explicit
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    def __init__(
        self, process: subprocess.Popen, to_browser: int, from_browser: int, timeout: float
    ) -> None:
        self._process = process
        self.timeout = timeout
        self._out, self._in = to_browser, from_browser
        self._buffer = b""
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    @classmethod
    @contextmanager
    def launch(cls, executable: str | None = None, timeout: float = 30.0) -> Iterator[Browser]:
        executable = executable or find_chromium()
        if not executable:
            raise BrowserError(
                "no Chromium found: install Debian's `chromium` package"
                " (or set INTERREG_CHROMIUM to a Chromium or Chrome binary)"
            )
        with (
            tempfile.TemporaryDirectory(prefix="interreg-chromium-") as profile,
            tempfile.TemporaryFile() as stderr,
        ):
            process, to_browser, from_browser = _start(executable, profile, stderr)
            browser = cls(process, to_browser, from_browser, timeout)
            try:
                try:
                    browser.call("Browser.getVersion")
                except BrowserError as exc:
                    stderr.seek(0)
                    said = stderr.read().decode(errors="replace").strip().splitlines()[-3:]
                    raise BrowserError(f"{exc}; {executable} said: {' | '.join(said)}") from None
                yield browser
            finally:
                browser.close()

    def close(self) -> None:
        with suppress(BrowserError, OSError):
            self.call("Browser.close", timeout=5)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._out, self._in):
            with suppress(OSError):
                os.close(fd)

    # -- the protocol ------------------------------------------------------------------------

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._out, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:  # it exited before reading: as if it had not answered
            raise BrowserError(f"Chromium exited ({method} could not be sent)") from None
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            answer = self._read(deadline, f"{method} got no answer")
            if answer.get("id") == message_id:
                if "error" in answer:
                    raise BrowserError(f"{method} failed: {answer['error'].get('message')}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(
        self, method: str, session: str | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        """The first event `method` (of `session`) not seen yet; earlier ones are kept."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method and (
                    session is None or event.get("sessionId") == session
                ):
                    return self.events.pop(index)
            self.events.append(self._read(deadline, f"no {method} event"))

    def _read(self, deadline: float, problem: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError(f"Chromium: {problem} within {self.timeout:g} s")
            ready, _, _ = select.select([self._in], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium exited ({problem})")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    # -- pages -------------------------------------------------------------------------------

    def open(
        self, path: Path, width: int, height: int = 900, mobile: bool | None = None,
        query: str = "",
    ) -> Page:  # fmt: skip
        """A new tab showing the file at `path` (with `query`, "?id=…", after its URL),
        laid out `width` CSS pixels wide."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        page.call("Page.enable")
        page.call("Network.enable")
        page.call("Runtime.enable")
        is_mobile = width < 600 if mobile is None else mobile
        page.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": is_mobile},
        )
        page.call("Page.navigate", {"url": Path(path).resolve().as_uri() + query})
        self.wait_for("Page.loadEventFired", session)
        return page


def _start(executable: str, profile: str, stderr) -> tuple[subprocess.Popen, int, int]:
    """Start Chromium with its DevTools pipe: fd 3 of the child reads our commands, fd 4
    writes its answers. Returns the process and our ends (to it, from it)."""
    commands_r, commands_w = os.pipe()
    answers_r, answers_w = os.pipe()

    def child_fds() -> None:  # in the child, before exec: move the pipes to 3 and 4
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (commands_r, answers_w)]
        for target, fd in zip((3, 4), high, strict=True):
            os.dup2(fd, target)  # inheritable: survives exec
            os.close(fd)

    try:
        process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            close_fds=False,  # our other fds are non-inheritable anyway (PEP 446)
            preexec_fn=child_fds,
        )
    except OSError as exc:
        for fd in (commands_w, answers_r):
            os.close(fd)
        raise BrowserError(f"cannot start {executable}: {exc}") from None
    finally:
        os.close(commands_r)
        os.close(answers_w)
    return process, commands_w, answers_r


class Page:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser, self.session = browser, session

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.call(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (JSON-able), or a BrowserError if it threw."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"JavaScript error: {text}")
        return result["result"].get("value")

    def requested_urls(self) -> list[str]:
        """Every URL the page asked for so far (from Network.requestWillBeSent)."""
        return [
            e["params"]["request"]["url"]
            for e in self.browser.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self.session
        ]

    def console_errors(self) -> list[str]:
        errors = []
        for e in self.browser.events:
            if e.get("sessionId") != self.session:
                continue
            if e.get("method") == "Runtime.exceptionThrown":
                errors.append(e["params"]["exceptionDetails"].get("text", "exception"))
            if e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error":
                errors.append(" ".join(str(a.get("value")) for a in e["params"]["args"]))
        return errors

    def type_into(self, selector: str, text: str) -> None:
        """Focus the element and type, as a person would (fires input events)."""
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.call("Input.insertText", {"text": text})

    def screenshot(self, target: Path, full_page: bool = True) -> Path:
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        data = self.call("Page.captureScreenshot", params)["data"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
        return target


def screenshots(index: Path, folder: Path, widths: tuple[int, ...] = (390, 1280)) -> list[Path]:
    """Full-page screenshots at each width of the main page, the first country page and
    the first project page: folder/<page>-<width>.png (page-, country-, project-)."""
    from pipelines.report.project_pages import first_project

    site = index.parent
    pages = [("page", index, "")]
    country = min(site.glob("countries/*.html"), default=None)
    if country is not None:
        pages.append(("country", country, ""))
    project = first_project(site)
    if project is not None:
        pages.append(("project", site / "project.html", f"?id={quote(project, safe='')}"))
    shots = []
    with Browser.launch() as browser:
        for name, path, query in pages:
            for width in widths:
                page = browser.open(path, width=width, query=query)
                if query:  # the project page draws itself from its bundle
                    _wait(page, "document.querySelector('#project-results tbody tr')")
                shots.append(page.screenshot(folder / f"{name}-{width}.png"))
    return shots


def _wait(page: Page, expression: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"!!({expression})") and time.monotonic() < deadline:
        time.sleep(0.05)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.browser",
        description="Full-page screenshots of a results site at phone and desktop widths.",
    )
    parser.add_argument("site", type=Path, help="the site folder (holding index.html)")
    site = parser.parse_args(argv).site
    if not (site / "index.html").is_file():
        parser.error(f"no index.html in {site}: build the page first (interreg report)")
    for shot in screenshots(site / "index.html", site / "screenshots"):
        print(f"Screenshot: {shot}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
