"""Debian's chromium, headless, driven through the DevTools protocol over a pipe.

`--dump-dom` shows a page once; typing into the search box, pressing keys, measuring how long
a result takes and how many bytes the page fetched needs the protocol. Chromium speaks it on
file descriptors 3 (commands in) and 4 (answers out) with `--remote-debugging-pipe`: JSON
messages ended by a NUL byte. No websocket library, no download.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class BrowserError(Exception):
    pass


class Browser:
    """One headless chromium with one page. Use as a context manager."""

    def __init__(self, width: int = 1280, height: int = 900, mobile: bool = False):
        assert CHROMIUM, "chromium is not installed (apt-get install chromium; .ci/run does it)"
        self.profile = tempfile.mkdtemp(prefix="kehu-chromium-")
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()

        def child_pipes():
            os.dup2(commands_read, 3)
            os.dup2(answers_write, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-features=Translate", f"--user-data-dir={self.profile}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=child_pipes, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._commands, self._answers):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    # --- the protocol --------------------------------------------------------------------

    def call(self, method: str, session: bool = False, timeout: float = 60, **params) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            if "method" in answer:
                self.events.append(answer)

    def _receive(self, deadline: float) -> dict:
        import select

        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._answers], [], [], left)[0]:
                raise BrowserError("chromium did not answer in time")
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise BrowserError("chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    # --- what tests do -------------------------------------------------------------------

    def js(self, expression: str, timeout: float = 30):
        """The value of a JavaScript expression in the page (promises are awaited)."""
        result = self.call("Runtime.evaluate", session=True, timeout=timeout, expression=expression,
                           awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(result["exceptionDetails"].get("exception", {}).get("description")
                               or result["exceptionDetails"].get("text"))
        return result["result"].get("value")

    def open(self, url: str, cache: bool = True) -> None:
        """Load `url` and wait until its scripts ran (the load event)."""
        self.call("Network.setCacheDisabled", session=True, cacheDisabled=not cache)
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self.wait("document.readyState === 'complete'")

    def wait(self, condition: str, timeout: float = 20):
        """Wait until a JavaScript expression is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(f"(function () {{ try {{ return {condition}; }} catch (e) {{ return null; }} }})()")
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {condition}")
            time.sleep(0.05)

    def type(self, text: str) -> None:
        """Type into the focused element, as an input method commits a word."""
        self.call("Input.insertText", session=True, text=text)

    def key(self, key: str, code: str | None = None, key_code: int = 0) -> None:
        """Press and release a key (`ArrowDown`, `Escape`, `Enter`, `Tab` …)."""
        codes = {"ArrowDown": 40, "ArrowUp": 38, "Escape": 27, "Enter": 13, "Tab": 9, "Home": 36, "End": 35}
        params = {"key": key, "code": code or key, "windowsVirtualKeyCode": key_code or codes.get(key, 0)}
        if key == "Enter":
            params["text"] = "\r"
        self.call("Input.dispatchKeyEvent", session=True, type="keyDown", **params)
        self.call("Input.dispatchKeyEvent", session=True, type="keyUp", **params)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element."""
        box = self.js(f"(function () {{ var e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
                      " var r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", session=True, type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def fetched(self, part: str = "") -> dict[str, int]:
        """URL -> bytes received on the wire, for the responses finished since `open`
        (or `events.clear()`) whose URL holds `part`."""
        self.js("0")  # collect the events that arrived meanwhile
        urls = {e["params"]["requestId"]: e["params"]["response"]["url"]
                for e in self.events if e["method"] == "Network.responseReceived"}
        out = {}
        for e in self.events:
            if e["method"] == "Network.loadingFinished":
                url = urls.get(e["params"]["requestId"], "")
                if part in url:
                    out[url] = out.get(url, 0) + int(e["params"]["encodedDataLength"])
        return out

    def screenshot(self, path) -> None:
        import base64

        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))
