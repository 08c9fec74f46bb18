"""One round of the real canary script (config/canary/canary.sh) under busybox, its requests captured.

The script runs with a PATH holding only busybox applets — what the pinned alpine image offers — and posts
to a loopback HTTP server standing in for Alloy's OTLP/HTTP receiver. `capture_round` returns the three
OTLP/JSON bodies by signal, as Alloy's receiver gets them.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from components.services import canary
from components.settings import from_stack_file
from tests.validators.tools import busybox_bin

APPLETS = ("sh", "wget", "timeout", "od", "tr", "date", "sleep", "touch", "echo", "find", "test")
SIGNALS = ("logs", "traces", "metrics")


def _applets(directory: Path) -> str:
    directory.mkdir()
    return busybox_bin(directory, APPLETS)  # skips without busybox (fails with REQUIRE_VALIDATORS=1)


def capture_round(workdir: Path) -> dict[str, dict[str, Any]]:
    """{signal: OTLP/JSON body} of the script's first round."""
    received: dict[str, dict[str, Any]] = {}

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received[self.path.removeprefix("/v1/")] = json.loads(body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    spec = canary.spec(from_stack_file("local"))
    script = workdir / "canary.sh"
    script.write_text(str(spec.files[0].content))
    env = {**{k: str(v) for k, v in spec.env.items()}, "PATH": _applets(workdir / "bin"),
           "CANARY_OTLP_ENDPOINT": f"http://127.0.0.1:{server.server_port}", "CANARY_INTERVAL_SECONDS": "3600",
           "CANARY_OK_FILE": str(workdir / "ok")}
    # Its own process group: the `sleep` it waits in goes with it (and holds no pipe open).
    process = subprocess.Popen(["sh", str(script)], env=env, cwd=workdir, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while set(received) != set(SIGNALS) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate(timeout=10)
        server.shutdown()
    assert set(received) == set(SIGNALS), f"canary sent {sorted(received)}; stderr: {stderr.decode()[-2000:]}"
    return received
