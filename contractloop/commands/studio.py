"""`contractloop studio`: open LangGraph Studio on a running, keyed contractloop server.

Starts the loopback proxy of `contractloop.studio_proxy` in the foreground and prints the Studio link.
"""

from __future__ import annotations

import argparse
import time

from api.auth import configured_key
from contractloop.studio_proxy import STUDIO_ORIGIN, build_proxy
from core.settings import get_settings
from sandbox.http import BackgroundServer

STUDIO_URL = "https://smith.langchain.com/studio/?baseUrl={url}"


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("studio", help="let LangGraph Studio reach the server (a loopback proxy adding the key)")
    parser.add_argument("--server", default=None, help="the server's URL (default: CONTRACTLOOP_API_URL)")
    parser.add_argument("--port", type=int, default=0, help="proxy port on 127.0.0.1 (0 = any free port)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    key = configured_key()
    if not key:
        raise SystemExit("set CONTRACTLOOP_API_KEY to the server's key (`contractloop serve` prints it)")
    upstream = args.server or get_settings().contractloop_api_url
    proxy = BackgroundServer(build_proxy(upstream, key), port=args.port or None).start()
    print(f"# Studio proxy for {upstream} on {proxy.url} (loopback only; it adds your key, allows {STUDIO_ORIGIN})")
    print(f"# Open: {STUDIO_URL.format(url=proxy.url)}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        proxy.stop()
