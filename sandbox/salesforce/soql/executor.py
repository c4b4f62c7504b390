"""Run SOQL against the org's SQLite tables by translating it to SQL.

Parent paths become LEFT JOINs; each child subquery is one extra SQL query over all parent ids at once
(`WHERE fk IN json_each(?)`, with ROW_NUMBER() for per-parent LIMIT), so nothing is N+1.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import SalesforceError
from ..field_values import format_datetime, output_converter, parse_datetime
from ..ids import normalize_id
from ..schema import FieldDef, ObjectDef
from ..sharing import query_user_record_access
from .dates import date_literal_range
from .nodes import (
    Aggregate,
    BoolOp,
    Comparison,
    DateRange,
    FieldRef,
    FieldsFunction,
    Literal,
    Not,
    Position,
    Query,
)
from .parser import located, parse_soql

# Objects computed per query instead of stored, by name: each takes (store, parsed query, SOQL text).
COMPUTED_OBJECTS: dict[str, Callable[[OrgStore, Query, str], QueryResult]] = {
    "UserRecordAccess": query_user_record_access,
}

if TYPE_CHECKING:
    from ..store import OrgStore, QueryResult

_CUSTOM_HINT = ("If you are attempting to use a custom field, be sure to append the '__c' after the custom field "
                "name. Please reference your WSDL or the describe call for the appropriate names.")
_RELATIONSHIP_HINT = ("If you are attempting to use a custom relationship, be sure to append the '__r' after the "
                      "custom relationship name. Please reference your WSDL or the describe call for the appropriate "
                      "names.")
_STRING_TYPES = frozenset({"string", "textarea", "picklist", "multipicklist", "combobox", "url", "email", "phone"})
_MAX_PARENT_DEPTH = 5


def execute_query(store: OrgStore, soql: str, include_deleted: bool = False) -> QueryResult:
    return _Executor(store, soql, include_deleted).run(parse_soql(soql))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class _Join:
    """One parent relationship reached from the query's object (several tables when polymorphic)."""

    name: str  # relationship name in schema case
    targets: list[ObjectDef]
    aliases: list[str]

    def id_expr(self) -> str:
        ids = [f"{a}.Id" for a in self.aliases]
        return ids[0] if len(ids) == 1 else f"coalesce({', '.join(ids)})"


@dataclass
class _Resolved:
    expr: str
    field: FieldDef
    joins: list[_Join]


@dataclass
class _Leaf:
    column: int
    convert: Callable[[Any], Any]


@dataclass
class _Node:
    """How one record (root or parent) is rebuilt from a SQL row."""

    type_name: str | None  # None: polymorphic, read from the id's key prefix
    id_column: int
    entries: dict[str, _Leaf | _Node | Query] = field(default_factory=dict)


