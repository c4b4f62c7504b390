"""Parse SOQL text into `nodes.Query`; syntax errors become MALFORMED_QUERY in Salesforce's message style."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import (
    Lark,
    Token,
    Transformer,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    v_args,
)
from lark.exceptions import VisitError

from ..errors import SalesforceError
from .nodes import (
    Aggregate,
    BoolOp,
    Comparison,
    FieldRef,
    FieldsFunction,
    Literal,
    Not,
    OrderItem,
    Position,
    Query,
)

_GRAMMAR = Path(__file__).with_name("grammar.lark")
_STRING_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_LIKE_KEEPS = {"%", "_"}  # \% and \_ stay escaped for LIKE patterns


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR.read_text(), parser="lalr", propagate_positions=True, maybe_placeholders=True, cache=True)


def parse_soql(text: str) -> Query:
    if not text or not text.strip():
        raise SalesforceError(400, "MALFORMED_QUERY", "unexpected token: '<EOF>'")
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise SalesforceError(400, "MALFORMED_QUERY", _syntax_message(text, exc)) from None
    try:
        return _ToNodes().transform(tree)
    except VisitError as exc:  # errors raised while building nodes (bad escapes, dates) keep their own code
        if isinstance(exc.orig_exc, SalesforceError):
            raise exc.orig_exc from None
        raise


def located(text: str, position: Position | None, message: str) -> str:
    """Salesforce's error layout: the query line, a caret under the problem, the position, the message."""
    if position is None:
        return message
    lines = text.splitlines() or [text]
    line = lines[min(position.line, len(lines)) - 1]
    return f"\n{line}\n{' ' * (position.column - 1)}^\nERROR at Row:{position.line}:Column:{position.column}\n{message}"


