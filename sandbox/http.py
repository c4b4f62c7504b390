"""Run an ASGI app (an emulator) on a loopback port in a background thread.

Used by `contractloop sandbox up` and by the pytest fixtures, so tests talk to the emulators over
real HTTP exactly as the clients would talk to the real services.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on `host:port` now. Binds the way uvicorn does, with SO_REUSEADDR,
    so sockets a stopped server left in TIME_WAIT do not count as "in use" (a plain bind would refuse
    for about a minute after a clean stop)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


class PortInUseError(RuntimeError):
    """A port asked for is taken; the message names the port and the option that chooses another."""

    def __init__(self, host: str, port: int, option: str) -> None:
        super().__init__(f"port {port} on {host} is in use; choose another with {option}")
        self.host, self.port, self.option = host, port, option


def check_ports_free(host: str, ports: dict[str, int | None]) -> None:
    """Raise `PortInUseError` for the first taken port of `{option: port}` (0 or None = any free port)."""
    for option, port in ports.items():
        if port and not port_free(host, port):
            raise PortInUseError(host, port, option)


@dataclass
class TlsFiles:
    certfile: Path
    keyfile: Path


class BackgroundServer:
    """A uvicorn server in a daemon thread; `start()` returns once it accepts connections."""

    def __init__(self, app, host: str = "127.0.0.1", port: int | None = None, tls: TlsFiles | None = None,
                 log_level: str = "warning") -> None:
        self.host = host
        self.port = port or free_port(host)
        self.tls = tls
        config = uvicorn.Config(
            app,
            host=host,
            port=self.port,
            log_level=log_level,
            lifespan="off",
            ssl_certfile=str(tls.certfile) if tls else None,
            ssl_keyfile=str(tls.keyfile) if tls else None,
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=f"sandbox-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"server on {self.host}:{self.port} failed to start")
            if time.monotonic() > deadline:
                raise TimeoutError(f"server on {self.host}:{self.port} did not start in {timeout}s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._server.force_exit = True  # don't wait for idle keep-alive connections to close
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
