"""The Redis channel layer keeps installs that share one Redis server apart."""

import asyncio
import uuid

from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

from fraudgov.channel_layers import redis_channel_layer
from tests.parallel import on_redis_database, redis_database


def test_installs_on_other_redis_databases_do_not_hear_each_others_events():
    """Redis pub/sub ignores the database number. Two parallel test processes (each on a Redis
    database of its own) once showed one's bank the other's request events; so would a training
    install beside production."""
    assert settings.CHANNEL_LAYERS["default"] == redis_channel_layer(settings.REDIS_URL)  # what runs
    mine = redis_database(settings.REDIS_URL)
    other = (mine + 8) % 16
    group = "agency-%s" % uuid.uuid4().hex  # no other test's group

    def layer(url):
        return RedisPubSubChannelLayer(**redis_channel_layer(url)["CONFIG"])

    async def scenario():
        sender, same, elsewhere = (layer(settings.REDIS_URL), layer(settings.REDIS_URL),
                                   layer(on_redis_database(settings.REDIS_URL, other)))
        try:
            here, there = await same.new_channel(), await elsewhere.new_channel()
            await same.group_add(group, here)
            await elsewhere.group_add(group, there)
            # The control: a socket of the same install hears the event (sent again if the first
            # PUBLISH overtook the SUBSCRIBE, which travels on another connection).
            for _ in range(5):
                await sender.group_send(group, {"type": "events.push", "pushes": []})
                try:
                    heard = await asyncio.wait_for(same.receive(here), 1.0)
                    break
                except asyncio.TimeoutError:
                    continue
            else:
                raise AssertionError("the install's own socket never heard the event")
            try:
                leaked = await asyncio.wait_for(elsewhere.receive(there), 0.5)
            except asyncio.TimeoutError:
                leaked = None
            return heard, leaked
        finally:
            for each in (sender, same, elsewhere):
                await each.flush()

    heard, leaked = asyncio.run(scenario())
    assert heard["type"] == "events.push"
    assert leaked is None, "an install on Redis database %s heard database %s's event" % (other, mine)
