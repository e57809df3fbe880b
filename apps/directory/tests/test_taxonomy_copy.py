"""Each worker's copy of what searches read of the taxonomy (taxonomy.py)."""

from django.core.cache import cache

from apps.directory import taxonomy
from apps.directory.taxonomy import CHECK_SECONDS, GENERATION_KEY, taxonomy_copy


def test_a_term_changed_on_another_worker_shows_within_check_seconds(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(taxonomy.time, "monotonic", lambda: now[0])
    builds = []

    def build():
        builds.append(len(builds) + 1)
        return builds[-1]

    assert taxonomy_copy("numbers", build) == 1
    assert taxonomy_copy("numbers", build) == 1
    # Another worker saved a term: it raised the shared generation.
    cache.set(GENERATION_KEY, "raised elsewhere", timeout=None)
    now[0] += CHECK_SECONDS - 1
    assert taxonomy_copy("numbers", build) == 1
    now[0] += 2
    assert taxonomy_copy("numbers", build) == 2
    assert taxonomy_copy("numbers", build) == 2


def test_the_worker_that_changes_a_term_builds_again_at_once():
    builds = []

    def build():
        builds.append(len(builds) + 1)
        return builds[-1]

    assert taxonomy_copy("numbers", build) == 1
    taxonomy.forget_taxonomy()
    assert taxonomy_copy("numbers", build) == 2
