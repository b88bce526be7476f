"""tests/chromium.py's headless chromium as a phone: 390 px wide, touch, and the gestures a
person uses on a form -- tap a field or a button, type (also through an input method, as the
system Chinese keyboard sends text: the pinyin as a composition, then the chosen characters),
pick a value in a native picker, read what the page says, take a screenshot of all of it."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

from chromium import Browser, BrowserError

WIDTH, HEIGHT = 390, 844


class Phone(Browser):
    def __init__(self):
        super().__init__(width=WIDTH, height=HEIGHT, mobile=True)
        self.call("Emulation.setTouchEmulationEnabled", session=True, enabled=True, maxTouchPoints=5)

    def wait_for(self, condition: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.js(f"(function () {{ try {{ return !!({condition}); }} catch (e) {{ return false; }} }})()"):
            if time.monotonic() > deadline:
                state = self.js("[location.href, document.readyState, document.title].join(' | ')")
                raise BrowserError(f"waited {timeout} s for {condition}; the page: {state}")
            time.sleep(0.05)

    def goto(self, url: str, ready: str = "true") -> None:
        """Load `url` (also the page already shown: a reload) and wait until `ready` holds."""
        self.js("window.__leaving = true")  # the page being left; the new one has no such mark
        self.call("Page.navigate", session=True, url=url)
        self.wait_for(f"!window.__leaving && location.href === {json.dumps(url)} && document.readyState === 'complete' && ({ready})")

    def tap(self, selector: str) -> None:
        """A finger on the middle of the element (scrolled into view first)."""
        x, y = self.js(f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2]; }})()""")
        self.call("Input.dispatchTouchEvent", session=True, type="touchStart", touchPoints=[{"x": x, "y": y}])
        self.call("Input.dispatchTouchEvent", session=True, type="touchEnd", touchPoints=[])
        time.sleep(0.05)

    def fill(self, selector: str, text: str, pinyin: str | None = None) -> None:
        """Tap the field, clear it and type `text`; with `pinyin`, as an input method does."""
        self.tap(selector)
        self.js(f"(e => e.select && e.select())(document.querySelector({json.dumps(selector)}))")
        self.key("Backspace", key_code=8)
        for n in range(1, len(pinyin or "") + 1):
            self.call("Input.imeSetComposition", session=True, text=pinyin[:n], selectionStart=n, selectionEnd=n)
        self.type(text)

    def choose(self, selector: str, value: str) -> None:
        """Pick `value` in a native picker (a <select>, a date or time field): the phone's own
        wheel or calendar, which the protocol cannot turn, sets the value and says so."""
        self.tap(selector)
        self.js(f"""(() => {{ const e = document.querySelector({json.dumps(selector)}); e.value = {json.dumps(value)};
            e.dispatchEvent(new Event('input', {{bubbles: true}})); e.dispatchEvent(new Event('change', {{bubbles: true}})); }})()""")

    def text(self, selector: str) -> str:
        return self.js(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''")

    def screenshot_from(self, path: Path, selector: str, height: int) -> None:
        """`height` CSS pixels of the page from the top of `selector`, at phone width."""
        top = self.js(f"document.querySelector({json.dumps(selector)}).getBoundingClientRect().top + window.scrollY - 8")
        clip = {"x": 0, "y": top, "width": WIDTH, "height": height, "scale": 1}
        data = self.call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True, clip=clip)["data"]
        path.write_bytes(base64.b64decode(data))
