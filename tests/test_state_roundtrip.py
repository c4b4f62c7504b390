"""A fully populated run state survives every way the LangGraph server stores and reads it back.

The server checkpoints each state channel with its msgpack serializer and reads it back with the full
decoder (a run resuming), with `_msgpack_ext_hook_to_json` (threads.get_state / get_history, i.e. Studio
and our own error path, which then rebuild the state model), and as JSON (thread values over the API).
The sample state is generated from the models' annotations, so a field of a type this test cannot fill,
or one that does not come back equal, fails here rather than in a pilot's Studio.
"""

from __future__ import annotations

import importlib
import os
import types
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

import orjson
import ormsgpack
import pytest
from langgraph.checkpoint.serde.jsonplus import EXT_PYDANTIC_V2, _msgpack_ext_hook_to_json
from langgraph_api.serde import Serializer, json_dumpb
from pydantic import BaseModel

from agents.drafter.state import DrafterState
from agents.extractor.state import ExtractorState
from core.contract_terms import Citation
from core.renewal_schedule import RenewalSchedule
from core.state_model import StateModel
from graphs.checkpointer import serializer
from runtime.state import Decision, RunState
from tools.write_plan import WriteOp

SCALARS: dict[Any, Any] = {
    str: "sampleValue42",
    int: 3,
    float: 2.5,
    bool: True,
    Decimal: Decimal("1234.50"),
    date: date(2027, 2, 15),
    datetime: datetime(2026, 12, 1, 21, 40, 51, 558000, tzinfo=UTC),
    time: time(9, 30),
    timedelta: timedelta(days=3, seconds=7),
    UUID: UUID("12345678-1234-5678-1234-567812345678"),
}
# What an `Any` field may hold: JSON values (a date there comes back as its ISO text, by design).
JSON_ANY = {"text": "net 30", "number": 1.5, "whole": 2, "flag": True, "none": None, "items": ["a", 1]}
PATTERN_EXAMPLES = {
    r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$": "006000000000001AAA",
    r"^[A-Z]{3}$": "EUR",
    r"^\d{4}(?:-\d{2})?$": "2004-02",
    r"^069[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$": "069000000000001AAA",
    r"^005[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$": "005000000000001AAA",
    r"^[0-9a-f]{64}$": "ab" * 32,
}
MODEL_SAMPLES: dict[type[BaseModel], Callable[[], BaseModel]] = {
    Citation: lambda: Citation(page=2, start=10, end=16, quote="clause"),  # its span must match the quote
    RenewalSchedule: lambda: RenewalSchedule(  # its periods must be ISO-8601 durations
        term_end=date(2027, 2, 15), auto_renews=True, renewal_term="P1Y", notice_period="P60D",
        renewal_date=date(2027, 2, 15), notice_deadline=date(2026, 12, 17), kind="auto_renewing"),
}


def sample(annotation: Any, metadata: tuple[Any, ...] = ()) -> Any:
    """A valid, non-empty value of `annotation`: every optional filled, every list and dict holding one item."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return sample(args[0], (*metadata, *args[1:]))
    pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
    if pattern is not None:
        assert pattern in PATTERN_EXAMPLES, f"add an example for the pattern {pattern!r} to PATTERN_EXAMPLES"
        return PATTERN_EXAMPLES[pattern]
    if annotation is Any:
        return dict(JSON_ANY)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return populated(annotation)
    if origin in (Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)), metadata)
    if origin is Literal:
        return args[-1]
    if origin is list:
        return [sample(args[0])]
    if origin in (set, frozenset):
        return origin({sample(args[0])})
    if origin is tuple:
        return tuple(sample(a) for a in args if a is not Ellipsis)
    if origin is dict:
        return {sample(args[0]): sample(args[1])}
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return list(annotation)[-1]
    assert annotation in SCALARS, f"no sample for {annotation!r}: teach this round-trip test the type"
    # Bounds sit on the metadata itself (annotated_types.Le) or inside a FieldInfo's metadata.
    constraints = [c for m in metadata for c in (getattr(m, "metadata", None) or [m])]
    upper = next((c.le for c in constraints if getattr(c, "le", None) is not None), None)
    if upper is not None and SCALARS[annotation] > upper:  # a bounded number, e.g. a probability
        return type(SCALARS[annotation])(upper)
    return SCALARS[annotation]


def populated(model: type[BaseModel]) -> BaseModel:
    if model in MODEL_SAMPLES:
        return MODEL_SAMPLES[model]()
    return model(**{name: sample(f.annotation, tuple(f.metadata)) for name, f in model.model_fields.items()})


def reachable_models(model: type[BaseModel]) -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()

    def walk(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                walk(field.annotation)
        for arg in get_args(annotation):
            walk(arg)

    walk(model)
    return found


def channels(state: BaseModel) -> dict[str, Any]:
    """The graph's channels: each state field holds the object the nodes wrote (models, not dicts)."""
    return {name: getattr(state, name) for name in type(state).model_fields}


