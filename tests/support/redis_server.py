"""The test suite's private redis-server (see :mod:`gateway.embedded_redis`)."""

from gateway.embedded_redis import RedisServer

__all__ = ["RedisServer"]
