"""Patches and the three-way merge of JSON-like documents (pure functions).

A **patch** is a JSON Merge Patch (RFC 7396): a partial document whose members replace the target's;
an object member merges recursively into the target's object, ``None`` (JSON ``null``) **deletes** the
member, and anything else — scalars and lists — replaces it whole (lists are atomic). A patch therefore
cannot set a member to an explicit ``null``; for a PUT-replaces-all upstream like lexoffice, an absent
member and a ``null`` one mean the same. Members the patch does not mention are kept untouched.

The **three-way merge** re-applies a patch after a concurrent change: *base* is the document the patch
was first applied to, *theirs* the upstream's newer document, *ours* the patch. A member that the patch
mentions and the concurrent change set to a different value is a conflict; everything else merges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .errors import FieldConflict

JsonObject = dict[str, Any]


class _Missing:
    """An absent member (distinct from ``None``, which is JSON ``null``)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


def apply_patch(target: JsonObject, patch: JsonObject) -> JsonObject:
    """``target`` with ``patch`` applied (RFC 7396); returns a new dict and leaves both inputs untouched."""
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            current = result.get(key)
            result[key] = apply_patch(current if isinstance(current, dict) else {}, value)
        else:
            result[key] = value
    return result


def same(left: Any, right: Any) -> bool:
    """JSON equality: numbers by value (``1 == 1.0``), but booleans are not numbers; lists in order."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict | list) or isinstance(right, dict | list):
        return False
    return bool(left == right)


@dataclass(frozen=True)
class MergeResult:
    """The outcome of a three-way merge; ``merged`` is meaningful only when there are no ``conflicts``."""

    merged: JsonObject
    conflicts: list[FieldConflict]


def three_way_merge(base: JsonObject, theirs: JsonObject, patch: JsonObject) -> MergeResult:
    """Re-apply ``patch`` (made against ``base``) onto ``theirs``, reporting the members both changed."""
    return MergeResult(apply_patch(theirs, patch), conflicts(base, theirs, patch))


def conflicts(
    base: JsonObject, theirs: JsonObject, patch: JsonObject, prefix: str = ""
) -> list[FieldConflict]:
    """The members ``patch`` sets that changed from ``base`` to ``theirs`` to a value other than the patch's.

    Field names are dotted paths (``address.street``). Absent members are reported as ``None``.
    """
    found: list[FieldConflict] = []
    for key, ours in patch.items():
        field = prefix + key
        base_value = base.get(key, MISSING)
        their_value = theirs.get(key, MISSING)
        if isinstance(ours, dict) and isinstance(their_value, dict):
            nested_base = base_value if isinstance(base_value, dict) else {}
            found.extend(conflicts(nested_base, their_value, ours, field + "."))
            continue
        target = apply_patch({}, ours) if isinstance(ours, dict) else MISSING if ours is None else ours
        if not same(their_value, base_value) and not same(their_value, target):
            found.append(FieldConflict(field, _public(base_value), ours, _public(their_value)))
    return found


def _public(value: Any) -> Any:
    return None if value is MISSING else value
