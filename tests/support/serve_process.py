"""`contractloop serve` as a user runs it: the real console command in a subprocess, in its own working
directory and data directory, read from its stdout (`KEY=value` settings, then `# ...` notes)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from contractloop.commands.serve import terminate

CLI = str(Path(sys.executable).parent / "contractloop")
READY_PREFIX = "# server log:"  # serve prints this line last, once everything is up


class ServeProcess:
    def __init__(self, *args: str, cwd: Path, env: Mapping[str, str | None] | None = None,
                 timeout: float = 90.0) -> None:
        self.args = ["serve", "--port", "0", "--sf-port", "0", "--ironclad-port", "0", "--opportunities", "20",
                     "--jobs", "2", *args]
        self.cwd = cwd
        environment = dict(os.environ)
        for key, value in (env or {}).items():
            if value is None:
                environment.pop(key, None)
            else:
                environment[key] = value
        self.environment = environment
        self.timeout = timeout
        self.settings: dict[str, str] = {}
        self.notes: list[str] = []
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()

    def start(self) -> ServeProcess:
        self.stderr_path = self.cwd / "serve.stderr"
        with self.stderr_path.open("a") as stderr:  # a file, not a pipe nobody reads that could fill up
            self._process = subprocess.Popen([CLI, *self.args], cwd=self.cwd, env=self.environment, text=True,
                                             stdout=subprocess.PIPE, stderr=stderr)
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise TimeoutError(f"serve printed no '{READY_PREFIX}' line in {self.timeout:.0f} s") from None
            if line is None:
                stderr = self.stderr_path.read_text()
                raise RuntimeError(f"serve exited with {self._process.wait()} before it was ready:\n{stderr}")
            if line.startswith("#"):
                self.notes.append(line)
                if line.startswith(READY_PREFIX):
                    return self
            elif "=" in line:
                key, _, value = line.partition("=")
                self.settings[key] = value

    def _pump(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    @property
    def url(self) -> str:
        return self.settings["CONTRACTLOOP_API_URL"]

    def http(self, api_key: str | None = None) -> httpx.Client:
        key = api_key or self.settings["CONTRACTLOOP_API_KEY"]
        return httpx.Client(base_url=self.url, headers={"X-API-Key": key}, timeout=30)

    def note(self, prefix: str) -> str:
        return next(n for n in self.notes if n.startswith(prefix))

    def stop(self) -> int:
        """Stop it as a service manager would (SIGTERM); serve stops its server and sandboxes itself."""
        if self._process is None:
            return 0
        return terminate(self._process, timeout=30)

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
