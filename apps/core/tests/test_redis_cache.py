"""The Redis cache makes one client per connection pool, not one per call."""

from apps.core.redis_cache import SharedClientRedisCache


def test_each_call_reuses_the_pools_client():
    # No command is sent: making a client does not connect.
    cache = SharedClientRedisCache("redis://127.0.0.1:6379/0", {})
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(True)