class _Scope:
    """The FROM clause of one SQL statement: the root table plus LEFT JOINs, and the selected columns."""

    _counter = itertools.count()

    def __init__(self, executor: _Executor, root: ObjectDef):
        self.executor = executor
        self.root = root
        self.prefix = f"q{next(self._counter)}_"
        self.root_alias = f"{self.prefix}0"
        self.joins: dict[tuple[str, ...], _Join] = {}
        self.join_sql: list[str] = []
        self.columns: list[str] = []
        self._column_index: dict[str, int] = {}
        self.params: list[Any] = []

    def column(self, expr: str) -> int:
        if expr not in self._column_index:
            self._column_index[expr] = len(self.columns)
            self.columns.append(expr)
        return self._column_index[expr]

    def from_sql(self) -> str:
        return f"{_q(self.root.name)} {self.root_alias} " + " ".join(self.join_sql)

    def deleted_filter(self) -> str:
        return "1" if self.executor.include_deleted else f"{self.root_alias}.IsDeleted = 0"

    def resolve(self, ref: FieldRef) -> _Resolved:
        ex = self.executor
        if len(ref.path) - 1 > _MAX_PARENT_DEPTH:
            raise ex.error(400, "INVALID_FIELD", ref.position,
                           f"Relationship path '{'.'.join(ref.path)}' is deeper than {_MAX_PARENT_DEPTH} levels.")
        obj, alias = self.root, self.root_alias
        chain: list[Any] = []
        key: tuple[str, ...] = ()
        for name in ref.path[:-1]:
            if chain and len(chain[-1].targets) > 1:
                raise ex.error(400, "INVALID_FIELD", ref.position,
                               f"Polymorphic relationship '{chain[-1].name}' can only be followed by a field name.")
            reference = obj.parent_relationship(name)
            if reference is None:
                raise ex.error(400, "INVALID_FIELD", ref.position,
                               f"Didn't understand relationship '{name}' in field path. {_RELATIONSHIP_HINT}")
            key = (*key, reference.relationship_name or name)
            if key not in self.joins:
                targets = [ex.schema.object(t) for t in reference.reference_to]
                aliases = []
                for target in targets:
                    assert target is not None
                    target_alias = f"{self.prefix}{len(self.join_sql) + 1}"
                    self.join_sql.append(
                        f"LEFT JOIN {_q(target.name)} {target_alias} ON {target_alias}.Id = {alias}.{_q(reference.name)}"
                        f" AND {target_alias}.IsDeleted = 0")
                    aliases.append(target_alias)
                self.joins[key] = _Join(reference.relationship_name or name, targets, aliases)  # type: ignore[arg-type]
            join = self.joins[key]
            chain.append(join)
            obj, alias = join.targets[0], join.aliases[0]
        name = ref.path[-1]
        if chain and len(chain[-1].targets) > 1:
            having = [(t, a, t.field(name)) for t, a in zip(chain[-1].targets, chain[-1].aliases, strict=True)]
            having = [(t, a, f) for t, a, f in having if f is not None]
            if not having:
                raise ex.error(400, "INVALID_FIELD", ref.position, f"No such column '{name}' on entity "
                               f"'{chain[-1].name}'. {_CUSTOM_HINT}")
            exprs = [f"{a}.{_q(f.name)}" for _, a, f in having]
            expr = exprs[0] if len(exprs) == 1 else f"coalesce({', '.join(exprs)})"
            return _Resolved(expr, having[0][2], chain)
        f = obj.field(name)
        if f is None:
            raise ex.error(400, "INVALID_FIELD", ref.position,
                           f"No such column '{name}' on entity '{obj.name}'. {_CUSTOM_HINT}")
        return _Resolved(f"{alias}.{_q(f.name)}", f, chain)


MAX_CHILD_DEPTH = 5


