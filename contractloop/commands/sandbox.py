"""`contractloop sandbox up`: serve the Salesforce and Ironclad emulators in the foreground."""

from __future__ import annotations

import argparse
import signal
import time
from pathlib import Path

from core.settings import get_settings
from sandbox.http import check_ports_free
from sandbox.stack import DEFAULT_IRONCLAD_PORT, DEFAULT_SF_PORT, SandboxStack


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("sandbox", help="the local Salesforce and Ironclad emulators")
    actions = parser.add_subparsers(dest="action", required=True)
    up = actions.add_parser("up", help="start both emulators in the foreground (Ctrl-C stops them)")
    up.add_argument("--opportunities", type=int, default=200, help="opportunities to seed (100 to 100,000)")
    up.add_argument("--seed", type=int, default=7, help="seed of the deterministic data generator")
    add_port_options(up)
    up.add_argument("--data-dir", type=Path, default=None, help="state directory (default: var/sandbox)")
    up.add_argument("--fresh", action="store_true", help="discard existing sandbox state first")
    up.set_defaults(handler=run_up)


def add_port_options(parser: argparse.ArgumentParser) -> None:
    """The emulators' ports, shared by `sandbox up` and `serve`."""
    parser.add_argument("--sf-port", type=int, default=DEFAULT_SF_PORT,
                        help=f"Salesforce sandbox port (default {DEFAULT_SF_PORT}; 0 = any free port)")
    parser.add_argument("--ironclad-port", type=int, default=DEFAULT_IRONCLAD_PORT,
                        help=f"Ironclad sandbox port (default {DEFAULT_IRONCLAD_PORT}; 0 = any free port)")


def check_sandbox_ports(args: argparse.Namespace, host: str = "127.0.0.1") -> None:
    """Refuse taken ports up front, naming the option, before anything starts or is seeded."""
    check_ports_free(host, {"--sf-port": args.sf_port, "--ironclad-port": args.ironclad_port})


def run_up(args: argparse.Namespace) -> int:
    if not 1 <= args.opportunities <= 100_000:
        raise SystemExit("--opportunities must be between 1 and 100,000")
    check_sandbox_ports(args)
    data_dir = args.data_dir or get_settings().contractloop_data_dir / "sandbox"
    stack = SandboxStack(data_dir, opportunities=args.opportunities, seed=args.seed, sf_port=args.sf_port,
                         ironclad_port=args.ironclad_port, fresh=args.fresh)
    # Ctrl-C (SIGINT) stops it even when started in the background of a script, which starts it with SIGINT
    # ignored (POSIX, for asynchronous commands of a non-interactive shell).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with stack:
        for key, value in stack.env().items():
            print(f"{key}={value}")
        print("# sandbox running; export the lines above (or eval them) in another shell. Ctrl-C stops.",
              flush=True)
        while True:
            time.sleep(3600)
