"""The CLI's rough edges around ports and versions, through the real `contractloop` command: a taken port is
one line naming it and the option that chooses another (nothing started, nothing seeded), and a port a
server just released cleanly is free again at once (not refused for a minute of TIME_WAIT)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from sandbox.http import BackgroundServer, free_port, port_free

CLI = str(Path(sys.executable).parent / "contractloop")


def run_cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTRACTLOOP_DATA_DIR": str(cwd / "data")}
    return subprocess.run([CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port some other program is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"contractloop {version('contractloop')}"


@pytest.mark.parametrize("command, option", [
    (("serve",), "--port"),
    (("serve",), "--sf-port"),
    (("serve",), "--ironclad-port"),
    (("sandbox", "up"), "--sf-port"),
    (("sandbox", "up"), "--ironclad-port"),
])
def test_a_taken_port_is_one_line_naming_the_option(tmp_path: Path, taken_port: int, command: tuple[str, ...],
                                                    option: str) -> None:
    ports = {"--port": "0", "--sf-port": "0", "--ironclad-port": "0"}
    if command == ("sandbox", "up"):
        del ports["--port"]
    ports[option] = str(taken_port)
    result = run_cli(*command, *[a for pair in ports.items() for a in pair], "--opportunities", "5", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"contractloop: port {taken_port} on 127.0.0.1 is in use; choose another with {option}"]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "data" / "sandbox").exists()  # refused before anything was created or seeded


def _hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


def test_a_port_released_cleanly_is_free_again_at_once() -> None:
    app = Starlette(routes=[Route("/", _hello)])
    server = BackgroundServer(app, port=free_port()).start()
    port = server.port
    with httpx.Client() as client:
        assert client.get(server.url).text == "hello"
        server.stop()  # the server closes the kept-alive connection first: its side waits in TIME_WAIT
    # What the old check did, and why a restart was refused for about a minute:
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))
    assert port_free("127.0.0.1", port)
    with BackgroundServer(app, port=port) as again:  # and a server really can listen there now
        assert httpx.get(again.url).text == "hello"


def test_a_public_url_that_is_not_a_url_is_one_line(tmp_path: Path) -> None:
    result = run_cli("serve", "--port", "0", "--public-url", "contracts.example.com", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == ("contractloop: --public-url / CONTRACTLOOP_PUBLIC_URL must be an absolute "
                                     "http(s) URL such as https://contracts.example.com, not 'contracts.example.com'")
    assert not (tmp_path / "data").exists()
