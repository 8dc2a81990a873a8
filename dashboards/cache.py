"""Caching region figures between two rollup refreshes.

Every figure of a region and period is a pure function of the rollup tables, which change only
when ``dashboards.rollups`` recomputes days. Each recompute replaces a random generation token;
cached figures are keyed by the token, so a refresh makes every older entry unreachable at once
(no invalidation by key, no stale figure after the next refresh). The token is replaced both
immediately and again after the commit: a page computed between the two with the old rows gets
a key nobody asks for after the commit.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

TOKEN_KEY = "dashboards:generation"
TTL_SECONDS = 3600


def new_generation() -> None:
    cache.set(TOKEN_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(TOKEN_KEY, uuid.uuid4().hex, None))


def cached(name: str, *parts, compute):
    token = cache.get(TOKEN_KEY)
    if token is None:
        token = uuid.uuid4().hex
        cache.add(TOKEN_KEY, token, None)
        token = cache.get(TOKEN_KEY) or token
    key = "dashboards:%s:%s:%s" % (token, name, ":".join(str(p) for p in parts))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL_SECONDS)
    return value
