"""The channel layer that carries live events between processes, built from ``REDIS_URL``."""

from urllib.parse import urlsplit


def redis_channel_layer(redis_url: str) -> dict:
    """``CHANNEL_LAYERS["default"]`` on the Redis server of ``redis_url``.

    Pub/sub: a ``group_send`` is one PUBLISH, fanned out to the sockets inside each server
    process. The list-based ``RedisChannelLayer`` wrote one copy per socket and each process
    popped them one Redis round trip at a time, which at 200 sockets was the slowest step from an
    event to a screen (bench/bench_live.py). Both are at most once; the stored events are the
    truth (events/consumers.py catches up).

    Redis pub/sub ignores the database number: two installs sharing one Redis server on databases
    of their own (a training copy beside production, the test suite's parallel processes) heard
    each other's events. A bank's inbox took the other install's event ids as seen and then
    dropped its own install's events with the same ids: its next request did not arrive live. The
    channel names carry the database number.
    """
    database = int(urlsplit(redis_url).path.strip("/") or 0)
    return {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            # redis-py 8 defaults socket_timeout to 5 s: give an idle subscriber's reads headroom.
            "hosts": [{"address": redis_url, "socket_timeout": 30}],
            "prefix": "fraudgov.db%d" % database,
        },
    }
