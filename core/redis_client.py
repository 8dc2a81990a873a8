"""The process' one Redis client, for the few places that talk to Redis directly."""

import functools

import redis
from django.conf import settings


@functools.cache
def redis_client() -> redis.Redis:
    """One client, and so one connection pool, per process (a forked child makes its own
    connections: redis-py re-creates a pool's connections after a fork).

    Not Django's cache: under ASGI each request gets a cache object of its own, and so a new
    Redis connection per request. Building a client per call cost the same, and more: each new
    connection reads redis-py's own package metadata from disk (``/healthz`` took 4.8 ms of
    server CPU, two thirds of it that, under 16 clients)."""
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
