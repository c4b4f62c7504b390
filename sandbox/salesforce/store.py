"""The emulated org's data: one SQLite table per object, Salesforce's validation on every write, SOQL reads."""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from . import derived
from .errors import (
    SalesforceError,
    duplicate_value,
    entity_is_deleted,
    invalid_cross_reference,
    invalid_field,
    invalid_field_for_insert_update,
    multiple_choices,
    not_found,
    required_field_missing,
    unknown_object_rest,
)
from .field_values import format_datetime, output_converter, to_storage
from .ids import make_id, normalize_id
from .schema import NUMBER_TYPES, FieldDef, ObjectDef, Schema


@dataclass
class QueryResult:
    total_size: int
    records: list[dict]  # already Salesforce-shaped: attributes first, then the selected fields


SYSTEM_ADMINISTRATOR = "System Administrator"  # the integration user's profile, made with the org
_SQL_TYPES = {"boolean": "INTEGER", "int": "INTEGER", "date": "TEXT", "datetime": "TEXT"}


def sql_column_type(field: FieldDef) -> str:
    if field.type in _SQL_TYPES:
        return _SQL_TYPES[field.type]
    if field.type in NUMBER_TYPES:
        return "REAL"
    # Ids are stored canonical (18 chars, case restored) so they compare exactly; other text is case-insensitive.
    return "TEXT" if field.type in ("id", "reference", "base64") else "TEXT COLLATE NOCASE"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class OrgStore:
    """A Salesforce org in one SQLite file. Thread-safe: one connection guarded by a re-entrant lock."""

    def __init__(
        self,
        db_path: str | Path,
        schema: Schema,
        api_version: str = "59.0",
        today: date | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        self.schema = schema
        self.api_version = api_version
        self._today = today
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(str(db_path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=OFF")
        self._stored_columns = {
            o.name: [f.name for f in o.fields if f.formula is None] for o in schema.objects()
        }
        # Plain dicts: field lookups sit on the hot path of bulk inserts.
        self._fields_by_name = {o.name: {f.name.lower(): f for f in o.fields} for o in schema.objects()}
        self._rollups_by_child: dict[str, list[tuple[ObjectDef, FieldDef]]] = {}
        for obj in schema.objects():
            for f in obj.fields:
                if f.rollup:
                    self._rollups_by_child.setdefault(f.rollup.child, []).append((obj, f))
        with self.transaction():
            self._create_tables()
            self._bootstrap()

    # ----- properties -------------------------------------------------------------------------------------------
    @property
    def today(self) -> date:
        return self._today or self._clock().astimezone(UTC).date()

    @property
    def integration_user_id(self) -> str:
        return self._meta("integration_user_id") or ""

    @property
    def organization_id(self) -> str:
        return self._meta("organization_id") or ""

    @property
    def standard_pricebook_id(self) -> str:
        return self._meta("standard_pricebook_id") or ""

    def record_url(self, obj: str, record_id: str) -> str:
        return f"/services/data/v{self.api_version}/sobjects/{obj}/{record_id}"

    # ----- transactions -----------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Nestable all-or-nothing block (SAVEPOINTs); an exception inside rolls back everything in it."""
        with self._lock:
            name = f"sp{self._depth}"
            self._conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                self._conn.execute(f"ROLLBACK TO {name}")
                self._conn.execute(f"RELEASE {name}")
                raise
            self._depth -= 1
            self._conn.execute(f"RELEASE {name}")

    # ----- writes -----------------------------------------------------------------------------------------------
    def create(self, obj: str, fields: dict) -> str:
        return self.insert_many(obj, [fields])[0]

    def insert_many(self, obj: str, rows: list[dict]) -> list[str]:
        """Validate and insert every row in one transaction; the first invalid row fails the whole batch.

        A failing row's error carries `.row_index` (its position in `rows`)."""
        objdef = self._writable_object(obj, "inserted")
        with self.transaction():
            prepared = self._prepare_inserts(objdef, rows)
            for index, item in enumerate(prepared):
                if isinstance(item, SalesforceError):
                    item.row_index = index  # type: ignore[attr-defined]
                    raise item
            return self._insert_prepared(objdef, prepared)  # type: ignore[arg-type]

    def insert_each(self, obj: str, rows: list[dict]) -> list[str | SalesforceError]:
        """Per-row results (Bulk API style): valid rows are inserted, invalid ones come back as their error."""
        objdef = self._writable_object(obj, "inserted")
        with self.transaction():
            prepared = self._prepare_inserts(objdef, rows)
            valid = [p for p in prepared if not isinstance(p, SalesforceError)]
            ids = iter(self._insert_prepared(objdef, valid) if valid else [])
            return [p if isinstance(p, SalesforceError) else next(ids) for p in prepared]

    def update(self, obj: str, record_id: str, fields: dict) -> None:
        objdef = self._writable_object(obj, "updated")
        with self.transaction():
            current = self._current_row(objdef, record_id)
            changes = self._coerce(objdef, fields, creating=False)
            missing = [name for name, value in changes.items()
                       if value is None and objdef.field(name).required]  # type: ignore[union-attr]
            if missing:
                raise required_field_missing(missing)
            error = self._check_references(objdef, [changes])[0] or self._check_unique(objdef, [changes], current["Id"])[0]
            if error:
                raise error
            derived.before_update(self, objdef, current, changes)
            now = format_datetime(self._clock())
            changes.update(LastModifiedDate=now, SystemModstamp=now, LastModifiedById=self.integration_user_id)
            assignments = ", ".join(f"{quote(name)} = ?" for name in changes)
            self._conn.execute(f"UPDATE {quote(objdef.name)} SET {assignments} WHERE Id = ?",
                               [*changes.values(), current["Id"]])
            self._after_write(objdef, [current["Id"]], [current])

    def delete(self, obj: str, record_id: str) -> None:
        """Soft delete (IsDeleted = true, so queryAll still sees it), cascading to master-detail children."""
        objdef = self._writable_object(obj, "deleted")
        with self.transaction():
            current = self._current_row(objdef, record_id)
            self._soft_delete(objdef, [current["Id"]])

    def upsert(self, obj: str, ext_field: str, ext_value: str, fields: dict) -> tuple[str, bool]:
        """Update the record whose external id matches, or create it; returns (id, created)."""
        objdef = self._writable_object(obj, "upserted")
        key_field = self._external_id_field(objdef, ext_field)
        body = {k: v for k, v in fields.items() if k != "attributes"}
        for key in list(body):
            if key.lower() == key_field.name.lower() and str(body.pop(key)).lower() != str(ext_value).lower():
                raise SalesforceError(400, "INVALID_FIELD", f"{key_field.name}: the value in the body does "
                                      f"not match the external id in the URL", [key_field.name])
        with self.transaction():
            if key_field.name == "Id":
                if ext_value:
                    self.update(objdef.name, ext_value, body)
                    return normalize_id(ext_value) or ext_value, False
                return self.create(objdef.name, body), True
            matches = self._ids_by_value(objdef, key_field, ext_value)
            if len(matches) > 1:
                raise multiple_choices([self.record_url(objdef.name, m) for m in matches])
            if matches:
                self.update(objdef.name, matches[0], body)
                return matches[0], False
            return self.create(objdef.name, {**body, key_field.name: ext_value}), True

    # ----- reads ------------------------------------------------------------------------------------------------
    def get(self, obj: str, record_id: str, fields: list[str] | None = None) -> dict:
        objdef = self._object_rest(obj)
        wanted = self._field_list(objdef, fields)
        canonical = self._canonical_id(objdef, record_id)
        with self._lock:
            columns = ", ".join(quote(f.name) for f in wanted)
            row = self._conn.execute(
                f"SELECT IsDeleted, {columns} FROM {quote(objdef.name)} WHERE Id = ?", (canonical,)
            ).fetchone()
        if row is None:
            raise not_found()
        if row[0]:
            raise entity_is_deleted()
        url = self.record_url(objdef.name, canonical)
        record: dict[str, Any] = {"attributes": {"type": objdef.name, "url": url}}
        for f, value in zip(wanted, row[1:], strict=True):
            # A blob is never inlined: its value is the URL its bytes are served at (as in SOQL results).
            record[f.name] = (value and f"{url}/{f.name}") if f.type == "base64" else output_converter(f)(value)
        return record

    def get_blob(self, obj: str, record_id: str, field: str) -> bytes:
        """The bytes of a base64 field (`GET sobjects/X/{id}/{field}`); 404 NOT_FOUND unless `field` is a blob."""
        objdef = self._object_rest(obj)
        f = objdef.field(field)
        if f is None or f.type != "base64":
            raise not_found()
        canonical = self._canonical_id(objdef, record_id)
        with self._lock:
            row = self._conn.execute(
                f"SELECT IsDeleted, {quote(f.name)} FROM {quote(objdef.name)} WHERE Id = ?", (canonical,)
            ).fetchone()
        if row is None:
            raise not_found()
        if row[0]:
            raise entity_is_deleted()
        return base64.b64decode(row[1]) if row[1] else b""

    def get_by_external_id(self, obj: str, field: str, value: str, fields: list[str] | None = None) -> dict:
        objdef = self._object_rest(obj)
        key_field = self._external_id_field(objdef, field)
        if key_field.name == "Id":
            return self.get(objdef.name, value, fields)
        matches = self._ids_by_value(objdef, key_field, value)
        if not matches:
            raise not_found()
        if len(matches) > 1:
            raise multiple_choices([self.record_url(objdef.name, m) for m in matches])
        return self.get(objdef.name, matches[0], fields)

    def query(self, soql: str, include_deleted: bool = False) -> QueryResult:
        from .soql.executor import execute_query

        with self._lock:
            return execute_query(self, soql, include_deleted)

    def count(self, obj: str) -> int:
        objdef = self._object_rest(obj)
        with self._lock:
            return self._conn.execute(f"SELECT COUNT(*) FROM {quote(objdef.name)} WHERE IsDeleted = 0").fetchone()[0]

    def sql(self, statement: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple]:
        """Raw read access for the SOQL executor and derivations (callers hold no lock: this takes it)."""
        with self._lock:
            return self._conn.execute(statement, params).fetchall()

    def modified_between(self, obj: str, start: datetime, end: datetime, deleted: bool) -> list[tuple[str, str]]:
        """(Id, SystemModstamp) of records changed (or deleted) in [start, end): for the updated/deleted resources."""
        objdef = self._object_rest(obj)
        return self.sql(
            f"SELECT Id, SystemModstamp FROM {quote(objdef.name)} WHERE IsDeleted = ? "
            "AND SystemModstamp >= ? AND SystemModstamp < ? ORDER BY SystemModstamp",
            (int(deleted), format_datetime(start), format_datetime(end)),
        )

    def meta(self, key: str) -> str | None:
        return self._meta(key)

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO _meta(key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ----- internals: lookup ------------------------------------------------------------------------------------
    def _object_rest(self, obj: str) -> ObjectDef:
        objdef = self.schema.object(obj)
        if objdef is None:
            raise unknown_object_rest(obj)
        return objdef

    def _writable_object(self, obj: str, verb: str) -> ObjectDef:
        objdef = self._object_rest(obj)
        allowed = objdef.createable if verb in ("inserted", "upserted") else objdef.updateable
        if not allowed:
            raise SalesforceError(400, "INVALID_TYPE_FOR_OPERATION", f"entity type cannot be {verb}: {objdef.label}")
        return objdef

    def _field_list(self, objdef: ObjectDef, names: list[str] | None) -> list[FieldDef]:
        if not names:
            return list(objdef.fields)
        wanted = []
        for name in names:
            f = objdef.field(name.strip())
            if f is None:
                raise invalid_field(objdef.name, name.strip())
            wanted.append(f)
        return wanted

    def _external_id_field(self, objdef: ObjectDef, name: str) -> FieldDef:
        f = objdef.field(name)
        if f is None or not (f.external_id or f.name == "Id"):
            raise SalesforceError(404, "NOT_FOUND", f"Provided external ID field does not exist or is not "
                                  f"accessible: {name}")
        return f

    def _canonical_id(self, objdef: ObjectDef, record_id: str) -> str:
        canonical = normalize_id(record_id)
        if canonical is None:
            raise SalesforceError(400, "MALFORMED_ID", f"{objdef.label} ID: id value of incorrect type: {record_id}")
        if canonical[:3] != objdef.key_prefix:
            raise not_found()
        return canonical

    def _current_row(self, objdef: ObjectDef, record_id: str) -> dict[str, Any]:
        canonical = self._canonical_id(objdef, record_id)
        cursor = self._conn.execute(f"SELECT * FROM {quote(objdef.name)} WHERE Id = ?", (canonical,))
        row = cursor.fetchone()
        if row is None:
            raise not_found()
        current = dict(zip([d[0] for d in cursor.description], row, strict=True))
        if current["IsDeleted"]:
            raise entity_is_deleted()
        return current

    def _ids_by_value(self, objdef: ObjectDef, field: FieldDef, value: str) -> list[str]:
        stored = to_storage(field, value)
        rows = self._conn.execute(
            f"SELECT Id FROM {quote(objdef.name)} WHERE {quote(field.name)} = ? AND IsDeleted = 0 ORDER BY rowid",
            (stored,),
        ).fetchall()
        return [r[0] for r in rows]

    def _meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM _meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # ----- internals: validation --------------------------------------------------------------------------------
    def _coerce(self, objdef: ObjectDef, fields: dict, creating: bool) -> dict[str, Any]:
        """Input names -> schema names, values -> storage values; unknown and read-only fields are refused."""
        values: dict[str, Any] = {}
        read_only: list[str] = []
        by_name = self._fields_by_name[objdef.name]
        for key, raw in fields.items():
            if key == "attributes":
                continue
            f = by_name.get(key.lower()) if isinstance(key, str) else None
            if f is None and isinstance(raw, dict):  # `Parent__r: {Ext__c: value}` names the parent by external id
                f = objdef.parent_relationship(key)
                raw = self._parent_by_external_id(f, raw) if f else raw
            if f is None:
                raise invalid_field(objdef.name, key)
            if not (f.createable if creating else f.updateable):
                read_only.append(f.name)
                continue
            values[f.name] = to_storage(f, raw)
        if read_only:
            raise invalid_field_for_insert_update(read_only)
        return values

    def _parent_by_external_id(self, f: FieldDef, reference: dict[str, Any]) -> str:
        """The Id of the one parent record whose external id field holds the given value."""
        keys = [k for k in reference if k != "attributes"]
        target = self.schema.object(f.reference_to[0]) if len(f.reference_to) == 1 else None
        if target is None or len(keys) != 1:
            raise SalesforceError(400, "INVALID_FIELD", f"{f.relationship_name}: name exactly one external id field "
                                  "of the parent record", [f.name])
        key_field = self._external_id_field(target, keys[0])
        value = str(reference[keys[0]])
        matches = self._ids_by_value(target, key_field, value)
        if not matches:
            raise SalesforceError(400, "INVALID_FIELD", f"Foreign key external ID: {value} not found for field "
                                  f"{key_field.name} in entity {target.name}", [f.name])
        if len(matches) > 1:
            raise SalesforceError(400, "INVALID_FIELD", f"More than one record found for external ID field "
                                  f"{key_field.name} with value {value} in entity {target.name}", [f.name])
        return matches[0]

    def _prepare_inserts(self, objdef: ObjectDef, rows: list[dict]) -> list[dict[str, Any] | SalesforceError]:
        prepared: list[dict[str, Any] | SalesforceError] = []
        for row in rows:
            try:
                if not isinstance(row, dict):
                    raise SalesforceError(400, "JSON_PARSER_ERROR", "Expected a JSON object for each record")
                values = self._coerce(objdef, row, creating=True)
                for f in objdef.fields:
                    if f.name not in values and f.createable:
                        if f.default is not None:
                            values[f.name] = to_storage(f, f.default)
                        elif f.type == "boolean":
                            values[f.name] = 0
                if objdef.field("OwnerId") and values.get("OwnerId") is None:
                    values["OwnerId"] = self.integration_user_id
                prepared.append(values)
            except SalesforceError as error:
                prepared.append(error)
        valid = [p for p in prepared if isinstance(p, dict)]
        errors = derived.before_insert(self, objdef, valid)
        required = [f.name for f in objdef.fields if f.required]
        for index, row_values in enumerate(valid):
            missing = [name for name in required if row_values.get(name) is None]
            if missing and errors[index] is None:
                errors[index] = required_field_missing(missing)
        reference_errors = self._check_references(objdef, valid)
        unique_errors = self._check_unique(objdef, valid, None)
        merged = iter(zip(errors, reference_errors, unique_errors, strict=True))
        out: list[dict[str, Any] | SalesforceError] = []
        for item in prepared:
            if isinstance(item, SalesforceError):
                out.append(item)
                continue
            derived_error, reference_error, unique_error = next(merged)
            out.append(derived_error or reference_error or unique_error or item)
        return out

    def _check_references(self, objdef: ObjectDef, rows: list[dict[str, Any]]) -> list[SalesforceError | None]:
        """Every reference must point at a live record of an allowed type (one query per target object)."""
        errors: list[SalesforceError | None] = [None] * len(rows)
        wanted: dict[str, set[str]] = {}
        for index, row in enumerate(rows):
            for f in objdef.fields:
                value = row.get(f.name) if f.type == "reference" else None
                if value is None:
                    continue
                target = self.schema.object_for_prefix(value[:3])
                if target is None or target.name not in f.reference_to:
                    errors[index] = errors[index] or invalid_cross_reference(
                        f.name, value, f"id value of incorrect type for {f.label}")
                    continue
                wanted.setdefault(target.name, set()).add(value)
        live: set[str] = set()
        for target_name, ids in wanted.items():
            found = self._conn.execute(
                f"SELECT Id FROM {quote(target_name)} WHERE IsDeleted = 0 AND Id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(ids)),),
            ).fetchall()
            live.update(r[0] for r in found)
        for index, row in enumerate(rows):
            for f in objdef.fields:
                value = row.get(f.name) if f.type == "reference" else None
                if value is not None and value not in live and errors[index] is None:
                    errors[index] = invalid_cross_reference(f.name, value)
        return errors

    def _check_unique(self, objdef: ObjectDef, rows: list[dict[str, Any]], own_id: str | None) -> list[SalesforceError | None]:
        errors: list[SalesforceError | None] = [None] * len(rows)
        for f in objdef.fields:
            if not f.unique:
                continue
            values = [row.get(f.name) for row in rows]
            present = [v for v in values if v is not None]
            if not present:
                continue
            existing = dict(self._conn.execute(
                f"SELECT lower({quote(f.name)}), Id FROM {quote(objdef.name)} WHERE IsDeleted = 0 "
                f"AND {quote(f.name)} IN (SELECT value FROM json_each(?))",
                (json.dumps(present),),
            ).fetchall())
            seen: dict[str, int] = {}
            for index, value in enumerate(values):
                if value is None:
                    continue
                key = str(value).lower()
                holder = existing.get(key)
                if holder and holder != own_id:
                    errors[index] = errors[index] or duplicate_value(f.name, holder)
                elif key in seen:
                    errors[index] = errors[index] or duplicate_value(f.name, None)
                seen[key] = index
        return errors

    # ----- internals: storage -----------------------------------------------------------------------------------
    def _insert_prepared(self, objdef: ObjectDef, rows: list[dict[str, Any]]) -> list[str]:
        """Assign ids, auto-numbers and system fields, then insert in one executemany."""
        if not rows:
            return []
        first = self._next_sequence(objdef.name, len(rows))
        ids = [make_id(objdef.key_prefix, first + offset) for offset in range(len(rows))]
        for f in objdef.fields:
            if f.auto_number:
                start = self._next_sequence(f"{objdef.name}.{f.name}", len(rows))
                for offset, row in enumerate(rows):
                    row[f.name] = _format_auto_number(f.auto_number, start + offset)
        now = format_datetime(self._clock())
        user = self.integration_user_id or None
        for record_id, row in zip(ids, rows, strict=True):
            row.update(Id=record_id, IsDeleted=0, CreatedDate=now, LastModifiedDate=now, SystemModstamp=now,
                       CreatedById=row.get("CreatedById") or user, LastModifiedById=row.get("LastModifiedById") or user)
        columns = self._stored_columns[objdef.name]
        self._conn.executemany(
            f"INSERT INTO {quote(objdef.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            [tuple(row.get(c) for c in columns) for row in rows],
        )
        self._after_write(objdef, ids, [])
        return ids

    def _after_write(self, objdef: ObjectDef, ids: list[str], previous: list[dict[str, Any]]) -> None:
        derived.after_write(self, objdef, ids)
        self._refresh_rollups_of_parents(objdef, ids, previous)
        self._refresh_own_rollups(objdef, ids)

    def _refresh_rollups_of_parents(self, child: ObjectDef, ids: list[str], previous: list[dict[str, Any]]) -> None:
        for parent, f in self._rollups_by_child.get(child.name, []):
            via = f.rollup.via  # type: ignore[union-attr]
            parent_ids = {r[0] for r in self._conn.execute(
                f"SELECT DISTINCT {quote(via)} FROM {quote(child.name)} WHERE Id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            ).fetchall() if r[0]}
            parent_ids.update(p[via] for p in previous if p.get(via))
            if parent_ids:
                self._recompute_rollup(parent, f, sorted(parent_ids))

    def _refresh_own_rollups(self, objdef: ObjectDef, ids: list[str]) -> None:
        """A parent written directly keeps its rollups true to its children (Amount follows line items)."""
        for f in objdef.fields:
            if f.rollup:
                self._recompute_rollup(objdef, f, ids)

    def _recompute_rollup(self, parent: ObjectDef, f: FieldDef, parent_ids: list[str]) -> None:
        rollup = f.rollup
        assert rollup is not None
        children = f"FROM {quote(rollup.child)} c WHERE c.{quote(rollup.via)} = p.Id AND c.IsDeleted = 0"
        if rollup.op == "exists":
            expression, guard = f"EXISTS (SELECT 1 {children})", ""
        else:
            expression = f"(SELECT round(coalesce(sum(c.{quote(rollup.field or '')}), 0), 2) {children})"
            # A writable field (Amount) is only driven by its children while it has some.
            guard = "" if f.auto else f" AND EXISTS (SELECT 1 {children})"
        self._conn.execute(
            f"UPDATE {quote(parent.name)} AS p SET {quote(f.name)} = {expression} "
            f"WHERE p.Id IN (SELECT value FROM json_each(?)){guard}",
            (json.dumps(parent_ids),),
        )

    def _soft_delete(self, objdef: ObjectDef, ids: list[str]) -> None:
        previous: list[dict[str, Any]] = []
        for _parent, f in self._rollups_by_child.get(objdef.name, []):
            via = f.rollup.via  # type: ignore[union-attr]
            rows = self._conn.execute(
                f"SELECT Id, {quote(via)} FROM {quote(objdef.name)} WHERE Id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            ).fetchall()
            previous.extend({"Id": r[0], via: r[1]} for r in rows)
        now = format_datetime(self._clock())
        self._conn.execute(
            f"UPDATE {quote(objdef.name)} SET IsDeleted = 1, SystemModstamp = ?, LastModifiedDate = ? "
            "WHERE Id IN (SELECT value FROM json_each(?))",
            (now, now, json.dumps(ids)),
        )
        for child in objdef.child_relationships:
            if child.cascade_delete:
                child_ids = [r[0] for r in self._conn.execute(
                    f"SELECT Id FROM {quote(child.child_object)} WHERE IsDeleted = 0 AND "
                    f"{quote(child.field)} IN (SELECT value FROM json_each(?))",
                    (json.dumps(ids),),
                ).fetchall()]
                if child_ids:
                    self._soft_delete(self.schema.object(child.child_object), child_ids)  # type: ignore[arg-type]
        self._refresh_rollups_of_parents(objdef, [], previous)

    def _next_sequence(self, name: str, count: int) -> int:
        """Reserve `count` consecutive numbers; returns the first (ids and auto-numbers are deterministic)."""
        last = self._conn.execute(
            "INSERT INTO _sequence(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value RETURNING value",
            (name, count),
        ).fetchone()[0]
        return last - count + 1

    def _create_tables(self) -> None:
        self._conn.execute("CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT)")
        self._conn.execute("CREATE TABLE IF NOT EXISTS _sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        for objdef in self.schema.objects():
            columns = []
            for f in objdef.fields:
                column = f"{quote(f.name)} {sql_column_type(f)}"
                if f.name == "Id":
                    column += " PRIMARY KEY"
                elif f.formula:
                    column += f" GENERATED ALWAYS AS ({f.formula}) STORED"
                columns.append(column)
            self._conn.execute(f"CREATE TABLE IF NOT EXISTS {quote(objdef.name)} ({', '.join(columns)})")
            # An org kept from an older schema gains the fields added since (empty, as Salesforce does).
            held = {row[1] for row in self._conn.execute(f"PRAGMA table_info({quote(objdef.name)})")}
            for f in objdef.fields:
                if f.name not in held and not f.formula:
                    self._conn.execute(f"ALTER TABLE {quote(objdef.name)} ADD COLUMN {quote(f.name)} "
                                       f"{sql_column_type(f)}")
            for f in objdef.fields:
                index = f"{quote('ix_' + objdef.name + '_' + f.name)} ON {quote(objdef.name)} ({quote(f.name)})"
                if f.unique:
                    self._conn.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {index} WHERE IsDeleted = 0")
                elif f.type == "reference" or f.external_id:
                    self._conn.execute(f"CREATE INDEX IF NOT EXISTS {index}")

    def _bootstrap(self) -> None:
        """A fresh org has its Organization row, the integration user and the standard price book."""
        if self._meta("organization_id"):
            return
        org_id = self._insert_prepared(self.schema.object("Organization"), [{  # type: ignore[arg-type]
            "Name": "Contractloop Sandbox", "IsSandbox": 1, "OrganizationType": "Enterprise Edition",
            "InstanceName": "CS42", "DefaultLocaleSidKey": "en_US", "TimeZoneSidKey": "America/Los_Angeles",
            "LanguageLocaleKey": "en_US", "FiscalYearStartMonth": 1}])[0]
        # The API user is a System Administrator: it reads and writes every record (sandbox/salesforce/sharing.py).
        admin_profile = self._insert_prepared(self.schema.object("Profile"), [{  # type: ignore[arg-type]
            "Name": SYSTEM_ADMINISTRATOR, "UserType": "Standard", "PermissionsViewAllData": 1,
            "PermissionsModifyAllData": 1, "Description": "Full access to every record"}])[0]
        user_id = self._insert_prepared(self.schema.object("User"), [{  # type: ignore[arg-type]
            "Username": "integration@contractloop.sandbox", "FirstName": "Integration", "LastName": "User",
            "Email": "integration@contractloop.sandbox", "Alias": "integ", "Title": "Integration User",
            "IsActive": 1, "ProfileId": admin_profile}])[0]
        self._conn.execute("UPDATE User SET CreatedById = ?, LastModifiedById = ?", (user_id, user_id))
        self._conn.execute("UPDATE Organization SET CreatedById = ?, LastModifiedById = ?", (user_id, user_id))
        self._conn.execute("UPDATE Profile SET CreatedById = ?, LastModifiedById = ?", (user_id, user_id))
        for key, value in (("organization_id", org_id), ("integration_user_id", user_id)):
            self._conn.execute("INSERT INTO _meta(key, value) VALUES (?, ?)", (key, value))
        pricebook_id = self._insert_prepared(self.schema.object("Pricebook2"), [{  # type: ignore[arg-type]
            "Name": "Standard Price Book", "IsActive": 1, "IsStandard": 1,
            "Description": "The org's standard price book"}])[0]
        self._conn.execute("INSERT INTO _meta(key, value) VALUES ('standard_pricebook_id', ?)", (pricebook_id,))


def _format_auto_number(pattern: str, number: int) -> str:
    """`Q-{00000}` with 42 -> `Q-00042`."""
    start, end = pattern.index("{"), pattern.index("}")
    width = end - start - 1
    return f"{pattern[:start]}{number:0{width}d}{pattern[end + 1:]}"
