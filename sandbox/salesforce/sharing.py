"""Who may read which record: the sandbox's sharing model, and the query-only `UserRecordAccess` built on it.

The org is set up as a real one with private org-wide defaults for Account and Opportunity. A user U has access
to a record as follows; the access level is the highest of every way U has it:

- Inactive users (IsActive false), and ids that name no user, have no access to anything.
- A profile with Modify All Data (the integration user's System Administrator) has All on every record; one with
  View All Data (Legal) has at least Read on every record.
- Account and Opportunity (private):
  * the owner has All; so has every user whose role is above the owner's role in the hierarchy (an ancestor,
    not a peer: two reps in the same role never see each other's records);
  * a manual share (`AccountShare`, `OpportunityShare`) gives its user, and everyone above that user in the role
    hierarchy, its access level (Read, Edit or All);
  * an Opportunity is also reachable through an `AccountShare` on its Account whose `OpportunityAccessLevel` is
    Read or Edit. Owning the Account, or being above its owner, does NOT open the Account's opportunities (the
    role setting "opportunity access for account owners" is None in this org), so an opportunity owned by another
    rep stays hidden from the account owner unless shared;
  * implicit parent sharing: whoever can see an Opportunity by ownership, hierarchy or an OpportunityShare can
    read (Read only) its Account.
- Controlled by parent: the records contractloop hangs on a deal follow their parent (the first parent field that
  is set; see `CONTROLLED_BY_PARENT`), with the parent's level. Contract_Insight__c follows its Opportunity, else
  its Account; Contract_Obligation__c its insight; quotes, line items, contact roles and reviews their
  Opportunity; Contact and Contract their Account; Task and Event their WhatId; a ContentVersion its
  ContentDocument, and a ContentDocument the best of the records it is linked to (a link to a user opens it to
  that user only). The owner of such a record (and those above the owner) also has All; a record with no parent
  set is reachable by its owner, the hierarchy and the data permissions only.
- Everything else (Product2, price books, Campaign, Lead, User, UserRole...) is public: Read for every active
  user, All for its owner and above.

`UserRecordAccess` answers the documented query shape (Object Reference, "UserRecordAccess"): exactly one
`UserId = '005...'`, and `RecordId = '...'` or `RecordId IN (...)` with at most 200 ids, ANDed; it may also filter
on one of the Has*Access fields, and then must select RecordId only. Over 200 ids is `LIMIT_EXCEEDED: Number of
records exceeds limit: 200`, a `UserId IN (...)` is MALFORMED_QUERY (both as a real org answers, measured and
written down in a public design note); the wording of the other refusals is the sandbox's own. Every RecordId asked
for comes back as one row, all flags false when the user has no access or the record does not exist (as a real
org does). The running user is always the integration user (Modify All Data), so no row is filtered out for the
running user's own lack of access.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from .errors import SalesforceError
from .ids import normalize_id
from .soql.nodes import BoolOp, Comparison, FieldRef, Literal, Not, Position, Query
from .soql.parser import located

if TYPE_CHECKING:
    from .store import OrgStore, QueryResult

ACCESS_LEVELS = ("None", "Read", "Edit", "Delete", "Transfer", "All")
NONE, READ, EDIT, DELETE, TRANSFER, ALL = range(6)
_RANK = {name.lower(): rank for rank, name in enumerate(ACCESS_LEVELS)}

PRIVATE = frozenset({"Account", "Opportunity"})
# child object -> its parent reference fields, in order: the first one set on a record is the record's parent
CONTROLLED_BY_PARENT: dict[str, tuple[str, ...]] = {
    "Contact": ("AccountId",),
    "Contract": ("AccountId",),
    "AccountShare": ("AccountId",),
    "OpportunityShare": ("OpportunityId",),
    "OpportunityContactRole": ("OpportunityId",),
    "OpportunityLineItem": ("OpportunityId",),
    "SBQQ__Quote__c": ("SBQQ__Opportunity2__c", "SBQQ__Account__c"),
    "SBQQ__QuoteLine__c": ("SBQQ__Quote__c",),
    "Contract_Insight__c": ("Opportunity__c", "Account__c"),
    "Contract_Review__c": ("Opportunity__c",),
    "Contract_Obligation__c": ("Contract_Insight__c",),
    "Task": ("WhatId",),
    "Event": ("WhatId",),
    "ContentVersion": ("ContentDocumentId",),
    "ContentDocumentLink": ("ContentDocumentId",),
}
MAX_RECORD_IDS = 200
_MAX_DEPTH = 6  # parent chains are short (obligation -> insight -> opportunity); this only guards against a loop
_ACCESS_FLAGS = {"hasreadaccess": ("HasReadAccess", READ), "haseditaccess": ("HasEditAccess", EDIT),
                 "hasdeleteaccess": ("HasDeleteAccess", DELETE),
                 "hastransferaccess": ("HasTransferAccess", TRANSFER), "hasallaccess": ("HasAllAccess", ALL)}
_SELECTABLE = {"recordid": "RecordId", "maxaccesslevel": "MaxAccessLevel",
               **{key: name for key, (name, _) in _ACCESS_FLAGS.items()}}


_Error = Callable[[str, Position | None, str], SalesforceError]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Viewer:
    """The user access is computed for: whether active, the data permissions, and `grantees`: the user and
    every user in a role below theirs (what any of them owns or is shared, the viewer has too)."""

    user_id: str
    active: bool
    view_all: bool
    modify_all: bool
    grantees: frozenset[str]


class SharingModel:
    """Record access in one org, read straight from its tables (the org is small: roles and users fit in memory)."""

    def __init__(self, store: OrgStore) -> None:
        self.store = store
        self.schema = store.schema

    def viewer(self, user_id: str) -> Viewer:
        canonical = normalize_id(user_id) or ""
        rows = self.store.sql(
            'SELECT u.IsActive, u.UserRoleId, coalesce(p.PermissionsViewAllData, 0), '
            'coalesce(p.PermissionsModifyAllData, 0) FROM "User" u LEFT JOIN "Profile" p '
            "ON p.Id = u.ProfileId AND p.IsDeleted = 0 WHERE u.Id = ? AND u.IsDeleted = 0", (canonical,))
        if not rows or not rows[0][0]:
            return Viewer(canonical, False, False, False, frozenset())
        active, role, view_all, modify_all = rows[0]
        below = self.roles_below(role) if role else set()
        users = self.store.sql('SELECT Id, UserRoleId FROM "User" WHERE IsDeleted = 0')
        grantees = {canonical} | {uid for uid, rid in users if rid in below}
        return Viewer(canonical, bool(active), bool(view_all), bool(modify_all), frozenset(grantees))

    def roles_below(self, role_id: str) -> set[str]:
        """Every role under `role_id` in the hierarchy (children, their children, ...), not the role itself."""
        children: dict[str, list[str]] = {}
        for rid, parent in self.store.sql('SELECT Id, ParentRoleId FROM "UserRole" WHERE IsDeleted = 0'):
            if parent:
                children.setdefault(parent, []).append(rid)
        found: set[str] = set()
        stack = list(children.get(role_id, []))
        while stack:
            rid = stack.pop()
            if rid not in found and rid != role_id:
                found.add(rid)
                stack.extend(children.get(rid, []))
        return found

    def access(self, user_id: str, record_ids: Iterable[str]) -> dict[str, int]:
        """The access rank (index into ACCESS_LEVELS) of the user to each record id (canonical 18-char keys)."""
        ids = [i for i in dict.fromkeys(normalize_id(r) for r in record_ids) if i]
        viewer = self.viewer(user_id)
        if not viewer.active:
            return dict.fromkeys(ids, NONE)
        return self._levels(viewer, ids, 0)

    # ----- per object ---------------------------------------------------------------------------------------------
    def _levels(self, viewer: Viewer, ids: list[str], depth: int) -> dict[str, int]:
        result = dict.fromkeys(ids, NONE)
        by_object: dict[str, list[str]] = {}
        for record_id in ids:
            obj = self.schema.object_for_prefix(record_id[:3])
            if obj is not None:
                by_object.setdefault(obj.name, []).append(record_id)
        for name, object_ids in by_object.items():
            result.update(self._object_levels(viewer, name, object_ids, depth))
        return result

    def _object_levels(self, viewer: Viewer, obj: str, ids: list[str], depth: int) -> dict[str, int]:
        objdef = self.schema.object(obj)
        assert objdef is not None
        parents = [f for f in CONTROLLED_BY_PARENT.get(obj, ()) if objdef.field(f)]
        owned = objdef.field("OwnerId") is not None
        columns = ["Id", "OwnerId" if owned else "NULL", *(_q(f) for f in parents)]
        rows = self._live(obj, ids, ", ".join(columns))
        floor = ALL if viewer.modify_all else READ if viewer.view_all else NONE
        levels = {row[0]: max(floor, ALL if row[1] in viewer.grantees else NONE) for row in rows}
        if obj in PRIVATE:
            self._raise(levels, self._private_grants(viewer, obj, list(levels)))
        elif obj == "ContentDocument":
            self._raise(levels, self._linked_document_grants(viewer, list(levels), depth))
        elif parents:
            parent_of = {row[0]: next((p for p in row[2:] if p), None) for row in rows}
            if depth < _MAX_DEPTH:
                wanted = [p for p in dict.fromkeys(parent_of.values()) if p]
                parent_levels = self._levels(viewer, wanted, depth + 1)
                self._raise(levels, {rid: parent_levels.get(p, NONE) for rid, p in parent_of.items() if p})
        else:
            self._raise(levels, dict.fromkeys(levels, READ))  # public read
        return levels

    @staticmethod
    def _raise(levels: dict[str, int], grants: dict[str, int]) -> None:
        for record_id, level in grants.items():
            if record_id in levels:
                levels[record_id] = max(levels[record_id], level)

    def _live(self, obj: str, ids: list[str], columns: str) -> list[tuple]:
        return self.store.sql(f"SELECT {columns} FROM {_q(obj)} WHERE IsDeleted = 0 "
                              "AND Id IN (SELECT value FROM json_each(?))", (json.dumps(ids),))

    def _private_grants(self, viewer: Viewer, obj: str, ids: list[str]) -> dict[str, int]:
        """Manual shares (to the viewer or anyone below them), and for Opportunity an account share's
        OpportunityAccessLevel; for Account, implicit Read from the opportunities the viewer sees."""
        if not ids:
            return {}
        grants: dict[str, int] = {}
        params = (json.dumps(ids), json.dumps(sorted(viewer.grantees)))
        in_ids, in_grantees = "IN (SELECT value FROM json_each(?))", "IN (SELECT value FROM json_each(?))"

        def grant(rows: list[tuple]) -> None:
            for record_id, level in rows:
                grants[record_id] = max(grants.get(record_id, NONE), _RANK.get(str(level).lower(), NONE))

        if obj == "Account":
            grant(self.store.sql(f"SELECT AccountId, AccountAccessLevel FROM AccountShare WHERE IsDeleted = 0 "
                                 f"AND AccountId {in_ids} AND UserOrGroupId {in_grantees}", params))
            grant(self.store.sql(
                f"SELECT DISTINCT o.AccountId, 'Read' FROM Opportunity o WHERE o.IsDeleted = 0 AND o.AccountId {in_ids} "
                f"AND (o.OwnerId {in_grantees} OR EXISTS (SELECT 1 FROM OpportunityShare s WHERE s.IsDeleted = 0 "
                f"AND s.OpportunityId = o.Id AND s.UserOrGroupId {in_grantees}))",
                (params[0], params[1], params[1])))
        else:
            grant(self.store.sql(f"SELECT OpportunityId, OpportunityAccessLevel FROM OpportunityShare WHERE "
                                 f"IsDeleted = 0 AND OpportunityId {in_ids} AND UserOrGroupId {in_grantees}", params))
            grant(self.store.sql(
                f"SELECT o.Id, s.OpportunityAccessLevel FROM Opportunity o JOIN AccountShare s ON s.AccountId = "
                f"o.AccountId AND s.IsDeleted = 0 WHERE o.Id {in_ids} AND s.UserOrGroupId {in_grantees}", params))
        return grants

    def _linked_document_grants(self, viewer: Viewer, ids: list[str], depth: int) -> dict[str, int]:
        """A file is as visible as the best record it is linked to; a link to a user opens it to that user."""
        links = self.store.sql("SELECT ContentDocumentId, LinkedEntityId FROM ContentDocumentLink WHERE "
                               "IsDeleted = 0 AND ContentDocumentId IN (SELECT value FROM json_each(?))",
                               (json.dumps(ids),))
        records = [e for e in dict.fromkeys(e for _, e in links) if e and e[:3] != "005"]
        levels = self._levels(viewer, records, depth + 1) if depth < _MAX_DEPTH else {}
        grants: dict[str, int] = {}
        for document, entity in links:
            level = (ALL if entity == viewer.user_id else NONE) if entity[:3] == "005" else levels.get(entity, NONE)
            grants[document] = max(grants.get(document, NONE), level)
        return grants


# ----- the UserRecordAccess query ---------------------------------------------------------------------------------
def query_user_record_access(store: OrgStore, query: Query, text: str) -> QueryResult:
    """Run a SOQL query on UserRecordAccess: validate its shape as Salesforce does, then compute each row."""
    from .store import QueryResult

    def error(code: str, position: Position | None, message: str) -> SalesforceError:
        return SalesforceError(400, code, located(text, position, message))

    selected = _selected_fields(query, error)
    user_id, record_ids, flag_filters = _filters(query, error)
    if flag_filters and selected != ["RecordId"]:
        raise error("MALFORMED_QUERY", query.object_position, "When UserRecordAccess is filtered by an access "
                    "level field, RecordId must be the only field selected.")
    if query.group_by:
        raise error("MALFORMED_QUERY", query.group_by[0].position, "UserRecordAccess does not support GROUP BY.")
    levels = SharingModel(store).access(user_id, record_ids)
    rows = []
    for record_id in record_ids:
        level = levels.get(record_id, NONE)
        if any((level >= rank) != wanted for rank, wanted in flag_filters):
            continue
        values: dict[str, Any] = {"RecordId": record_id, "MaxAccessLevel": ACCESS_LEVELS[level]}
        values.update({name: level >= rank for name, rank in _ACCESS_FLAGS.values()})
        rows.append({"attributes": {"type": "UserRecordAccess"}, **{name: values[name] for name in selected}})
    rows = _ordered(rows, query, selected, error)
    start = query.offset or 0
    rows = rows[start: start + query.limit] if query.limit is not None else rows[start:]
    return QueryResult(len(rows), rows)


def _selected_fields(query: Query, error: _Error) -> list[str]:
    names: list[str] = []
    for item in query.select:
        if not isinstance(item, FieldRef):
            position = getattr(item, "position", None) or getattr(item, "object_position", None)
            raise error("MALFORMED_QUERY", position, "UserRecordAccess can only select RecordId, the Has*Access "
                        "fields and MaxAccessLevel.")
        key = item.path[-1].lower() if len(item.path) == 1 else ""
        if key not in _SELECTABLE:
            field = ".".join(item.path)
            if field.lower() in ("id", "userid"):
                raise error("INVALID_FIELD", item.position, f"{field} can't be selected on UserRecordAccess: select "
                            "RecordId and the access fields.")
            raise error("INVALID_FIELD", item.position, f"No such column '{field}' on entity 'UserRecordAccess'.")
        if _SELECTABLE[key] in names:
            raise error("MALFORMED_QUERY", item.position, f"duplicate field selected: {_SELECTABLE[key]}")
        names.append(_SELECTABLE[key])
    if "RecordId" not in names:
        raise error("MALFORMED_QUERY", query.object_position, "A query on UserRecordAccess must select RecordId.")
    return names


def _filters(query: Query, error: _Error) -> tuple[str, list[str], list[tuple[int, bool]]]:
    """(UserId, the distinct RecordIds in order, [(rank, wanted)] of Has*Access filters)."""
    where = query.where
    if where is None:
        raise error("MALFORMED_QUERY", query.object_position, "A query on UserRecordAccess must filter on a single "
                    "UserId and on RecordId (WHERE UserId = '005...' AND RecordId IN (...)).")
    conditions = where.operands if isinstance(where, BoolOp) and where.operator == "AND" else [where]
    user_ids: list[tuple[str, Position]] = []
    record_filters: list[tuple[list[Literal], Position]] = []
    flags: list[tuple[int, bool]] = []
    for condition in conditions:
        if not isinstance(condition, Comparison):
            raise error("MALFORMED_QUERY", _position_of(condition), "UserRecordAccess conditions can only be "
                        "combined with AND.")
        ref = condition.field
        key = ref.path[-1].lower() if len(ref.path) == 1 else ".".join(ref.path)
        if condition.subquery is not None:
            raise error("MALFORMED_QUERY", ref.position, "UserRecordAccess cannot be filtered by a semi-join.")
        if key == "userid":
            if condition.operator != "=":
                raise error("MALFORMED_QUERY", ref.position, "UserRecordAccess must be filtered by a single "
                            "UserId (UserId = '005...').")
            user_ids.append((_id_literal(condition.values[0], ref.position, error), ref.position))
        elif key == "recordid":
            if condition.operator not in ("=", "IN"):
                raise error("MALFORMED_QUERY", ref.position, "RecordId can only be filtered with = or IN.")
            record_filters.append((condition.values, ref.position))
        elif key in _ACCESS_FLAGS:
            literal = condition.values[0] if condition.values else None
            if condition.operator not in ("=", "!=") or literal is None or literal.kind != "boolean":
                raise error("INVALID_FIELD", ref.position, f"value of filter criterion for field "
                            f"'{_ACCESS_FLAGS[key][0]}' must be of type boolean and should not be enclosed in quotes")
            flags.append((_ACCESS_FLAGS[key][1], literal.value == (condition.operator == "=")))
        elif key == "maxaccesslevel":
            raise error("INVALID_FIELD", ref.position, "field 'MaxAccessLevel' can not be filtered in a query call")
        else:
            raise error("INVALID_FIELD", ref.position,
                        f"No such column '{'.'.join(ref.path)}' on entity 'UserRecordAccess'.")
    if len(user_ids) != 1:
        position = user_ids[1][1] if user_ids else query.object_position
        raise error("MALFORMED_QUERY", position, "A query on UserRecordAccess must filter on exactly one UserId "
                    "(UserId = '005...').")
    if len(record_filters) != 1:
        position = record_filters[1][1] if record_filters else query.object_position
        raise error("MALFORMED_QUERY", position, "A query on UserRecordAccess must filter on RecordId once "
                    "(RecordId = '...' or RecordId IN (...)).")
    literals, position = record_filters[0]
    record_ids = list(dict.fromkeys(_id_literal(v, position, error) for v in literals))
    if len(record_ids) > MAX_RECORD_IDS:
        raise error("LIMIT_EXCEEDED", None, f"Number of records exceeds limit: {MAX_RECORD_IDS}")
    return user_ids[0][0], record_ids, flags


def _id_literal(literal: Literal, position: Position, error: _Error) -> str:
    if literal.kind != "string":
        raise error("INVALID_FIELD", position, "value of filter criterion must be of type id and should be "
                    "enclosed in quotes")
    canonical = normalize_id(literal.value)
    if canonical is None:
        raise error("INVALID_QUERY_FILTER_OPERATOR", position, f"invalid ID field: {literal.value}")
    return canonical


def _position_of(condition: Any) -> Position | None:
    while isinstance(condition, BoolOp | Not):
        condition = condition.operands[0] if isinstance(condition, BoolOp) else condition.operand
    return condition.field.position if isinstance(condition, Comparison) else None


def _sort_key(name: str, row: dict) -> Any:
    return _RANK[row[name].lower()] if name == "MaxAccessLevel" else row[name]


def _ordered(rows: list[dict], query: Query, selected: list[str], error: _Error) -> list[dict]:
    """ORDER BY any selected field (the documented limit), applied last item first so the first one wins."""
    for item in reversed(query.order_by):
        target = item.target
        key = target.path[-1].lower() if isinstance(target, FieldRef) and len(target.path) == 1 else ""
        name = _SELECTABLE.get(key)
        if name is None or name not in selected:
            position = target.position
            raise error("MALFORMED_QUERY", position, "UserRecordAccess can only be ordered by a selected field.")
        rows.sort(key=partial(_sort_key, name), reverse=item.descending)
    return rows
