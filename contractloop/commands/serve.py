"""`contractloop serve`: the sandboxes and the LangGraph server (graph + Flow routes) together, in the foreground.

The server is `langgraph dev` on the project's langgraph.json, so LangGraph Studio works against it too,
through `contractloop studio` (the server answers nothing without the key).
It runs in a state directory under CONTRACTLOOP_DATA_DIR (not the repo root), because `langgraph dev`
keeps its threads in `./.langgraph_api/` of its working directory.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO
from urllib.parse import urlparse

import httpx
from dotenv import dotenv_values

from api.auth import configured_key
from contractloop.commands.sandbox import add_port_options, check_sandbox_ports
from core.settings import (
    ENV_FILE_VARIABLE,
    PROJECT_ROOT,
    ConfigurationError,
    Settings,
    env_file,
    get_settings,
    settings_from,
)
from sandbox.http import PortInUseError, check_ports_free, free_port, port_free
from tools.ironclad.client import IroncladClient
from tools.ironclad.errors import IroncladError
from tools.ironclad.registration import register_webhook, webhook_url

# Keep `langgraph dev` from calling home: no analytics, no version check, no tracing upload.
OFFLINE_ENV = {
    "LANGSMITH_TRACING": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
    "LANGSMITH_TEST_TRACKING": "false",
}
API_KEY_FILE = "flow-api-key"
WEBHOOK_STATE_FILE = "ironclad-webhook.json"


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="run the sandboxes and the LangGraph server with the Flow API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2024, help="LangGraph server port (0 = any free port)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="use the SF_*/IRONCLAD_* settings as configured instead of starting the emulators")
    parser.add_argument("--opportunities", type=int, default=200, help="opportunities to seed in the sandbox org")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fresh", action="store_true", help="discard sandbox and server state first")
    parser.add_argument("--jobs", type=int, default=8, help="runs the server executes at the same time")
    parser.add_argument("--public-url", default=None,
                        help="the URL Ironclad should call us at when behind a proxy or tunnel (default: the "
                             "server's own URL; also CONTRACTLOOP_PUBLIC_URL)")
    parser.add_argument("--no-register-webhook", action="store_true",
                        help="do not register the Ironclad webhook at start (it is registered another way)")
    add_port_options(parser)
    parser.set_defaults(handler=run)


def runtime_config(target_dir: Path, project_root: Path = PROJECT_ROOT) -> Path:
    """Copy langgraph.json into `target_dir` with every path made absolute, so the server can run there."""
    config = json.loads((project_root / "langgraph.json").read_text())

    def absolute(spec: str) -> str:
        path, _, attr = spec.partition(":")
        resolved = str((project_root / path).resolve())
        return f"{resolved}:{attr}" if attr else resolved

    config["dependencies"] = [absolute(d) for d in config.get("dependencies", [])]
    for graph in config["graphs"].values():
        graph["path"] = absolute(graph["path"])
    for section in ("auth", "checkpointer"):
        if section in config:
            config[section]["path"] = absolute(config[section]["path"])
    if "http" in config and "app" in config["http"]:
        config["http"]["app"] = absolute(config["http"]["app"])
    # The `.env` reaches the server through its process environment instead (see `server_environment`):
    # `langgraph dev` would let the file's values override the real environment, sandbox settings included.
    config.pop("env", None)
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / "langgraph.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def server_environment(explicit: Mapping[str, str]) -> dict[str, str]:
    """The server's environment: the same `.env` the CLI read (settings.env_file), under the real environment,
    under what the caller sets explicitly (sandbox settings, API key). The server is told the same file, so
    its own settings agree whatever its working directory."""
    path = env_file()
    if path is not None and not path.is_file():  # the default <repo>/.env need not exist
        path = None
    from_file = {k: v for k, v in dotenv_values(path).items() if v is not None} if path else {}
    env = {**from_file, **os.environ, **OFFLINE_ENV, **explicit, ENV_FILE_VARIABLE: str(path or "")}
    env.pop("LANGSMITH_API_KEY", None)  # a key would switch tracing (and uploads) back on
    return env


class LangGraphServer:
    """`langgraph dev --no-reload` as a child process in its own state directory."""

    def __init__(self, state_dir: Path, env: Mapping[str, str], host: str = "127.0.0.1", port: int = 0,
                 jobs: int = 8, log: IO[bytes] | None = None) -> None:
        self.state_dir = state_dir
        self.host = host
        self.port = port or free_port(host)
        self.jobs = jobs
        self.env = server_environment(env)
        self.log_path = state_dir / "server.log"
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 60.0) -> LangGraphServer:
        if not port_free(self.host, self.port):
            raise PortInUseError(self.host, self.port, "--port")
        config = runtime_config(self.state_dir)
        command = [str(Path(sys.executable).parent / "langgraph"), "dev", "--no-reload", "--no-browser",
                   "--config", str(config), "--host", self.host, "--port", str(self.port),
                   "--n-jobs-per-worker", str(self.jobs)]
        output = self._log or self.log_path.open("ab")
        self._process = subprocess.Popen(command, cwd=self.state_dir, env=self.env, stdout=output,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"langgraph dev exited with {self._process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/ok", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"langgraph dev did not answer /ok within {timeout:.0f} s; see {self.log_path}")

    def wait(self) -> int:
        assert self._process is not None
        return self._process.wait()

    def stop(self) -> None:
        if self._process is not None:
            terminate(self._process, timeout=15)

    def __enter__(self) -> LangGraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def terminate(process: subprocess.Popen[bytes], timeout: float) -> int:
    """Stop a child as a service manager would: SIGTERM, then SIGKILL after `timeout`; its exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def run(args: argparse.Namespace) -> int:
    from sandbox.stack import SandboxStack

    # A service manager stops us with SIGTERM: unwind like Ctrl-C so the server and sandboxes stop too.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    settings = get_settings()
    public_url = args.public_url or settings.contractloop_public_url
    if public_url and (urlparse(public_url).scheme not in ("http", "https") or not urlparse(public_url).netloc):
        raise ConfigurationError(f"--public-url / CONTRACTLOOP_PUBLIC_URL must be an absolute http(s) URL such as "
                                 f"https://contracts.example.com, not {public_url!r}")
    check_ports_free(args.host, {"--port": args.port})
    if not args.no_sandbox:
        check_sandbox_ports(args)
    data_dir = settings.contractloop_data_dir
    state_dir = data_dir / "langgraph"
    if args.fresh:
        # The webhook we registered is kept in mind: it lives in the tenant, which --fresh does not reset
        # when it is a real one (a fresh sandbox tenant simply does not know the id).
        for stale in (state_dir / ".langgraph_api", data_dir / "flow_events.sqlite", data_dir / API_KEY_FILE):
            _remove(stale)
    env = {"CONTRACTLOOP_API_KEY": configured_key() or _kept_api_key(data_dir / API_KEY_FILE),
           "CONTRACTLOOP_DATA_DIR": str(data_dir)}
    if public_url:
        env["CONTRACTLOOP_PUBLIC_URL"] = public_url
    stack = None
    if not args.no_sandbox:
        stack = SandboxStack(data_dir / "sandbox", opportunities=args.opportunities, seed=args.seed,
                             sf_port=args.sf_port, ironclad_port=args.ironclad_port, fresh=args.fresh).start()
        env.update(stack.env())
    try:
        server = LangGraphServer(state_dir, env, host=args.host, port=args.port, jobs=args.jobs).start()
        try:
            env["CONTRACTLOOP_API_URL"] = server.url
            for key, value in env.items():
                print(f"{key}={value}")
            if args.no_register_webhook:
                print("# Ironclad webhook: not registered (--no-register-webhook)")
            else:
                ironclad_settings = settings_from(stack.env()) if stack is not None else settings
                for line in register_our_webhook(ironclad_settings, public_url or server.url,
                                                 data_dir / WEBHOOK_STATE_FILE):
                    print(line)
            print(f"# Flow API: {server.url}/flow/...  OpenAPI: {server.url}/flow/openapi.json")
            print("# Studio: with these settings exported, `contractloop studio` in another shell prints its link "
                  "(Studio reaches this keyed server through a loopback proxy that adds the key)")
            print(f"# server log: {server.log_path}. Ctrl-C stops everything.", flush=True)
            return server.wait()
        finally:
            server.stop()
    finally:
        if stack is not None:
            stack.stop()


