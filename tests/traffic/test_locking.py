"""The optimistic-locking engine against the sandbox's ``PUT /v1/contacts/{id}`` and ``PUT /v1/vouchers/{id}``
(real HTTP, real Redis): version cache, merge of concurrent edits, conflicts, strict mode, voucher files."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.concurrency import LockingEngine, Resource
from connectors.errors import FieldConflict, NotFound, VersionConflict
from connectors.http import UpstreamClient, UpstreamCredential
from connectors.lexoffice.traffic import LexofficeVersioning
from connectors.redis_store import RedisStore
from tests.support.sandbox import SandboxOrg
from tests.support.uploads import PDF
from tests.support.vouchers import create, create_body

SCOPE = "acct-1"


@pytest.fixture
def engine(upstream: UpstreamClient, store: RedisStore) -> LockingEngine:
    return LockingEngine(upstream, store, LexofficeVersioning())


@pytest.fixture
def contact(lex: SandboxOrg) -> Resource:
    body = {"version": 0, "roles": {"customer": {}}, "company": {"name": "Alt GmbH"}, "note": "first"}
    with lex.client() as c:
        created = c.post("/v1/contacts", json=body)
    assert created.status_code == 201, created.text
    return Resource("contacts", created.json()["id"])


class Calls:
    """Counts the upstream calls from now on (requests the sandbox's bucket accepted for the key)."""

    def __init__(self, lex: SandboxOrg) -> None:
        self.lex = lex
        self.start = self.now()

    def now(self) -> int:
        return int(self.lex.stats()["bucket"]["accepted"])

    @property
    def made(self) -> int:
        return self.now() - self.start


def user_edits(lex: SandboxOrg, resource: Resource, changes: dict[str, Any]) -> None:
    """A user changes the contact in the lexoffice app (the version goes up)."""
    with lex.sandbox.control() as c:
        c.patch(f"/_sandbox/organizations/{lex.id}/contacts/{resource.id}", json=changes).raise_for_status()


def stored(lex: SandboxOrg, resource: Resource) -> dict[str, Any]:
    record: dict[str, Any] = lex.org.get(resource.collection, resource.id) or {}
    return record


async def test_a_cold_update_is_a_get_and_a_put_and_keeps_unmentioned_fields(
    engine: LockingEngine, credential: UpstreamCredential, lex: SandboxOrg, contact: Resource
) -> None:
    counter = Calls(lex)
    body = await engine.update(credential, SCOPE, contact, {"company": {"name": "Neu GmbH"}})
    assert counter.made == 2
    assert body["company"]["name"] == "Neu GmbH"
    assert body["version"] == 2
    record = stored(lex, contact)
    assert record["company"]["name"] == "Neu GmbH"
    assert record["note"] == "first"
    assert record["version"] == 2


async def test_a_warm_version_cache_makes_an_update_exactly_one_call(
    engine: LockingEngine, credential: UpstreamCredential, lex: SandboxOrg, contact: Resource
) -> None:
    await engine.read(credential, SCOPE, contact)
    for note in ("second", "third"):
        counter = Calls(lex)
        await engine.update(credential, SCOPE, contact, {"note": note})
        assert counter.made == 1
    assert stored(lex, contact)["note"] == "third"
    assert stored(lex, contact)["version"] == 3


async def test_a_concurrent_edit_of_another_field_is_merged(
    engine: LockingEngine, credential: UpstreamCredential, lex: SandboxOrg, contact: Resource
) -> None:
    await engine.read(credential, SCOPE, contact)
    user_edits(lex, contact, {"note": "changed in the app"})
    counter = Calls(lex)
    body = await engine.update(credential, SCOPE, contact, {"company": {"name": "Neu GmbH"}})
    assert counter.made == 3  # PUT (409), GET, PUT
    record = stored(lex, contact)
    assert record["note"] == "changed in the app"
    assert record["company"]["name"] == "Neu GmbH"
    assert body["version"] == record["version"] == 3


async def test_a_concurrent_edit_of_the_same_field_is_a_conflict_naming_both_values(
    engine: LockingEngine, credential: UpstreamCredential, lex: SandboxOrg, contact: Resource
) -> None:
    await engine.read(credential, SCOPE, contact)
    user_edits(lex, contact, {"company": {"name": "App GmbH"}})
    with pytest.raises(VersionConflict) as caught:
        await engine.update(credential, SCOPE, contact, {"company": {"name": "Neu GmbH"}, "note": "x"})
    conflict = caught.value
    assert conflict.fields == [FieldConflict("company.name", "Alt GmbH", "Neu GmbH", "App GmbH")]
    assert (conflict.expected_version, conflict.current_version) == (1, 2)
    record = stored(lex, contact)
    assert record["company"]["name"] == "App GmbH"
    assert record["note"] == "first"


async def test_strict_mode_rejects_a_stale_expected_version_at_once(
    engine: LockingEngine, credential: UpstreamCredential, lex: SandboxOrg, contact: Resource
) -> None:
    user_edits(lex, contact, {"note": "changed in the app"})
    counter = Calls(lex)
    with pytest.raises(VersionConflict) as caught:
        await engine.update(credential, SCOPE, contact, {"note": "mine"}, expected_version=1)
    assert (caught.value.expected_version, caught.value.current_version) == (1, 2)
    assert counter.made == 1  # the GET that found version 2; no PUT
    body = await engine.update(credential, SCOPE, contact, {"note": "mine"}, expected_version=2)
    assert body["version"] == 3
    assert stored(lex, contact)["note"] == "mine"


async def test_strict_mode_with_a_stale_cache_is_a_conflict_not_a_merge(
    engine: LockingEngine, credential: UpstreamCredential, lex: SandboxOrg, contact: Resource
) -> None:
    await engine.read(credential, SCOPE, contact)
    user_edits(lex, contact, {"note": "changed in the app"})
    with pytest.raises(VersionConflict) as caught:
        await engine.update(credential, SCOPE, contact, {"company": {"name": "Neu GmbH"}}, expected_version=1)
    assert (caught.value.expected_version, caught.value.current_version) == (1, 2)
    assert stored(lex, contact)["company"]["name"] == "Alt GmbH"


async def test_a_put_performed_but_answered_504_is_not_applied_twice(
    engine: LockingEngine, credential: UpstreamCredential, lex: SandboxOrg, contact: Resource
) -> None:
    await engine.read(credential, SCOPE, contact)
    lex.set_faults(queue=[{"kind": "timeout-after-perform", "methods": ["PUT"]}])
    counter = Calls(lex)
    body = await engine.update(credential, SCOPE, contact, {"note": "once"})
    assert counter.made == 3  # PUT (performed, 504), PUT again (409: already applied), GET
    assert body["note"] == "once"
    assert body["version"] == stored(lex, contact)["version"] == 2


async def test_merges_are_bounded(
    engine: LockingEngine, credential: UpstreamCredential, lex: SandboxOrg, contact: Resource
) -> None:
    lex.set_faults(queue=[{"kind": "status:409", "methods": ["PUT"], "count": engine.max_attempts}])
    with pytest.raises(VersionConflict) as caught:
        await engine.update(credential, SCOPE, contact, {"note": "never"})
    assert caught.value.fields == []
    assert "kept changing" in caught.value.message
    assert stored(lex, contact)["note"] == "first"


async def test_an_unknown_resource_is_not_found_and_leaves_no_cache_entry(
    engine: LockingEngine, credential: UpstreamCredential, store: RedisStore
) -> None:
    missing = Resource("contacts", "be9475f4-ef80-442b-8ab9-3ab8b1a2aeb9")
    cached = {"id": missing.id, "version": 1, "roles": {"customer": {}}, "company": {"name": "Gone GmbH"}}
    await store.set_version_entry(SCOPE, missing.key, cached, 60)
    with pytest.raises(NotFound):
        await engine.update(credential, SCOPE, missing, {"note": "x"})
    assert await store.get_version_entry(SCOPE, missing.key) is None


# --- vouchers: lexoffice deletes receipts a PUT does not list ---


def upload_to(lex: SandboxOrg, voucher_id: str) -> str:
    with lex.client() as c:
        response = c.post(
            f"/v1/vouchers/{voucher_id}/files", files={"file": ("bon.pdf", PDF, "application/pdf")}
        )
    assert response.status_code == 202, response.text
    file_id: str = response.json()["id"]
    return file_id


def file_exists(lex: SandboxOrg, file_id: str) -> bool:
    with lex.client() as c:
        return c.get(f"/v1/files/{file_id}", headers={"Accept": "*/*"}).status_code == httpx.codes.OK


async def test_a_voucher_update_never_loses_its_files(
    engine: LockingEngine, credential: UpstreamCredential, lex: SandboxOrg
) -> None:
    voucher = Resource("vouchers", create(lex, create_body())["id"])
    first = upload_to(lex, voucher.id)
    body = await engine.update(credential, SCOPE, voucher, {"remark": "checked"})
    assert body["files"] == [first]
    second = upload_to(lex, voucher.id)  # a receipt arrives while our cached copy lists only the first
    body = await engine.update(credential, SCOPE, voucher, {"remark": "checked twice"})
    record = stored(lex, voucher)
    assert record["files"] == body["files"] == [first, second]
    assert record["remark"] == "checked twice"
    assert file_exists(lex, first)
    assert file_exists(lex, second)
