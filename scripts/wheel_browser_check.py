"""``python -m jupyterlab.browser_check`` with Debian's Chromium as the browser, for an environment without Node.

JupyterLab's check starts a real JupyterLab (any error the server logs fails it) and drives a browser through
Playwright, which needs Node and downloads its own Chromium. Here only that driver changes: Chromium is spoken
to over the DevTools protocol (tornado's websocket client), and the page is judged as ``browser-test.js`` does
(the errors JupyterLab collects in ``#browserTest`` until it is restored), plus this extension's own signs of
life: its frontend plugin activated and its sidebar tab present.

Usage: python scripts/wheel_browser_check.py --LabApp.expose_app_in_browser=True [other JupyterLab options]
(``window.jupyterapp`` tells which plugins are active); exit status 0 when the page is clean.
Chromium: $CHROMIUM_PATH, else ``chromium`` on the system PATH.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from jupyterlab.browser_check import BrowserApp, run_test
from tornado.websocket import websocket_connect

PLUGIN_ID = "jupyterlab_mlops:plugin"
SIDEBAR_ID = "jupyterlab-mlops-sidebar"
TIMEOUT_S = 120.0

PAGE_STATE_JS = f"""JSON.stringify({{
  completed: !!document.querySelector('#browserTest.completed'),
  errors: JSON.parse((document.querySelector('#browserTest') || {{}}).textContent || '[]'),
  pluginActive: !!(window.jupyterapp && window.jupyterapp.isPluginActivated('{PLUGIN_ID}')),
  sidebarTab: !!document.querySelector('[data-id="{SIDEBAR_ID}"]')
}})"""


class DevTools:
    """The DevTools protocol of one page target: commands, and the uncaught exceptions seen so far."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.uncaught: list[str] = []

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        call_id = self.next_id
        await self.ws.write_message(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                raise RuntimeError("Chromium closed the DevTools connection")
            message = json.loads(raw)
            if message.get("method") == "Runtime.exceptionThrown":
                details = message["params"]["exceptionDetails"]
                self.uncaught.append(details.get("exception", {}).get("description") or details.get("text", ""))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})


# Chromium's launcher script needs the system's tools; the server under test keeps its own PATH (without Node).
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium", path=SYSTEM_PATH) or "/usr/bin/chromium"


async def devtools_port(profile: Path, proc: subprocess.Popen) -> int:
    """Chromium writes the port it chose into the profile's ``DevToolsActivePort``."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Chromium exited with {proc.returncode}")
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        await asyncio.sleep(0.2)
    raise RuntimeError("Chromium did not open its DevTools port within 60 s")


async def check_page(url: str) -> None:
    """Load JupyterLab at ``url`` in headless Chromium; raise when it is not clean."""
    # Chromium's helper processes may still write to the profile after the browser exits (CI once failed with
    # "Directory not empty: 'Default'" on a check that had passed): the profile is removed as far as it can be.
    profile = tempfile.mkdtemp(prefix="mlops-chromium-")
    try:
        proc = subprocess.Popen(
            [
                chromium_path(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            env={**os.environ, "PATH": SYSTEM_PATH},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port = await devtools_port(Path(profile), proc)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
                pages = [t for t in json.load(answer) if t.get("type") == "page"]
            ws = await websocket_connect(pages[0]["webSocketDebuggerUrl"], max_message_size=64 * 1024 * 1024)
            tools = DevTools(ws)
            await tools.call("Runtime.enable")
            print(f"browser check: opening {url}", flush=True)
            await tools.call("Page.navigate", url=url)
            state: dict[str, Any] = {}
            deadline = time.monotonic() + TIMEOUT_S
            while time.monotonic() < deadline:
                result = await tools.call("Runtime.evaluate", expression=PAGE_STATE_JS, returnByValue=True)
                try:
                    state = json.loads(result.get("result", {}).get("value") or "{}")
                except ValueError:
                    state = {}
                alive = state.get("pluginActive") and state.get("sidebarTab")
                if state.get("completed") and (alive or state.get("errors")):
                    break
                await asyncio.sleep(0.5)
            ws.close()
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    problems = [f"page error: {e}" for e in [*state.get("errors", []), *tools.uncaught]]
    if not state.get("completed"):
        problems.append(f"JupyterLab did not finish restoring within {TIMEOUT_S:.0f} s")
    if not state.get("pluginActive"):
        problems.append(f"plugin {PLUGIN_ID} is not activated (is the labextension in the wheel?)")
    if not state.get("sidebarTab"):
        problems.append(f"no sidebar tab #{SIDEBAR_ID}")
    if problems:
        raise RuntimeError("; ".join(problems) + f" (page state: {json.dumps(state)})")
    print("browser check: JupyterLab restored, plugin active, sidebar tab present, no page errors", flush=True)


class ChromiumBrowserApp(BrowserApp):
    """JupyterLab's ``BrowserApp`` (server error check, test page config) with :func:`check_page` as the browser."""

    name = __name__

    def initialize_handlers(self) -> None:
        run_test(self.serverapp, check_page)
        super(BrowserApp, self).initialize_handlers()  # LabApp's: BrowserApp's own would start Playwright


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": __name__, "app": ChromiumBrowserApp}]


if __name__ == "__main__":
    ChromiumBrowserApp.launch_instance()
