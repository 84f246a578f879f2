"""The optimistic-locking engine: read-modify-write of versioned upstream resources, with merge on conflict.

``update(resource, patch)`` reads the resource (from the Redis version cache of the last seen body when
present, else with a GET), applies the patch (:func:`connectors.merge.apply_patch`), and PUTs the whole body
with the version it read — so members the caller did not mention are sent back unchanged, never dropped.

On a 409 it re-reads and three-way merges (base = what it read, theirs = the new body, ours = the patch):
if the concurrent change touched none of the patched members it re-applies and retries (bounded); if it set
a patched member to another value, it raises :class:`~connectors.errors.VersionConflict` naming the
members with both values. With ``expected_version`` (strict mode, ``If-Match``) any mismatch is a conflict
at once. The engine is generic; a :class:`VersionAdapter` says how one upstream carries versions.

The cache holds the body as last read or written through the engine, for ``cache_ttl`` seconds (1 h by
default). A stale entry costs one 409 round trip and is then replaced; as it is the merge base, a change
made elsewhere since it was cached to a field the patch also sets is reported as a conflict rather than
overwritten. The webhook layer can :meth:`LockingEngine.forget` entries of resources changed elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

from .errors import NotFound, VersionConflict
from .http import UpstreamClient, UpstreamCredential
from .merge import JsonObject, apply_patch, same, three_way_merge
from .redis_store import RedisStore
from .retry import Deadline


@dataclass(frozen=True)
class Resource:
    """One upstream resource: a collection name (``contacts``) and an id."""

    collection: str
    id: str

    @property
    def key(self) -> str:
        return f"{self.collection}/{self.id}"


class VersionAdapter(Protocol):
    """How one upstream addresses versioned resources and carries their version."""

    def locate(self, resource: Resource) -> tuple[str, str]:
        """The resource's path and path template (for logs)."""
        ...

    def version_of(self, body: JsonObject) -> int:
        """The version of a resource body."""
        ...

    def put_body(self, body: JsonObject, version: int) -> JsonObject:
        """The PUT payload that replaces the resource with ``body``, made against ``version``."""
        ...

    def after_put(self, sent: JsonObject, answer: JsonObject) -> JsonObject:
        """The resource's body after a successful PUT of ``sent`` that was answered with ``answer``."""
        ...


@dataclass(frozen=True)
class _Target:
    """One resource as seen through one credential, within one deadline."""

    credential: UpstreamCredential
    scope: str
    resource: Resource
    deadline: Deadline


class LockingEngine:
    """Read-modify-write with a version cache, three-way merge on 409 and strict mode."""

    def __init__(
        self,
        client: UpstreamClient,
        store: RedisStore,
        adapter: VersionAdapter,
        *,
        max_attempts: int = 3,
        cache_ttl: float = 3600.0,
    ) -> None:
        self.client = client
        self.store = store
        self.adapter = adapter
        self.max_attempts = max_attempts
        self.cache_ttl = cache_ttl

    def _target(
        self, credential: UpstreamCredential, scope: str, resource: Resource, deadline: Deadline | None
    ) -> _Target:
        return _Target(credential, scope, resource, deadline or Deadline.after(self.client.profile.deadline))

    async def read(
        self,
        credential: UpstreamCredential,
        scope: str,
        resource: Resource,
        *,
        deadline: Deadline | None = None,
    ) -> JsonObject:
        """GET the resource and remember it in the version cache of ``scope`` (the account)."""
        return await self._read(self._target(credential, scope, resource, deadline))

    async def remember(self, scope: str, resource: Resource, body: JsonObject) -> None:
        """Cache a body read by other means (e.g. a list page), so a following update is one PUT."""
        await self.store.set_version_entry(scope, resource.key, body, self.cache_ttl)

    async def forget(self, scope: str, resource: Resource) -> None:
        """Drop the cached body of a resource (e.g. after a webhook said it changed)."""
        await self.store.delete_version_entry(scope, resource.key)

    async def update(
        self,
        credential: UpstreamCredential,
        scope: str,
        resource: Resource,
        patch: JsonObject,
        *,
        expected_version: int | None = None,
        deadline: Deadline | None = None,
    ) -> JsonObject:
        """Apply ``patch`` (a JSON Merge Patch, see :mod:`connectors.merge`); returns the new body."""
        target = self._target(credential, scope, resource, deadline)
        cached = await self.store.get_version_entry(scope, resource.key)
        if expected_version is not None:
            return await self._update_strict(target, patch, expected_version, cached)
        base = cached if cached is not None else await self._read(target)
        body = apply_patch(base, patch)
        for _ in range(self.max_attempts):
            try:
                return await self._put(target, body, self.adapter.version_of(base))
            except VersionConflict:
                theirs = await self._read(target)
            merge = three_way_merge(base, theirs, patch)
            if merge.conflicts:
                raise VersionConflict(
                    f"{resource.key} was changed concurrently in the fields this update sets",
                    fields=merge.conflicts,
                    expected_version=self.adapter.version_of(base),
                    current_version=self.adapter.version_of(theirs),
                )
            if same(merge.merged, theirs):
                return theirs  # the upstream already holds the patch (e.g. a retried PUT was performed)
            base, body = theirs, merge.merged
        raise VersionConflict(
            f"{resource.key} kept changing concurrently ({self.max_attempts} attempts)",
            current_version=self.adapter.version_of(base),
        )

    async def _update_strict(
        self, target: _Target, patch: JsonObject, expected: int, cached: JsonObject | None
    ) -> JsonObject:
        """Strict mode: the patch applies to version ``expected`` or not at all."""
        base = cached
        if base is None or self.adapter.version_of(base) != expected:
            base = await self._read(target)
        current = self.adapter.version_of(base)
        if current == expected:
            try:
                return await self._put(target, apply_patch(base, patch), expected)
            except VersionConflict:
                current = self.adapter.version_of(await self._read(target))
        raise VersionConflict(
            f"{target.resource.key} is at version {current}, not the expected {expected}",
            expected_version=expected,
            current_version=current,
        )

    async def _read(self, target: _Target) -> JsonObject:
        path, template = self.adapter.locate(target.resource)
        response = await self._call(target, "GET", path, template)
        body: JsonObject = response.json()
        await self.store.set_version_entry(target.scope, target.resource.key, body, self.cache_ttl)
        return body

    async def _put(self, target: _Target, body: JsonObject, version: int) -> JsonObject:
        """PUT ``body`` against ``version``; cache and return the resulting body."""
        path, template = self.adapter.locate(target.resource)
        response = await self._call(target, "PUT", path, template, self.adapter.put_body(body, version))
        stored = self.adapter.after_put(body, response.json())
        await self.store.set_version_entry(target.scope, target.resource.key, stored, self.cache_ttl)
        return stored

    async def _call(
        self, target: _Target, method: str, path: str, template: str, json: JsonObject | None = None
    ) -> httpx.Response:
        """One upstream call; a 404 also drops the cached body."""
        try:
            return await self.client.request(
                target.credential, method, path, path_template=template, json=json, deadline=target.deadline
            )
        except NotFound:
            await self.forget(target.scope, target.resource)
            raise
