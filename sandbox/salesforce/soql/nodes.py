"""Typed SOQL syntax tree produced by the parser and consumed by the executor."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class FieldRef:
    path: list[str]  # ["Account", "Owner", "Name"]
    position: Position


@dataclass
class Aggregate:
    function: str  # COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX
    field: FieldRef | None  # None only for COUNT()
    alias: str | None
    position: Position


@dataclass
class FieldsFunction:
    kind: str  # ALL, STANDARD, CUSTOM
    position: Position


@dataclass
class Literal:
    """A typed filter value. kind: string, number, boolean, null, date, datetime, date_literal."""

    kind: str
    value: Any
    position: Position
    n: int | None = None  # for LAST_N_DAYS:n and friends
    raw: str = ""


@dataclass
class Comparison:
    field: FieldRef
    operator: str  # = != < <= > >= LIKE IN NOT IN INCLUDES EXCLUDES
    values: list[Literal] = dataclass_field(default_factory=list)
    subquery: Query | None = None


@dataclass
class BoolOp:
    operator: str  # AND, OR
    operands: list[Condition]


@dataclass
class Not:
    operand: Condition


Condition = Comparison | BoolOp | Not


@dataclass
class OrderItem:
    target: FieldRef | Aggregate
    descending: bool = False
    nulls_first: bool | None = None


@dataclass
class Query:
    select: list[FieldRef | Aggregate | FieldsFunction | Query]
    object_name: str
    object_position: Position
    where: Condition | None = None
    group_by: list[FieldRef] = dataclass_field(default_factory=list)
    order_by: list[OrderItem] = dataclass_field(default_factory=list)
    limit: int | None = None
    offset: int | None = None

    @property
    def is_count_only(self) -> bool:
        return len(self.select) == 1 and isinstance(self.select[0], Aggregate) and self.select[0].field is None


@dataclass
class DateRange:
    start: date
    end: date  # exclusive
