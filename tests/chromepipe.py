"""Driving Debian's headless chromium from a test, as a person on a phone would: open a page,
tap, type (also through an input method, as the system Chinese keyboard sends text), press
keys, read the page, take a screenshot.

The DevTools protocol runs over a pipe (`--remote-debugging-pipe`: JSON messages ending in a
NUL byte, commands on fd 3, answers on fd 4), so no port, no websocket library and no
browser download are needed; only the chromium that tests/test_site_browser.py uses.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}


class BrowserError(AssertionError):
    pass


class Chrome:
    def __init__(self, profile: Path, phone: bool = True):
        assert CHROMIUM, "chromium is not installed (apt-get install chromium; .ci/run does it)"
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()

        def plumbing():
            os.dup2(commands_read, 3)
            os.dup2(answers_write, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--lang=zh-CN", "about:blank"],
            pass_fds=(3, 4), preexec_fn=plumbing, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []
        page = next(t for t in self.send("Target.getTargets")["targetInfos"] if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})["sessionId"]
        for domain in ("Page.enable", "Runtime.enable"):
            self.send(domain, session=True)
        if phone:
            self.send("Emulation.setDeviceMetricsOverride", PHONE, session=True)
            self.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5}, session=True)

    # --- the protocol ---------------------------------------------------------------------

    def send(self, method: str, params: dict | None = None, session: bool = False, timeout: float = 60) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" not in self._buffer:
                if time.monotonic() > deadline:
                    raise BrowserError(f"{method}: no answer in {timeout} s")
                chunk = os.read(self._answers, 1 << 16)
                if not chunk:
                    raise BrowserError("chromium went away")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for fd in (self._commands, self._answers):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- what a test does -----------------------------------------------------------------

    def eval(self, expression: str, wait: bool = True):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": wait},
                           session=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.eval(f"!!({expression})")
            if value:
                return
            time.sleep(0.1)
        state = self.eval("[location.href, document.readyState, document.title].join(' | ')")
        raise BrowserError(f"waited {timeout} s for {expression}; the page: {state}")

    def goto(self, url: str, ready: str = "true") -> None:
        self.eval("window.__leaving = true")  # the page being left; the new one has no such mark
        self.send("Page.navigate", {"url": url}, session=True)
        self.wait_for(f"!window.__leaving && location.href === {json.dumps(url)} && document.readyState === 'complete' && ({ready})")

    def tap(self, selector: str) -> None:
        """A finger on the element's middle (scrolled into view first)."""
        box = self.eval(f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2]; }})()""")
        x, y = box
        point = {"x": x, "y": y, "radiusX": 5, "radiusY": 5}
        self.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]}, session=True)
        self.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []}, session=True)
        time.sleep(0.05)

    def fill(self, selector: str, text: str, pinyin: str | None = None) -> None:
        """Tap the field, clear it and type `text`; with `pinyin`, the way a Chinese input method
        sends it: the letters as a composition first, then the chosen characters."""
        self.tap(selector)
        self.eval(f"(e => e.select && e.select())(document.querySelector({json.dumps(selector)}))")
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Backspace", "code": "Backspace",
                                             "windowsVirtualKeyCode": 8}, session=True)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Backspace", "code": "Backspace",
                                             "windowsVirtualKeyCode": 8}, session=True)
        if pinyin:
            for n in range(1, len(pinyin) + 1):
                self.send("Input.imeSetComposition", {"text": pinyin[:n], "selectionStart": n, "selectionEnd": n},
                          session=True)
        self.send("Input.insertText", {"text": text}, session=True)

    def choose(self, selector: str, value: str) -> None:
        """Pick `value` in a native picker (a <select>, a date or time field): the phone's own
        wheel or calendar, which the protocol cannot turn, sets the value and says so."""
        self.tap(selector)
        self.eval(f"""(() => {{ const e = document.querySelector({json.dumps(selector)}); e.value = {json.dumps(value)};
            e.dispatchEvent(new Event('input', {{bubbles: true}})); e.dispatchEvent(new Event('change', {{bubbles: true}})); }})()""")

    def press(self, key: str) -> None:
        codes = {"Enter": 13, "Tab": 9, "Backspace": 8}
        params = {"key": key, "code": key, "windowsVirtualKeyCode": codes.get(key, 0)}
        if key == "Enter":
            params["text"] = "\r"
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", **params}, session=True)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **params}, session=True)

    def text(self, selector: str) -> str:
        return self.eval(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''")

    def screenshot(self, path: Path, full_page: bool = True) -> None:
        params = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            height = self.eval("document.documentElement.scrollHeight")
            params["clip"] = {"x": 0, "y": 0, "width": PHONE["width"], "height": height, "scale": 1}
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", params, session=True)["data"]))