def _syntax_message(text: str, exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        lines = text.rstrip().splitlines() or [""]
        position = Position(len(lines), len(lines[-1]) + 1)
        return located(text, position, "unexpected token: '<EOF>'")
    if isinstance(exc, UnexpectedCharacters):
        return located(text, Position(exc.line, exc.column), f"unexpected token: '{exc.char}'")
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    message = f"unexpected token: '{token.value}'"
    expected = sorted(_describe_terminal(t) for t in exc.accepts or exc.expected)
    if 0 < len(expected) <= 4:
        message += f" (expecting {' or '.join(expected)})"
    return located(text, Position(token.line or 1, token.column or 1), message)


_TERMINAL_WORDS = {"NAME": "a field or object name", "STRING": "a quoted string", "NUMBER": "a number",
                   "INT": "an integer", "COMP_OP": "a comparison operator", "LPAR": "'('", "RPAR": "')'",
                   "COMMA": "','", "DOT": "'.'",
                   "AGG_FN": "an aggregate function", "FIELDS_FN": "FIELDS()", "DATE": "a date",
                   "DATETIME": "a date-time", "DATE_LITERAL": "a date literal", "DATE_N_LITERAL": "a date literal"}


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    return f"'{name}'" if name.isupper() else name.lower()


def _position(token: Token) -> Position:
    return Position(token.line or 1, token.column or 1)


def unescape_string(body: str, for_like: bool = False) -> str:
    """SOQL string escapes (\\' \\" \\\\ \\n \\r \\t \\b \\f); LIKE keeps \\% \\_ (and \\\\) for the SQL ESCAPE."""
    out = []
    chars = iter(body)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        escaped = next(chars, "")
        if for_like and escaped in _LIKE_KEEPS | {"\\"}:
            out.append("\\" + escaped)
        elif escaped in _STRING_ESCAPES:
            out.append(_STRING_ESCAPES[escaped])
        else:
            raise SalesforceError(400, "MALFORMED_QUERY", f"Invalid string literal '{body}'. Illegal character "
                                  f"sequence '\\{escaped}' in string literal.")
    return "".join(out)


_N_LITERAL = re.compile(r"^\s*([A-Za-z_]+?)\s*:\s*(\d+)\s*$")


@v_args(inline=True)
class _ToNodes(Transformer[Any, Query]):
    def start(self, query: Query) -> Query:
        return query

    def query(self, select, obj, where, _with, group_by, order_by, limit, offset, _for) -> Query:
        name, position = obj
        return Query(select=select, object_name=name, object_position=position, where=where,
                     group_by=group_by or [], order_by=order_by or [], limit=limit, offset=offset)

    def object_name(self, token: Token):
        return str(token), _position(token)

    def select_list(self, *items):
        return list(items)

    def subquery(self, query: Query) -> Query:
        return query

    def field_ref(self, *tokens: Token) -> FieldRef:
        return FieldRef([str(t) for t in tokens], _position(tokens[0]))

    def aggregate(self, function: Token, field: FieldRef | None, alias: Token | None) -> Aggregate:
        name = str(function).upper()
        if field is None and name != "COUNT":
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: ')' ({name} needs a field)")
        return Aggregate(name, field, str(alias) if alias else None, _position(function))

    def fields_fn(self, function: Token, kind: Token) -> FieldsFunction:
        if str(kind).upper() not in ("ALL", "STANDARD", "CUSTOM"):
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: '{kind}' (expecting ALL, STANDARD or CUSTOM)")
        return FieldsFunction(str(kind).upper(), _position(function))

    def where(self, condition):
        return condition

    def or_(self, left, right) -> BoolOp:
        return _flatten("OR", left, right)

    def and_(self, left, right) -> BoolOp:
        return _flatten("AND", left, right)

    def not_(self, operand) -> Not:
        return Not(operand)

    def compare(self, field: FieldRef, operator: Token, value: Literal) -> Comparison:
        op = "!=" if str(operator) == "<>" else str(operator)
        return Comparison(field, op, _checked([value]))

    def like(self, field: FieldRef, value: Literal) -> Comparison:
        if value.kind == "string":
            value.value = unescape_string(value.raw, for_like=True)
        return Comparison(field, "LIKE", [value])

    def in_list(self, field, values) -> Comparison:
        return Comparison(field, "IN", _checked(values))

    def not_in_list(self, field, values) -> Comparison:
        return Comparison(field, "NOT IN", _checked(values))

    def in_query(self, field, query) -> Comparison:
        return Comparison(field, "IN", subquery=query)

    def not_in_query(self, field, query) -> Comparison:
        return Comparison(field, "NOT IN", subquery=query)

    def includes(self, field, values) -> Comparison:
        return Comparison(field, "INCLUDES", _checked(values))

    def excludes(self, field, values) -> Comparison:
        return Comparison(field, "EXCLUDES", _checked(values))

    def value_list(self, *values):
        return list(values)

    def string(self, token: Token) -> Literal:
        body = str(token)[1:-1]
        try:
            value: Any = unescape_string(body)
        except SalesforceError as error:  # \% and \_ are valid only in LIKE: decided once the operator is known
            value = error
        return Literal("string", value, _position(token), raw=body)

    def number(self, token: Token) -> Literal:
        return Literal("number", float(token), _position(token), raw=str(token))

    def date(self, token: Token) -> Literal:
        try:
            return Literal("date", date.fromisoformat(str(token)), _position(token), raw=str(token))
        except ValueError:
            raise SalesforceError(400, "MALFORMED_QUERY", f"invalid date: {token}") from None

    def datetime(self, token: Token) -> Literal:
        return Literal("datetime", str(token), _position(token), raw=str(token))

    def true(self) -> Literal:
        return Literal("boolean", True, Position(0, 0), raw="TRUE")

    def false(self) -> Literal:
        return Literal("boolean", False, Position(0, 0), raw="FALSE")

    def null(self) -> Literal:
        return Literal("null", None, Position(0, 0), raw="null")

    def date_literal(self, token: Token) -> Literal:
        return Literal("date_literal", str(token).upper(), _position(token), raw=str(token))

    def date_n_literal(self, token: Token) -> Literal:
        match = _N_LITERAL.match(str(token))
        assert match is not None
        return Literal("date_literal", match.group(1).upper(), _position(token), n=int(match.group(2)), raw=str(token))

    def group_by(self, *fields):
        return list(fields)

    def order_by(self, *items):
        return list(items)

    def order_item(self, target, direction, nulls) -> OrderItem:
        return OrderItem(target, descending=direction == "DESC", nulls_first=nulls)

    def asc(self):
        return "ASC"

    def desc(self):
        return "DESC"

    def nulls_first(self):
        return True

    def nulls_last(self):
        return False

    def limit(self, token: Token) -> int:
        return int(token)

    def offset(self, token: Token) -> int:
        return int(token)

    def with_clause(self, _name):
        return None

    def for_clause(self, _name):
        return None


def _checked(values: list[Literal]) -> list[Literal]:
    for value in values:
        if isinstance(value.value, SalesforceError):
            raise value.value
    return values


def _flatten(operator: str, left, right) -> BoolOp:
    operands = []
    for side in (left, right):
        if isinstance(side, BoolOp) and side.operator == operator:
            operands.extend(side.operands)
        else:
            operands.append(side)
    return BoolOp(operator, operands)
