"""The name a chat model sees for a tool schema: what `bind_tools` sends, so prompts and dispatch use the same."""

from __future__ import annotations

from functools import cache

from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel


@cache
def tool_name(schema: type[BaseModel]) -> str:
    return str(convert_to_openai_tool(schema)["function"]["name"])
