"""The problem body of a version conflict (``409 version-conflict``): the clashing fields, both values."""

from __future__ import annotations

from typing import Any

import msgspec

from schemas.problem import Problem


class ConflictingField(msgspec.Struct, frozen=True):
    """One field that a concurrent change and the update both set, to different values."""

    field: str
    """Dotted path of the field in the upstream's resource (``company.name``, ``note``)."""
    base: Any = None
    """The value the update was made against (``null``: absent)."""
    ours: Any = None
    """The value the update wanted to set."""
    theirs: Any = None
    """The value the concurrent change set (what the upstream holds now)."""


class VersionConflictProblem(Problem, frozen=True):
    """A problem whose resource changed concurrently (or is not at the ``If-Match`` version)."""

    conflicts: list[ConflictingField] = msgspec.field(default_factory=list)
    """The clashing fields (empty for an ``If-Match`` mismatch: then the versions tell)."""
    expected_version: int | None = None
    """The version the update was made against (``If-Match``, or the version read before merging)."""
    current_version: int | None = None
    """The resource's version now: re-read it, then retry with it."""