STATES = [RunState, DrafterState, ExtractorState]


class Tint(Enum):
    AMBER = "amber"


class LaterFields(StateModel):
    """Types no state field holds yet, which a StateModel keeps as well."""

    at: time
    lasting: timedelta
    tags: set[str]
    frozen: frozenset[int]
    pair: tuple[int, str]
    ref: UUID
    tint: Tint
    amounts: dict[str, Decimal]
    when: datetime


class StateWithLaterFields(RunState):
    later: LaterFields | None = None


@pytest.fixture(scope="module", autouse=True)
def _server_config() -> None:
    """The server's Serializer reads langgraph_api.config, which needs what `langgraph dev` sets at start."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in {"REDIS_URI": "fake", "DATABASE_URI": ":memory:", "MIGRATIONS_PATH": "__inmem"}.items():
            env.setenv(name, os.environ.get(name, value))
        importlib.import_module("langgraph_api.config")


@pytest.fixture(params=[*STATES, StateWithLaterFields], ids=lambda s: s.__name__)
def full_state(request: pytest.FixtureRequest) -> BaseModel:
    state = populated(request.param)
    empty = [name for name, value in channels(state).items() if value in (None, [], {})]
    assert not empty, f"the sample left {empty} empty"
    return state


def test_every_model_held_in_state_stores_itself_json_native() -> None:
    models = set().union(*(reachable_models(s) for s in STATES))
    assert {m.__name__ for m in models if not issubclass(m, StateModel)} == set()


def test_the_checkpoint_holds_no_python_only_values(full_state: BaseModel) -> None:
    # Only the models' own wrappers are msgpack extensions; every value inside is JSON, which every
    # decoder of the server reads back alike.
    codes: set[int] = set()

    def recording_hook(code: int, data: bytes) -> Any:  # nested extensions come back through here too
        codes.add(code)
        return ormsgpack.unpackb(data, ext_hook=recording_hook, option=ormsgpack.OPT_NON_STR_KEYS)

    reader = Serializer(__unpack_ext_hook__=recording_hook)
    for value in channels(full_state).values():
        reader.loads_typed(Serializer().dumps_typed(value))
    assert codes == {EXT_PYDANTIC_V2}


@pytest.mark.parametrize("read", ["get_state", "resume", "thread_values", "sqlite"])
def test_a_full_state_round_trips_through_the_server_serializers(full_state: BaseModel, read: str) -> None:
    model = type(full_state)
    written = Serializer()
    if read == "get_state":  # threads.get_state / get_history: JSON-ish decoding, then schema(**channels)
        reader = Serializer(__unpack_ext_hook__=_msgpack_ext_hook_to_json)
        back = model(**{k: reader.loads_typed(written.dumps_typed(v)) for k, v in channels(full_state).items()})
    elif read == "resume":  # a run continuing from its checkpoint rebuilds the objects
        back = model(**{k: written.loads_typed(written.dumps_typed(v)) for k, v in channels(full_state).items()})
    elif read == "thread_values":  # GET /threads/{id} values, as our Flow routes validate them
        back = model.model_validate(orjson.loads(json_dumpb(channels(full_state))))
    else:  # the SQLite checkpointer of `contractloop run`
        ours = serializer()
        back = model(**{k: ours.loads_typed(ours.dumps_typed(v)) for k, v in channels(full_state).items()})
    assert back == full_state


def test_a_date_in_a_free_form_field_comes_back_as_its_iso_text() -> None:
    reader = Serializer(__unpack_ext_hook__=_msgpack_ext_hook_to_json)
    decision = Decision(type="edit", by="legal", edited_attributes={"effectiveDate": date(2027, 2, 15)})
    assert reader.loads_typed(Serializer().dumps_typed(decision))["edited_attributes"] == {
        "effectiveDate": "2027-02-15"}


def test_a_write_plan_holds_values_as_salesforce_receives_them() -> None:
    op = WriteOp(ref="task0", action="upsert", sobject="Task", external_id="k1",
                 fields={"ActivityDate": date(2027, 2, 15), "Amount": Decimal("12.50"), "Subject": "Renew"})
    assert op.fields == {"ActivityDate": "2027-02-15", "Amount": 12.5, "Subject": "Renew"}
