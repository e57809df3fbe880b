"""What every page repeats, worked out once per worker and language.

Every page carries the same chrome (base.html: navigation, footer, language
switch), and rendering it afresh cost more CPU than a whole bare Django request:
the same dozen URLs reversed, the same labels translated. Two things are kept
instead, for as long as the worker runs:

- ``remembered_reverse()``: ``reverse()``, remembered for each URLconf, script
  prefix, language and arguments (``{% url %}`` uses it: templatetags/remembered_url).
  Only plain arguments (text, integers, UUIDs) are remembered: an object is reversed
  through its ``str()``, which may change, so such calls reverse each time.
- ``RememberedFragments``: the HTML of a ``{% remembered %}`` block
  (templatetags/remembered), for each language and the values the block names.

The language is always part of the key, so a Spanish page's text or /es/ links can
never reach an English page. Settings do not change while a worker runs; a test
that changes one makes both start afresh.
"""

from functools import lru_cache
from uuid import UUID

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

# Enough for every name with its usual arguments; the least used go first.
MAX_URLS = 4096
PLAIN_ARGUMENTS = (str, int, UUID)


def remembered_reverse(
    viewname,
    args=None,
    kwargs=None,
    current_app: str | None = None,
    *,
    language: str | None = None,
) -> str:
    """``reverse()`` in `language` (by default the active one), worked out once per
    worker for plain arguments. Raises NoReverseMatch as reverse() does."""
    if language is None:
        language = translation.get_language()
    args = tuple(args or ())
    kwargs = tuple(sorted(kwargs.items())) if kwargs else ()
    if not all(isinstance(value, PLAIN_ARGUMENTS) for value in _values(args, kwargs)):
        with translation.override(language):
            return reverse(
                viewname, args=args, kwargs=dict(kwargs), current_app=current_app
            )
    return _reverse(
        language,
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
        viewname,
        args,
        kwargs,
        current_app,
    )


def _values(args: tuple, kwargs: tuple):
    yield from args
    for _name, value in kwargs:
        yield value


@lru_cache(maxsize=MAX_URLS)
def _reverse(language, script_prefix, urlconf, viewname, args, kwargs, current_app):
    # reverse() reads the script prefix itself: it is in the key only so that a
    # worker serving under two prefixes keeps their URLs apart.
    with translation.override(language):
        return reverse(
            viewname,
            urlconf=urlconf,
            args=args,
            kwargs=dict(kwargs),
            current_app=current_app,
        )


class RememberedFragments:
    """The HTML of one ``{% remembered %}`` block, by key (the language and the
    values it names). At most ``max_entries``: past that, blocks are rendered
    each time again. Kept with the compiled template, so a template reloaded in
    development starts afresh."""

    generation = 0  # raised by forget_remembered(): every block starts afresh

    def __init__(self, max_entries: int = 2000):
        self.max_entries = max_entries
        self._generation = RememberedFragments.generation
        self._html: dict[tuple, str] = {}

    def get(self, key: tuple) -> str | None:
        if self._generation != RememberedFragments.generation:
            self._html = {}
            self._generation = RememberedFragments.generation
        return self._html.get(key)

    def keep(self, key: tuple, html: str) -> None:
        if len(self._html) < self.max_entries:
            self._html[key] = html


@receiver(setting_changed, dispatch_uid="carenav-forget-remembered")
def forget_remembered(**kwargs) -> None:
    """Forget every remembered URL and block (a test changed a setting)."""
    _reverse.cache_clear()
    RememberedFragments.generation += 1
