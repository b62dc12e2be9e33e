#!/usr/bin/env python3
"""Render report pages in headless Chromium the way a reader sees them.

For each page given, the browser loads it from disk at a fixed window size
and this script checks that:

* the page logged nothing to the console at level warning or error, threw no
  script exception, and the browser reported no error about it (an SVG
  attribute it could not parse, a resource it could not load, ...);
* the screenshot of the first screen is not blank: enough pixels differ from
  the page's background, in more than a handful of colours;
* the page is not wider than the window (nothing to scroll sideways), and it
  has text.

With --screenshots DIR it also writes each page's first screen as a PNG.

The browser is driven through the DevTools protocol over a pipe
(--remote-debugging-pipe: JSON messages separated by NUL bytes on file
descriptors 3 and 4), so the script needs only the Python standard library
and Debian's `chromium` package.

Usage: render.py [--chromium PATH] [--width W] [--height H]
                 [--screenshots DIR] NAME=PAGE.html ...
Exit status: 0 when every page passes, 1 when one fails, 2 on bad usage.
"""

import argparse
import base64
import json
import os
import struct
import subprocess
import sys
import time
import zlib


class Browser:
    """One headless Chromium, spoken to over the DevTools pipe."""

    def __init__(self, chromium, width, height):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def child_fds():
            # Chromium reads commands on fd 3 and writes replies on fd 4.
            # Copies first, so that neither end is overwritten when a pipe
            # already sits at 3 or 4; then both made to survive the exec.
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            # The pipes are not inheritable; only the two copies dup2 makes
            # at 3 and 4 survive the exec.
            close_fds=False,
            preexec_fn=child_fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("RENDER_DEBUG") else subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        return self.next_id

    def receive(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from the browser")
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("the browser closed its pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None, timeout=60):
        """Sends a command and waits for its answer, keeping events."""
        wanted = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = self.receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event, session, timeout=60):
        deadline = time.monotonic() + timeout
        for i, message in enumerate(self.events):
            if message.get("method") == event and message.get("sessionId") == session:
                del self.events[i]
                return message
        while True:
            message = self.receive(deadline)
            if message.get("method") == event and message.get("sessionId") == session:
                return message
            if "method" in message:
                self.events.append(message)

    def close(self):
        try:
            self.send("Browser.close")
        except OSError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.to_browser)
        os.close(self.from_browser)


def png_pixels(data):
    """Decodes an 8-bit RGB or RGBA PNG into (width, height, rows of bytes, channels)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour})")
    channels = 3 if colour == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            up_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows, channels


def ink(data):
    """Share of pixels unlike the background (the top-left pixel), and how
    many distinct colours the first screen holds."""
    width, height, rows, channels = png_pixels(data)
    background = rows[0][0:3]
    marked, colours = 0, set()
    for row in rows:
        for x in range(0, width * channels, channels):
            pixel = row[x : x + 3]
            if pixel != background:
                marked += 1
            if len(colours) < 4096:
                colours.add(pixel)
    return marked / (width * height), len(colours)


def problems_of(events, session):
    """What the browser said about the page: console warnings and errors,
    exceptions, and its own log entries at warning or error level."""
    found = []
    for message in events:
        if message.get("sessionId") != session:
            continue
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in (
            "error",
            "warning",
            "assert",
        ):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            found.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") in ("error", "warning"):
                found.append(f"{entry.get('source')} {entry.get('level')}: {entry.get('text')}")
    return found


def check_page(browser, name, path, width, height, screenshots):
    """Loads one page; returns the list of what is wrong with it."""
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        browser.call(f"{domain}.enable", session=session)
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    url = "file://" + os.path.abspath(path)
    browser.call("Page.navigate", {"url": url}, session=session)
    browser.wait_for("Page.loadEventFired", session)
    # Let late messages (layout, SVG parsing) arrive.
    browser.call("Runtime.evaluate", {"expression": "1"}, session=session)
    time.sleep(0.3)
    browser.call("Runtime.evaluate", {"expression": "1"}, session=session)

    measured = browser.call(
        "Runtime.evaluate",
        {
            "expression": "JSON.stringify({scroll: document.documentElement.scrollWidth,"
            " client: document.documentElement.clientWidth,"
            " text: document.body ? document.body.innerText.length : 0,"
            " svgs: document.querySelectorAll('svg').length})",
            "returnByValue": True,
        },
        session=session,
    )["result"]["value"]
    measured = json.loads(measured)
    def capture(scale):
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": scale}
        return base64.b64decode(
            browser.call(
                "Page.captureScreenshot", {"format": "png", "clip": clip}, session=session
            )["data"]
        )

    # The blank check reads a quarter-scale image: enough to see ink, and
    # sixteen times fewer pixels to decode in Python.
    small = capture(0.25)
    shot = capture(1) if screenshots else None
    problems = problems_of(browser.events, session)
    browser.events = [m for m in browser.events if m.get("sessionId") != session]
    browser.call("Target.closeTarget", {"targetId": target})

    share, colours = ink(small)
    if share < 0.01 or colours < 8:
        problems.append(f"the first screen looks blank ({share:.1%} of pixels marked, {colours} colours)")
    if measured["scroll"] > measured["client"] + 1:
        problems.append(
            f"the page is {measured['scroll']} px wide in a {measured['client']} px window"
        )
    if measured["text"] == 0:
        problems.append("the page has no text")
    if screenshots:
        with open(os.path.join(screenshots, f"{name}.png"), "wb") as f:
            f.write(shot)
    return problems, share, measured["svgs"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "chromium"))
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--screenshots", metavar="DIR")
    parser.add_argument("pages", nargs="+", metavar="NAME=PAGE.html")
    args = parser.parse_args()
    pages = []
    for item in args.pages:
        name, sep, path = item.partition("=")
        if not sep or not os.path.isfile(path):
            parser.error(f"{item}: expected NAME=PATH to an existing page")
        pages.append((name, path))
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)

    browser = Browser(args.chromium, args.width, args.height)
    failed = 0
    try:
        for name, path in pages:
            problems, share, svgs = check_page(
                browser, name, path, args.width, args.height, args.screenshots
            )
            status = "ok" if not problems else "FAILED"
            print(f"{status:6} {name}: {path} ({svgs} charts, {share:.1%} of the first screen marked)")
            for p in problems:
                print(f"         {p}")
            failed += bool(problems)
    finally:
        browser.close()
    print(f"{len(pages) - failed} of {len(pages)} pages passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
