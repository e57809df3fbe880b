"""What the search reads of the care-service taxonomy, kept in each worker's memory.

Every search needs the whole taxonomy (a few dozen terms): the search form's
drop-down and the children of a chosen type, and on a Spanish page the Spanish
names of the types. Reading it from the database cost each search one query (two
more in Spanish) and a few dozen model instances, for terms that change a few times
a year. So each worker keeps what it built from the terms, tagged with a generation
held in the shared cache: saving or deleting a term raises the generation
(``forget_taxonomy``, connected in apps.py), and every worker builds its copy again
on its next search. Each worker reads the generation at most every CHECK_SECONDS
(a change shows at once on the worker that made it, on the others within that
time, as with the public-page cache), so most searches touch neither the cache nor
the database for the taxonomy.

    phrases = taxonomy_copy("spanish phrases", read_phrases)  # read_phrases()
    # once per generation of the terms, in this worker
"""

import threading
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

GENERATION_KEY = "carenav:directory:taxonomy:generation"
CHECK_SECONDS = 10

T = TypeVar("T")

_lock = threading.Lock()
# {"generation": the generation the copies were built in, name: copy, ...}
_copies: dict = {}
# When this worker last read the shared generation (time.monotonic()).
_checked: dict = {"at": None}


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # First search since the cache was emptied: start a generation; add(), so
        # that two workers starting at once agree on one.
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def taxonomy_copy(name: str, build: Callable[[], T]) -> T:
    """``build()``, built once per generation of the taxonomy in this worker.

    ``name`` tells the copies apart, with the language when ``build`` depends on it.
    What ``build`` returns is shared by every later request: never change it, unless
    it is built to be filled in as requests go (read_words' memory of typed words,
    the search form's drop-downs as written for each choice: each only adds what
    follows from the generation's data, and is forgotten with it)."""
    checked_at = _checked["at"]
    if checked_at is not None and time.monotonic() - checked_at < CHECK_SECONDS:
        copy = _copies.get(name)
        if copy is not None:
            return copy
    generation = _generation()
    _checked["at"] = time.monotonic()
    with _lock:
        if _copies.get("generation") != generation:
            _copies.clear()
            _copies["generation"] = generation
        if name in _copies:
            return _copies[name]
    copy = build()
    with _lock:
        if _copies.get("generation") == generation:
            _copies[name] = copy
    return copy


def copies_generation() -> str:
    """The generation this worker's copies belong to (read as taxonomy_copy reads
    it), for what the workers share under the same generation."""
    taxonomy_copy("generation mark", object)
    return _copies["generation"]


def forget_taxonomy(**kwargs) -> None:
    """A term changed: every worker builds its copies again (a signal receiver)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    forget_local_copies()


def forget_local_copies() -> None:
    """This worker builds its copies again on the next search (tests, whose terms
    are rolled back without any signal, start with this)."""
    with _lock:
        _copies.clear()
        _checked["at"] = None
