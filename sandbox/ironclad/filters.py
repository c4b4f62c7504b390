"""Ironclad's `filter=` formula language, e.g. `And(Equals([counterpartyName], 'Acme'), IsNotEmpty([term]))`.

Parsed with a real grammar (lark) into a predicate over a field lookup, so quoting, nesting and commas inside
strings behave; anything malformed is a clear INVALID_PARAM on `filter`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, VisitError

from sandbox.ironclad.attributes import parse_iso_datetime
from sandbox.ironclad.errors import invalid

Lookup = Callable[[str], Any]
Predicate = Callable[[Lookup], bool]

_GRAMMAR = r"""
?start: expr
?expr: call | field | string | number | boolean | "(" expr ")"
call: NAME "(" [expr ("," expr)*] ")"
field: "[" FIELD "]"
string: SQ_STRING | DQ_STRING
number: SIGNED_NUMBER
boolean: TRUE | FALSE
TRUE.2: "true"
FALSE.2: "false"
NAME: /[A-Za-z][A-Za-z0-9]*/
FIELD: /[^\[\]]+/
SQ_STRING: /'(?:[^'\\]|\\.)*'/
DQ_STRING: /"(?:[^"\\]|\\.)*"/
%import common.SIGNED_NUMBER
%import common.WS
%ignore WS
"""
_PARSER = Lark(_GRAMMAR, parser="lalr")


class Field(str):
    """A `[fieldName]` reference, distinct from a string literal."""


def _unquote(token: Token) -> str:
    body = str(token)[1:-1]
    out, escaped = [], False
    for ch in body:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            out.append(ch)
    return "".join(out)


@v_args(inline=True)
class _ToAst(Transformer):
    def call(self, name: Token, *args: Any) -> tuple[str, list[Any]]:
        return (str(name), [a for a in args if a is not None])

    def field(self, name: Token) -> Field:
        return Field(str(name).strip())

    def string(self, token: Token) -> str:
        return _unquote(token)

    def number(self, token: Token) -> float:
        return float(token)

    def boolean(self, token: Token) -> bool:
        return str(token) == "true"


def _comparable(value: Any) -> Any:
    """Monetary amounts compare by amount; ISO dates as datetimes; everything else as is."""
    if isinstance(value, dict) and "amount" in value:
        return value["amount"]
    if isinstance(value, dict) and "value" in value and "type" in value:  # a record property
        return _comparable(value["value"])
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-":
        try:
            parsed = parse_iso_datetime(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.now().astimezone().tzinfo)
        except ValueError:
            return value
    return value


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _compile(node: Any) -> Predicate:
    if not isinstance(node, tuple):
        raise invalid("filter", f"expected a function such as Equals(...), got {node!r}")
    name, args = node
    if name in ("And", "Or"):
        if not args:
            raise invalid("filter", f"{name}() needs at least one argument")
        parts = [_compile(a) for a in args]
        return (lambda get: all(p(get) for p in parts)) if name == "And" else (lambda get: any(p(get) for p in parts))
    if name == "Not":
        _arity(name, args, 1)
        inner = _compile(args[0])
        return lambda get: not inner(get)
    if name in ("IsEmpty", "IsNotEmpty"):
        _arity(name, args, 1)
        field = _field(name, args[0])
        return (lambda get: _is_empty(get(field))) if name == "IsEmpty" else (lambda get: not _is_empty(get(field)))
    if name in _BINARY:
        _arity(name, args, 2)
        field, literal = _field(name, args[0]), args[1]
        if isinstance(literal, tuple | Field):
            raise invalid("filter", f"{name}(): the second argument must be a literal value")
        compare = _BINARY[name]
        return lambda get: _safe(compare, get(field), literal)
    raise invalid("filter", f"unsupported filter function {name}()")


def _safe(compare: Callable[[Any, Any], bool], actual: Any, literal: Any) -> bool:
    if actual is None:
        return compare is _BINARY["NotEqual"]
    try:
        return bool(compare(_comparable(actual), _comparable(literal)))
    except TypeError:  # comparing a number with a string and the like simply does not match
        return False


def _equals(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(b, str) and str(a).lower() == b.lower())
    if isinstance(a, int | float) and isinstance(b, str):
        try:
            return a == float(b)
        except ValueError:
            return False
    return a == b


def _contains(a: Any, b: Any) -> bool:
    if isinstance(a, list):
        return b in a
    return str(b).lower() in str(a).lower()


_BINARY: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": _equals,
    "NotEqual": lambda a, b: not _equals(a, b),
    "Contains": _contains,
    "LessThan": lambda a, b: a < b,
    "LessThanOrEqual": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanOrEqual": lambda a, b: a >= b,
}


def _arity(name: str, args: list[Any], n: int) -> None:
    if len(args) != n:
        raise invalid("filter", f"{name}() takes {n} argument(s), got {len(args)}")


def _field(name: str, arg: Any) -> Field:
    if not isinstance(arg, Field):
        raise invalid("filter", f"{name}(): the first argument must be a [field]")
    return arg


def parse_filter(text: str) -> Predicate:
    try:
        ast = _ToAst().transform(_PARSER.parse(text))
    except VisitError as exc:
        raise invalid("filter", f"invalid filter: {exc.orig_exc}") from None
    except LarkError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
        raise invalid("filter", f"invalid filter {text!r}: {first_line}") from None
    return _compile(ast)
