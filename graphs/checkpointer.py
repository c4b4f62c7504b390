"""Checkpoint persistence: SQLite by default, with an explicit allow-list of the types our state holds.

LangGraph deserializes checkpointed objects by module path; allowing exactly our pydantic state models
keeps checkpoints loadable without opening deserialization to arbitrary classes.
"""

from __future__ import annotations

import importlib
import inspect
import sqlite3
from pathlib import Path

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from pydantic import BaseModel

STATE_MODULES = ("runtime.state", "tools.salesforce.models", "playbook_store.models", "agents.drafter.state",
                 "core.contract_terms", "tools.write_plan", "agents.extractor.state", "runtime.renewals",
                 "core.renewal_schedule", "playbook_store.renewal_likelihood")


def state_types() -> list[type[BaseModel]]:
    types: list[type[BaseModel]] = []
    for name in STATE_MODULES:
        module = importlib.import_module(name)
        types += [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                  if issubclass(obj, BaseModel) and obj.__module__ == name]
    return types


def serializer() -> JsonPlusSerializer:
    return JsonPlusSerializer(allowed_msgpack_modules=state_types())


def sqlite_checkpointer(path: Path | str) -> SqliteSaver:
    conn = sqlite3.connect(str(path), check_same_thread=False)
    return SqliteSaver(conn, serde=serializer())
