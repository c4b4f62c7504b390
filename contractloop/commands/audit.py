"""`contractloop audit show CORRELATION_ID` (one deal's trail across both systems) and `audit verify` (the hash
chain: exit 1 naming the first edited, removed or reordered entry)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.settings import get_settings
from runtime.audit_chain import AuditChain
from runtime.audit_store import open_audit_log


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("audit", help="show one deal's audit trail, or verify the hash chain")
    parser.add_argument("--path", type=Path, default=None, help="the audit log (default: CONTRACTLOOP_AUDIT_PATH "
                                                                "or <data dir>/audit.sqlite)")
    parser.add_argument("--database-url", default=None,
                        help="the audit log in PostgreSQL, a postgresql:// URL (default: "
                             "CONTRACTLOOP_AUDIT_DATABASE_URL; set, it wins over the SQLite file)")
    actions = parser.add_subparsers(dest="audit_command", required=True)
    show = actions.add_parser("show", help="print one deal's trail")
    show.add_argument("correlation_id")
    show.set_defaults(handler=run_show)
    verify = actions.add_parser("verify", help="check the chain: edited, removed or reordered entries")
    verify.set_defaults(handler=run_verify)


def _log(args: argparse.Namespace) -> AuditChain:
    return open_audit_log(get_settings(), path=args.path, database_url=args.database_url)


def _short(payload: dict, limit: int = 120) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def run_show(args: argparse.Namespace) -> int:
    trail = _log(args).trail(args.correlation_id)
    if not trail:
        print(f"no audit entries for {args.correlation_id}")
        return 1
    for e in trail:
        print(f"{e.at[:19].replace('T', ' ')}  #{e.seq:<5} {e.system:<12} {e.kind:<17} {e.subject or '-':<22} "
              f"{e.actor or '-'}  {_short(e.payload)}" + (f"  [{e.correlation_id}]"
                                                           if e.correlation_id != args.correlation_id else ""))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    log = _log(args)
    result = log.verify()
    if result.intact:
        print(f"{result.entries} entries, chain intact (head {result.head[:16]}) in {log.where}")
        return 0
    print(f"audit log {log.where}: entry {result.broken_seq} fails: {result.reason}")
    return 1