def register_our_webhook(settings: Settings, public_url: str, state_file: Path) -> list[str]:
    """Register (or reuse) the webhook that brings signed contracts to this server; the lines to print.
    A failure is reported, not fatal: the Flow API works without it, and the next start tries again."""
    target = webhook_url(public_url)
    try:
        with IroncladClient.from_settings(settings) as ironclad:
            registration = register_webhook(ironclad, target, state_file=state_file)
    except (ValueError, IroncladError) as exc:
        return [f"# Ironclad webhook NOT registered ({exc}); signed contracts will not reach {target}. "
                "Fix the IRONCLAD_* settings, or pass --no-register-webhook if it is registered another way."]
    lines = [f"# Ironclad webhook: {registration.describe()}"]
    if not _loopback(settings.ironclad_base_url) and (not target.startswith("https://") or _loopback(target)):
        lines.append(f"# warning: {settings.ironclad_base_url} must reach {target}; a real tenant needs a public "
                     "https URL: pass --public-url (or set CONTRACTLOOP_PUBLIC_URL)")
    return lines


def _loopback(url: str) -> bool:
    return (urlparse(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


def _kept_api_key(path: Path) -> str:
    """The Flow API key generated for this data directory, the same across restarts (a Named Credential
    holds it); `--fresh` makes a new one."""
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    key = secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(key + "\n")
    return key


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
