"""The patch and three-way merge semantics (:mod:`connectors.merge`): examples and hypothesis properties."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from connectors.errors import FieldConflict
from connectors.merge import MISSING, apply_patch, same, three_way_merge

Path = tuple[str, ...]
Doc = dict[str, Any]

# --- examples ------------------------------------------------------------------------------------------


def test_patch_merges_objects_replaces_lists_and_null_deletes() -> None:
    doc = {"name": "A", "address": {"street": "S", "zip": "1"}, "files": ["f1", "f2"], "note": "n"}
    patch = {"address": {"zip": "2"}, "files": ["f3"], "note": None}
    assert apply_patch(doc, patch) == {"name": "A", "address": {"street": "S", "zip": "2"}, "files": ["f3"]}
    assert doc["address"] == {"street": "S", "zip": "1"}  # inputs untouched


def test_patch_into_a_non_object_creates_the_object() -> None:
    assert apply_patch({"a": 1}, {"a": {"b": 2, "c": None}}) == {"a": {"b": 2}}


def test_concurrent_change_of_another_field_merges() -> None:
    base = {"name": "A", "note": "x", "version": 1}
    theirs = {"name": "A", "note": "changed by them", "version": 2}
    result = three_way_merge(base, theirs, {"name": "B"})
    assert result.conflicts == []
    assert result.merged == {"name": "B", "note": "changed by them", "version": 2}


def test_concurrent_change_of_the_same_field_conflicts_with_both_values() -> None:
    base = {"address": {"city": "Berlin"}}
    theirs = {"address": {"city": "Hamburg"}}
    result = three_way_merge(base, theirs, {"address": {"city": "Köln"}})
    assert result.conflicts == [FieldConflict("address.city", "Berlin", "Köln", "Hamburg")]


def test_both_sides_setting_the_same_value_is_no_conflict() -> None:
    assert three_way_merge({"a": 1}, {"a": 2}, {"a": 2}).conflicts == []


def test_deleting_a_field_they_changed_conflicts_and_absent_is_reported_as_none() -> None:
    result = three_way_merge({"a": 1}, {"b": 0}, {"a": None})
    assert result.conflicts == []  # they deleted it too
    result = three_way_merge({"a": 1}, {"a": 2}, {"a": None})
    assert result.conflicts == [FieldConflict("a", 1, None, 2)]


def test_mentioning_a_field_with_its_old_value_still_guards_it() -> None:
    # the caller asked for a == 1; they changed it to 2 meanwhile: not silently reverted, not silently lost
    assert three_way_merge({"a": 1}, {"a": 2}, {"a": 1}).conflicts == [FieldConflict("a", 1, 1, 2)]


def test_lists_are_atomic() -> None:
    result = three_way_merge({"files": ["a"]}, {"files": ["a", "b"]}, {"files": ["a", "c"]})
    assert [c.field for c in result.conflicts] == ["files"]


def test_they_replaced_the_object_we_patch_into() -> None:
    result = three_way_merge({"a": {"x": 1}}, {"a": None}, {"a": {"y": 2}})
    assert result.conflicts == [FieldConflict("a", {"x": 1}, {"y": 2}, None)]


def test_json_equality_keeps_booleans_apart_from_numbers() -> None:
    assert same(1, 1.0)
    assert not same(True, 1)
    assert not same({"a": [1, True]}, {"a": [1, 1]})
    assert not same([], {})
    assert same(MISSING, MISSING)


# --- properties ----------------------------------------------------------------------------------------

KEYS = st.sampled_from("abcd")
SCALARS = (
    st.none() | st.booleans() | st.integers(-2, 2) | st.floats(-1, 1, width=16) | st.text("xy", max_size=2)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=4)
PATCH_VALUES = st.recursive(
    SCALARS | st.lists(VALUES, max_size=2),
    lambda inner: st.dictionaries(KEYS, inner, min_size=1, max_size=3),
    max_leaves=6,
)
PATCHES = st.dictionaries(KEYS, PATCH_VALUES, max_size=3)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Doc, Doc, Doc]:
    """(base, theirs, patch): theirs is an edit of base or an unrelated document."""
    base = draw(DOCUMENTS)
    theirs = apply_patch(base, draw(PATCHES)) if draw(st.booleans()) else draw(DOCUMENTS)
    return base, theirs, draw(PATCHES)


def get(doc: Any, path: Path) -> Any:
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return MISSING
        doc = doc[key]
    return doc


def leaves(doc: Doc, prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every non-object member (and empty object) of a document, by path."""
    for key, value in doc.items():
        if isinstance(value, dict) and value:
            yield from leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def related(left: Path, right: Path) -> bool:
    shorter = min(len(left), len(right))
    return left[:shorter] == right[:shorter]


def target(value: Any) -> Any:
    return MISSING if value is None else value


@given(scenarios())
def test_a_clean_merge_keeps_every_change_only_one_side_made(case: tuple[Doc, Doc, Doc]) -> None:
    base, theirs, patch = case
    result = three_way_merge(base, theirs, patch)
    if result.conflicts:
        return
    patched = [path for path, _ in leaves(patch)]
    for path, value in leaves(patch):
        assert same(get(result.merged, path), target(value)), path
    for path, _ in [*leaves(theirs), *leaves(base)]:
        if not any(related(path, other) for other in patched):
            assert same(get(result.merged, path), get(theirs, path)), path


@given(scenarios())
def test_a_field_both_sides_changed_differently_is_always_reported(case: tuple[Doc, Doc, Doc]) -> None:
    base, theirs, patch = case
    fields = [c.field for c in three_way_merge(base, theirs, patch).conflicts]
    for path, value in leaves(patch):
        their_value, base_value = get(theirs, path), get(base, path)
        if not same(their_value, base_value) and not same(their_value, target(value)):
            dotted = ".".join(path)
            assert any(dotted == f or dotted.startswith(f + ".") for f in fields), (dotted, fields)


@given(scenarios())
def test_conflicts_report_the_base_and_their_values(case: tuple[Doc, Doc, Doc]) -> None:
    base, theirs, patch = case
    for conflict in three_way_merge(base, theirs, patch).conflicts:
        path = tuple(conflict.field.split("."))
        assert same(conflict.base, None if get(base, path) is MISSING else get(base, path))
        assert same(conflict.theirs, None if get(theirs, path) is MISSING else get(theirs, path))
        assert same(conflict.ours, get(patch, path))


@given(DOCUMENTS, PATCHES)
def test_without_a_concurrent_change_there_is_no_conflict(base: Doc, patch: Doc) -> None:
    result = three_way_merge(base, base, patch)
    assert result.conflicts == []
    assert result.merged == apply_patch(base, patch)


@given(DOCUMENTS, PATCHES, DOCUMENTS)
def test_changes_to_members_the_patch_does_not_mention_never_conflict(
    base: Doc, patch: Doc, changes: Doc
) -> None:
    theirs = {**base, **{key: value for key, value in changes.items() if key not in patch}}
    assert three_way_merge(base, theirs, patch).conflicts == []
