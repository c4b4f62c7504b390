"""The `contractloop` console command. Each sub-command lives in its own module under commands/."""

from __future__ import annotations

import argparse
import sys

from contractloop import __version__
from contractloop.commands import audit, backfill, demo, eval_cmd, renewals, sandbox, serve, studio, train_cmd
from core.settings import ConfigurationError
from sandbox.http import PortInUseError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="contractloop",
        description="Close the loop between Salesforce and Ironclad with AI agents.",
    )
    parser.add_argument("--version", action="version", version=f"contractloop {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sandbox.add_parser(sub)
    demo.add_parser(sub)
    serve.add_parser(sub)
    eval_cmd.add_parser(sub)
    backfill.add_parser(sub)
    renewals.add_parser(sub)
    studio.add_parser(sub)
    train_cmd.add_parser(sub)
    audit.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (PortInUseError, ConfigurationError) as exc:  # a usage problem, not a crash: one line naming the port and the option
        print(f"contractloop: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