class _Executor:
    def __init__(self, store: OrgStore, text: str, include_deleted: bool):
        self.store = store
        self.schema = store.schema
        self.text = text
        self.include_deleted = include_deleted

    def error(self, status: int, code: str, position: Position | None, message: str) -> SalesforceError:
        return SalesforceError(status, code, located(self.text, position, message))

    # ----- entry ------------------------------------------------------------------------------------------------
    def run(self, query: Query) -> QueryResult:
        from ..store import QueryResult

        root = self.schema.object(query.object_name)
        if root is None:
            raise self.error(400, "INVALID_TYPE", query.object_position,
                             f"sObject type '{query.object_name}' is not supported. If you are attempting to use a "
                             "custom object, be sure to append the '__c' after the entity name. Please reference "
                             "your WSDL or the describe call for the appropriate names.")
        if root.name in COMPUTED_OBJECTS:  # not stored: answered from the sharing model
            return COMPUTED_OBJECTS[root.name](self.store, query, self.text)
        scope = _Scope(self, root)
        if query.is_count_only:
            where = self.where_sql(scope, query)
            sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {scope.from_sql()} WHERE {where}{self.paging_sql(scope, query)})"
            return QueryResult(self.store.sql(sql, scope.params)[0][0], [])
        if query.group_by or any(isinstance(item, Aggregate) for item in query.select):
            records = self.aggregate(scope, query)
            return QueryResult(len(records), records)
        records = self.select_records(scope, query, parent_filter=None)[0]
        return QueryResult(len(records), records)

    # ----- plain SELECT -----------------------------------------------------------------------------------------
    def select_records(
        self, scope: _Scope, query: Query, parent_filter: tuple[str, list[str]] | None, depth: int = 0
    ) -> tuple[list[dict], list[Any]]:
        """Records of `query` (and, for a child subquery, each record's parent id)."""
        root_node = _Node(scope.root.name, scope.column(f"{scope.root_alias}.Id"))
        subqueries: list[Query] = []
        for item in self.expand_fields(scope.root, query):
            if isinstance(item, Query):
                if depth >= MAX_CHILD_DEPTH:
                    # API v58+ allows parent-to-child subqueries nested up to five levels deep.
                    raise self.error(400, "MALFORMED_QUERY", item.object_position,
                                     f"Nesting of child relationship queries is limited to {MAX_CHILD_DEPTH} levels.")
                relationship = scope.root.child_relationship(item.object_name)
                if relationship is None:
                    raise self.error(400, "INVALID_TYPE", item.object_position,
                                     f"Didn't understand relationship '{item.object_name}' in FROM part of query "
                                     f"call. {_RELATIONSHIP_HINT}")
                root_node.entries[relationship.relationship_name] = item
                subqueries.append(item)
            elif isinstance(item, FieldRef):
                self.add_field(scope, root_node, item)
            else:
                raise self.error(400, "MALFORMED_QUERY", item.position,
                                 "Aggregate functions need a GROUP BY or must be the only selected items.")
        parent_column = None
        conditions = [self.where_sql(scope, query)]
        if parent_filter is not None:
            fk, parent_ids = parent_filter
            parent_column = scope.column(f"{scope.root_alias}.{_q(fk)}")
            conditions.insert(0, f"{scope.root_alias}.{_q(fk)} IN (SELECT value FROM json_each(?))")
            scope.params.insert(0, json.dumps(parent_ids))
        order = self.order_sql(scope, query) or f"{scope.root_alias}.rowid"
        columns = ", ".join(scope.columns)
        where = " AND ".join(conditions)
        if parent_filter is None:
            sql = (f"SELECT {columns} FROM {scope.from_sql()} WHERE {where} ORDER BY {order}, {scope.root_alias}.rowid"
                   f"{self.paging_sql(scope, query)}")
        else:
            # Per-parent LIMIT/OFFSET: number each parent's children in the requested order.
            fk_expr = f"{scope.root_alias}.{_q(parent_filter[0])}"
            numbered = (f"SELECT {columns}, ROW_NUMBER() OVER (PARTITION BY {fk_expr} ORDER BY {order}, "
                        f"{scope.root_alias}.rowid) AS _rn FROM {scope.from_sql()} WHERE {where}")
            low = query.offset or 0
            high = low + query.limit if query.limit is not None else -1
            sql = f"SELECT * FROM ({numbered}) WHERE _rn > {low}" + (f" AND _rn <= {high}" if high >= 0 else "")
            sql += " ORDER BY _rn"
        rows = self.store.sql(sql, scope.params)
        records = [self.build(root_node, row) for row in rows]
        parents = [row[parent_column] for row in rows] if parent_column is not None else []
        if subqueries and records:
            ids = [row[root_node.id_column] for row in rows]
            for sub in subqueries:
                self.attach_children(scope.root, sub, records, ids, depth + 1)
        return records, parents

    def expand_fields(self, obj: ObjectDef, query: Query) -> list[FieldRef | Aggregate | Query]:
        items: list[FieldRef | Aggregate | Query] = []
        for item in query.select:
            if isinstance(item, FieldsFunction):
                if item.kind != "STANDARD" and (query.limit is None or query.limit > 200):
                    raise self.error(400, "MALFORMED_QUERY", item.position,
                                     "The SOQL FIELDS function must have a LIMIT of at most 200")
                for f in obj.fields:
                    custom = f.name.endswith("__c")
                    if item.kind == "ALL" or (item.kind == "CUSTOM") == custom:
                        items.append(FieldRef([f.name], item.position))
            else:
                items.append(item)
        return items

    def add_field(self, scope: _Scope, root_node: _Node, ref: FieldRef) -> None:
        resolved = scope.resolve(ref)
        node = root_node
        for join in resolved.joins:
            child = node.entries.get(join.name)
            if not isinstance(child, _Node):
                type_name = join.targets[0].name if len(join.targets) == 1 else None
                child = _Node(type_name, scope.column(join.id_expr()))
                node.entries[join.name] = child
            node = child
        if resolved.field.name in node.entries and isinstance(node.entries[resolved.field.name], _Leaf):
            raise self.error(400, "MALFORMED_QUERY", ref.position, f"duplicate field selected: {'.'.join(ref.path)}")
        node.entries[resolved.field.name] = _Leaf(scope.column(resolved.expr), self.converter(node, resolved.field))

    def converter(self, node: _Node, f: FieldDef) -> Callable[[Any], Any]:
        if f.type == "base64":  # blobs are fetched from the record's field URL, never inlined in query results
            return lambda value: value and "<blob>"
        return output_converter(f)

    def build(self, node: _Node, row: tuple) -> dict:
        record_id = row[node.id_column]
        type_name = node.type_name or self.type_for_id(record_id)
        record: dict[str, Any] = {"attributes": {"type": type_name, "url": self.store.record_url(type_name, record_id)}}
        for name, entry in node.entries.items():
            if isinstance(entry, _Leaf):
                value = entry.convert(row[entry.column])
                if value == "<blob>":
                    value = f"{self.store.record_url(type_name, record_id)}/{name}"
                record[name] = value
            elif isinstance(entry, _Node):
                record[name] = None if row[entry.id_column] is None else self.build(entry, row)
            else:
                record[name] = None  # child subquery: filled by attach_children
        return record

    def type_for_id(self, record_id: str) -> str:
        obj = self.schema.object_for_prefix(record_id[:3])
        return obj.name if obj else "Name"

    def attach_children(self, parent: ObjectDef, sub: Query, records: list[dict], parent_ids: list[str],
                        depth: int) -> None:
        relationship = parent.child_relationship(sub.object_name)
        assert relationship is not None
        child = self.schema.object(relationship.child_object)
        assert child is not None
        child_scope = _Scope(self, child)
        children, parents = self.select_records(child_scope, sub, (relationship.field, parent_ids), depth)
        grouped: dict[str, list[dict]] = {}
        for record, parent_id in zip(children, parents, strict=True):
            grouped.setdefault(parent_id, []).append(record)
        for record, parent_id in zip(records, parent_ids, strict=True):
            found = grouped.get(parent_id)
            record[relationship.relationship_name] = (
                {"totalSize": len(found), "done": True, "records": found} if found else None)

    # ----- aggregates -------------------------------------------------------------------------------------------
    def aggregate(self, scope: _Scope, query: Query) -> list[dict]:
        grouped = {}
        for ref in query.group_by:
            resolved = scope.resolve(ref)
            grouped[resolved.expr] = resolved
        plan: list[tuple[str, int, Callable[[Any], Any]]] = []
        unnamed = itertools.count()
        for item in self.expand_fields(scope.root, query):
            if isinstance(item, FieldRef):
                resolved = scope.resolve(item)
                if resolved.expr not in grouped:
                    raise self.error(400, "MALFORMED_QUERY", item.position,
                                     f"Field must be grouped or aggregated: {'.'.join(item.path)}")
                plan.append((resolved.field.name, scope.column(resolved.expr), output_converter(resolved.field)))
            elif isinstance(item, Aggregate):
                expr, convert = self.aggregate_expr(scope, item)
                plan.append((item.alias or f"expr{next(unnamed)}", scope.column(expr), convert))
            else:
                raise self.error(400, "MALFORMED_QUERY", item.object_position,
                                 "Child relationship queries cannot be aggregated.")
        where = self.where_sql(scope, query)
        group = f" GROUP BY {', '.join(grouped)}" if grouped else ""
        order = self.order_sql(scope, query)
        sql = (f"SELECT {', '.join(scope.columns)} FROM {scope.from_sql()} WHERE {where}{group}"
               f"{' ORDER BY ' + order if order else ''}{self.paging_sql(scope, query)}")
        records = []
        for row in self.store.sql(sql, scope.params):
            record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
            for name, column, convert in plan:
                record[name] = convert(row[column])
            records.append(record)
        return records

    def aggregate_expr(self, scope: _Scope, item: Aggregate) -> tuple[str, Callable[[Any], Any]]:
        if item.field is None:
            return "COUNT(*)", int
        resolved = scope.resolve(item.field)
        if item.function in ("COUNT", "COUNT_DISTINCT"):
            distinct = "DISTINCT " if item.function == "COUNT_DISTINCT" else ""
            return f"COUNT({distinct}{resolved.expr})", int
        if item.function in ("SUM", "AVG") and resolved.field.type not in ("currency", "double", "percent", "int"):
            raise self.error(400, "MALFORMED_QUERY", item.position,
                             f"field {resolved.field.name} does not support aggregate operator {item.function}")
        convert = output_converter(resolved.field) if item.function in ("MIN", "MAX") else _float_or_none
        return f"{item.function}({resolved.expr})", convert

    # ----- WHERE ------------------------------------------------------------------------------------------------
    def where_sql(self, scope: _Scope, query: Query) -> str:
        deleted = scope.deleted_filter()
        if query.where is None:
            return deleted
        return f"{deleted} AND {self.condition(scope, query.where)}"

    def condition(self, scope: _Scope, node: Comparison | BoolOp | Not) -> str:
        if isinstance(node, BoolOp):
            return "(" + f" {node.operator} ".join(self.condition(scope, o) for o in node.operands) + ")"
        if isinstance(node, Not):
            # SOQL is two-valued: a comparison with a null is false, so NOT of it is true.
            return f"(NOT coalesce({self.condition(scope, node.operand)}, 0))"
        return self.comparison(scope, node)

    def comparison(self, scope: _Scope, node: Comparison) -> str:
        resolved = scope.resolve(node.field)
        f, expr = resolved.field, resolved.expr
        if f.type == "textarea" and f.length > 255 or f.type == "base64":
            raise self.error(400, "INVALID_FIELD", node.field.position,
                             f"field '{f.name}' can not be filtered in a query call")
        if node.subquery is not None:
            return self.semi_join(scope, node, resolved)
        op = node.operator
        if op in ("IN", "NOT IN"):
            values = [self.filter_value(f, v, node.field.position) for v in node.values]
            if any(isinstance(v, DateRange) for v in values):
                raise self.error(400, "MALFORMED_QUERY", node.field.position, "date literals are not allowed in IN")
            present = [v for v in values if v is not None]
            has_null = len(present) < len(values)
            scope.params.extend(present)
            marks = ", ".join("?" for _ in present)
            if op == "IN":
                parts = ([f"{expr} IN ({marks})"] if present else []) + ([f"{expr} IS NULL"] if has_null else [])
                return "(" + " OR ".join(parts) + ")"
            null_part = f"{expr} IS NOT NULL" if has_null else f"{expr} IS NULL"
            inner = f"{expr} NOT IN ({marks})" if present else "1"
            return f"({inner} AND {null_part})" if has_null else f"({null_part} OR {inner})"
        if op in ("INCLUDES", "EXCLUDES"):
            if f.type != "multipicklist":
                raise self.error(400, "INVALID_FIELD", node.field.position,
                                 f"{op} or EXCLUDES operator only valid on multipicklist field")
            alternatives = []
            for literal in node.values:
                if literal.kind != "string":
                    raise self._type_error(f, node.field.position)
                parts = [p.strip() for p in literal.value.split(";") if p.strip()]
                checks = []
                for part in parts:
                    scope.params.append("%;" + _like_escape(part) + ";%")
                    checks.append(f"(';' || {expr} || ';') LIKE ? ESCAPE '\\'")
                alternatives.append("(" + " AND ".join(checks or ["1"]) + ")")
            included = "(" + " OR ".join(alternatives) + ")"
            return included if op == "INCLUDES" else f"({expr} IS NULL OR NOT {included})"
        if op == "LIKE":
            literal = node.values[0]
            if literal.kind != "string" or f.type not in _STRING_TYPES | {"id", "reference"}:
                raise self.error(400, "INVALID_FIELD", node.field.position,
                                 f"invalid operator on field '{f.name}': LIKE needs a text field and a quoted pattern")
            scope.params.append(literal.value)
            return f"{expr} LIKE ? ESCAPE '\\'"
        value = self.filter_value(f, node.values[0], node.field.position)
        if isinstance(value, DateRange):
            start, end = self.range_bounds(f, value)
            bounds = {"=": (f"({expr} >= ? AND {expr} < ?)", [start, end]),
                      "!=": (f"({expr} IS NULL OR {expr} < ? OR {expr} >= ?)", [start, end]),
                      "<": (f"{expr} < ?", [start]), "<=": (f"{expr} < ?", [end]),
                      ">": (f"{expr} >= ?", [end]), ">=": (f"{expr} >= ?", [start])}
            sql, params = bounds[op]
            scope.params.extend(params)
            return sql
        if value is None:
            if op == "=":
                return f"{expr} IS NULL"
            if op == "!=":
                return f"{expr} IS NOT NULL"
            return "0"
        scope.params.append(value)
        if op == "!=":
            return f"({expr} IS NULL OR {expr} != ?)"
        return f"{expr} {op} ?"

    def semi_join(self, scope: _Scope, node: Comparison, resolved: _Resolved) -> str:
        sub = node.subquery
        assert sub is not None
        if resolved.field.type not in ("id", "reference"):
            raise self.error(400, "INVALID_FIELD", node.field.position,
                             "Semi join sub-selects are only allowed on Id and reference fields.")
        target = self.schema.object(sub.object_name)
        if target is None:
            raise self.error(400, "INVALID_TYPE", sub.object_position,
                             f"sObject type '{sub.object_name}' is not supported.")
        if target.name in COMPUTED_OBJECTS:
            raise self.error(400, "MALFORMED_QUERY", sub.object_position,
                             f"{target.name} can't be queried in a semi-join sub-select.")
        if len(sub.select) != 1 or not isinstance(sub.select[0], FieldRef):
            raise self.error(400, "MALFORMED_QUERY", sub.object_position,
                             "Semi join sub-selects must select exactly one Id or reference field.")
        sub_scope = _Scope(self, target)
        selected = sub_scope.resolve(sub.select[0])
        if selected.field.type not in ("id", "reference"):
            raise self.error(400, "INVALID_FIELD", sub.select[0].position,
                             "Semi join sub-selects can only select an Id or reference field.")
        where = self.where_sql(sub_scope, sub)
        sql = f"SELECT {selected.expr} FROM {sub_scope.from_sql()} WHERE {where}{self.paging_sql(sub_scope, sub)}"
        scope.params.extend(sub_scope.params)
        if node.operator == "IN":
            return f"{resolved.expr} IN ({sql})"
        return f"({resolved.expr} IS NULL OR {resolved.expr} NOT IN ({sql}))"

    def filter_value(self, f: FieldDef, literal: Literal, position: Position) -> Any:
        """A literal as the SQL parameter for comparing with `f` (DateRange for date literals)."""
        if literal.kind == "null":
            return None
        if f.type in ("id", "reference"):
            if literal.kind != "string":
                raise self._type_error(f, position)
            canonical = normalize_id(literal.value)
            if canonical is None:
                raise self.error(400, "INVALID_QUERY_FILTER_OPERATOR", position, f"invalid ID field: {literal.value}")
            return canonical
        if f.type in _STRING_TYPES:
            if literal.kind != "string":
                raise self._type_error(f, position)
            return literal.value
        if f.type == "boolean":
            if literal.kind != "boolean":
                raise self._type_error(f, position)
            return int(literal.value)
        if f.type in ("currency", "double", "percent", "int"):
            if literal.kind != "number":
                raise self._type_error(f, position)
            return literal.value
        if literal.kind == "date_literal":
            return date_literal_range(literal.value, literal.n, self.store.today)
        if f.type == "date" and literal.kind == "date":
            return literal.value.isoformat()
        if f.type == "datetime" and literal.kind == "datetime":
            return format_datetime(parse_datetime(literal.value))
        raise self._type_error(f, position)

    def range_bounds(self, f: FieldDef, value: DateRange) -> tuple[str, str]:
        if f.type == "datetime":
            return f"{value.start.isoformat()}T00:00:00.000+0000", f"{value.end.isoformat()}T00:00:00.000+0000"
        return value.start.isoformat(), value.end.isoformat()

    def _type_error(self, f: FieldDef, position: Position) -> SalesforceError:
        kind = {"currency": "number", "double": "number", "percent": "number", "int": "number",
                "reference": "reference", "id": "id"}.get(f.type, f.type)
        quoting = "be enclosed in quotes" if f.type in _STRING_TYPES | {"id", "reference"} else "not be enclosed in quotes"
        return self.error(400, "INVALID_FIELD", position,
                          f"value of filter criterion for field '{f.name}' must be of type {kind} and should {quoting}")

    # ----- ORDER BY, LIMIT, OFFSET ------------------------------------------------------------------------------
    def order_sql(self, scope: _Scope, query: Query) -> str:
        parts = []
        for item in query.order_by:
            if isinstance(item.target, Aggregate):
                expr = self.aggregate_expr(scope, item.target)[0]
            else:
                resolved = scope.resolve(item.target)
                if resolved.field.type in ("textarea", "base64", "multipicklist") and resolved.field.length > 255:
                    raise self.error(400, "INVALID_FIELD", item.target.position,
                                     f"field '{resolved.field.name}' can not be sorted in a query call")
                expr = resolved.expr
            part = f"{expr} {'DESC' if item.descending else 'ASC'}"
            if item.nulls_first is not None:
                part += " NULLS FIRST" if item.nulls_first else " NULLS LAST"
            parts.append(part)
        return ", ".join(parts)

    def paging_sql(self, scope: _Scope, query: Query) -> str:
        if query.offset is not None and query.offset > 2000:
            raise SalesforceError(400, "NUMBER_OUTSIDE_VALID_RANGE",
                                  f"Maximum SOQL offset allowed is 2000 (got {query.offset})")
        sql = ""
        if query.limit is not None or query.offset is not None:
            sql = " LIMIT ?"
            scope.params.append(query.limit if query.limit is not None else -1)
        if query.offset is not None:
            sql += " OFFSET ?"
            scope.params.append(query.offset)
        return sql


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
