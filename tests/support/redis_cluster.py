"""A real 3-node Redis Cluster on loopback (three private ``redis-server`` processes, masters only)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from gateway.embedded_redis import RedisServer

SLOTS = 16384


def cluster_node() -> RedisServer:
    """A redis-server in cluster mode. Redis 6 binds the cluster bus to port + 10000, which does not exist
    for a random free port above 55535 — such a start fails at once, and we take another port."""
    for _ in range(20):
        try:
            return RedisServer.start(
                extra_args=("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
            )
        except RuntimeError:
            continue
    raise RuntimeError("no cluster node could start")


@contextmanager
def redis_cluster(nodes: int = 3, timeout: float = 30.0) -> Iterator[list[RedisServer]]:
    """Start ``nodes`` cluster-enabled servers, split the 16384 slots between them, join them, and wait
    (bounded) until every node reports ``cluster_state:ok``; stop them afterwards."""
    servers: list[RedisServer] = []
    try:
        for _ in range(nodes):
            servers.append(cluster_node())
        clients = [redis.Redis(port=server.port) for server in servers]
        share = SLOTS // nodes
        for index, client in enumerate(clients):
            end = SLOTS if index == nodes - 1 else (index + 1) * share
            client.execute_command("CLUSTER ADDSLOTS", *range(index * share, end))
        for client in clients[1:]:
            client.execute_command("CLUSTER MEET", "127.0.0.1", servers[0].port)
        deadline = time.monotonic() + timeout
        while not all(_cluster_ok(client, nodes) for client in clients):
            if time.monotonic() > deadline:
                raise RuntimeError("the Redis Cluster did not form")
            time.sleep(0.05)  # the nodes gossip on their own; nothing to wait on but their state
        for client in clients:
            client.close()
        yield servers
    finally:
        for server in servers:
            server.stop()


def _cluster_ok(client: redis.Redis, nodes: int) -> bool:
    info = client.cluster("INFO")  # parsed by redis-py into a dict of strings
    return bool(info.get("cluster_state") == "ok" and str(info.get("cluster_known_nodes")) == str(nodes))
