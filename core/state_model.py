"""`StateModel`: the base of every pydantic model held in a run's state, so the state is stored JSON-native.

The LangGraph server checkpoints a model as msgpack of its `model_dump()`. In Python mode that keeps
dates, Decimals, sets... as msgpack extension values, and the server reads them back two ways: the run
itself rebuilds the objects, but `threads.get_state`/`get_history` (Studio, our error path) decode with
`_msgpack_ext_hook_to_json`, which turns a date into `[y, m, d]`, a time into a dict of its parts, a
timedelta into `[days, seconds, µs]`, and then rebuild the state model from that, which refuses it.
Dumping JSON-native values in Python mode too leaves no extension value in the checkpoint, so every
decoder sees the same strings and numbers, and validation turns them back into the declared types.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, SerializationInfo, SerializerFunctionWrapHandler, model_serializer
from pydantic_core import to_jsonable_python


class StateModel(BaseModel):
    @model_serializer(mode="wrap")
    def _json_native(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        # Nested StateModels have already converted themselves; this converts what `Any` fields hold.
        return data if info.mode_is_json() else to_jsonable_python(data)
