"""Django's Redis cache, with one Redis client per connection pool.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache call
(``get_client``), and redis-py fills a table of about 200 response callbacks in
each client's constructor. The sessions and the kept pages make two or three
cache calls per signed-in request: that construction was a measurable part of
every page's CPU (bench/run.py). A ``redis.Redis`` holds no connection of its
own (it takes one from its pool per command) and is safe to share between
threads, so each pool's client is made once and reused.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # Two threads may both make one here: either is as good.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    """settings.CACHES backend: Django's RedisCache with the client above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
