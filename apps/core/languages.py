"""Which language a page is in, and how a visitor chooses it (README, Languages).

The URL says the language: English pages keep the paths of DESIGN.md, Spanish ones
are the same paths under /es/ (carenav/urls.py), so a link can be shared in either
language. LocaleMiddleware activates the language of the path.

What a visitor prefers decides only where an unprefixed page sends them:

1. the language they chose with the switch (Django's language cookie);
2. signed in, the language kept on their account (``User.language``), which
   signing in also writes to the cookie;
3. otherwise, their browser's ``Accept-Language``.

A GET of an English page that has a Spanish twin, by a visitor who prefers Spanish,
is redirected to the twin. A page under /es/ is never redirected: the link asked
for Spanish.
"""

from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect
from django.urls import (
    NoReverseMatch,
    Resolver404,
    ResolverMatch,
    resolve,
    translate_url,
)
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .remembered import remembered_reverse

# Set on the request by a sign-in: the account's language, for the cookie.
ACCOUNT_LANGUAGE = "_carenav_account_language"


def supported(code: str | None) -> str | None:
    """The site's language for a code ("es-MX" -> "es"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_of(user) -> str:
    """The language to write to a person in: their account's, else the site's."""
    return supported(getattr(user, "language", None)) or settings.LANGUAGE_CODE


def preferred_language(request) -> str:
    """What the visitor prefers: their choice, their account's, their browser's."""
    chosen = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return language_of(user)
    return translation.get_language_from_request(request, check_path=False)


def in_language(path: str, language: str) -> str:
    """The page at `path` (in whichever language: /learn/ or /es/learn/, with its
    query) as the same page in `language`; `path` itself when it has no twin."""
    with translation.override(path_language(path)):
        return translate_url(path, language)


def path_language(path: str) -> str:
    """The language a path is in: its prefix (/es/...), else the site's."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def twin_path(path: str, language: str) -> str | None:
    """The same page in `language` (path and query), or None if it has no twin
    there (a language-neutral URL such as /admin/ or /api/, or no page at all)."""
    twin = in_language(path, language)
    return twin if twin != path else None


class LanguageChoiceMiddleware:
    """Send a visitor who prefers another language to the page's twin in it, and
    write an account's language to the cookie at sign-in. After
    AuthenticationMiddleware (the account's language) and LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        consulted = self._is_unprefixed_read(request)
        if consulted:
            preferred = preferred_language(request)
            if preferred != settings.LANGUAGE_CODE:
                twin = twin_path(request.get_full_path(), preferred)
                if twin:
                    response = HttpResponseRedirect(twin)
                    patch_vary_headers(response, ("Accept-Language", "Cookie"))
                    return response
        response = self.get_response(request)
        if consulted:
            # The same URL answers differently for another cookie or browser.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        account_language = getattr(request, ACCOUNT_LANGUAGE, None)
        if account_language:
            remember_choice(response, account_language)
        return response

    @staticmethod
    def _is_unprefixed_read(request) -> bool:
        return request.method in ("GET", "HEAD") and not (
            translation.get_language_from_path(request.path_info)
        )


def remember_choice(response, language: str) -> None:
    """The language cookie, set as Django's set_language sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@receiver(user_logged_in, dispatch_uid="carenav-account-language")
def use_account_language(sender, request, user, **kwargs):
    """At sign-in, the account's language becomes the visitor's choice."""
    if request is not None:
        setattr(request, ACCOUNT_LANGUAGE, language_of(user))


@login_not_required
@require_POST
def switch_language(request):
    """Django's set_language (cookie, then back to `next` in the chosen language);
    signed in, the choice is also kept on the account."""
    # set_language finds the page's twin from the language active: the page's own.
    next_path = request.POST.get("next") or ""
    with translation.override(path_language(next_path)):
        response = set_language(request)
    chosen = supported(request.POST.get("language"))
    user = request.user
    if chosen and user.is_authenticated and user.language != chosen:
        get_user_model().objects.filter(pk=user.pk).update(language=chosen)
        user.language = chosen
    return response


class LanguageLinks:
    """The page in the other languages, for the switch and the hreflang links;
    worked out only if the template uses it."""

    def __init__(self, request, *, found: bool = True):
        self.request = request
        self.current = translation.get_language()
        # An error page is no page to link in another language: the switch goes
        # to the home page, and there are no hreflang links.
        self.found = found

    @cached_property
    def _twins(self) -> dict[str, str]:
        """Each language's path of this page (without query), if it has twins."""
        if not self.found:
            return {}
        path = self.request.path
        match = self._match()
        twins = {code: _twin(match, code) or path for code, _ in settings.LANGUAGES}
        if len(set(twins.values())) < len(twins):
            return {}
        return twins

    def _match(self) -> ResolverMatch | None:
        # The URL was resolved to reach the view: its name and arguments give
        # the page in each language (as translate_url() would, resolving again).
        match = getattr(self.request, "resolver_match", None)
        if match is not None:
            return match
        try:
            return resolve(self.request.path_info)
        except Resolver404:
            return None

    @property
    def alternates(self) -> list[dict]:
        """<link rel="alternate" hreflang>: every language, and x-default (English)."""
        twins = self._twins
        if not twins:
            return []
        links = [
            {"hreflang": code, "href": f"{settings.SITE_URL}{path}"}
            for code, path in twins.items()
        ]
        default = twins[settings.LANGUAGE_CODE]
        links.append({"hreflang": "x-default", "href": f"{settings.SITE_URL}{default}"})
        return links

    @cached_property
    def switch(self) -> list[dict]:
        """The other languages: code, own name, and where to go back to."""
        # The query (from the first "?": the path's own are escaped) goes along.
        _, separator, query = self.request.get_full_path().partition("?")
        choices = []
        for code, name in settings.LANGUAGES:
            if code == self.current:
                continue
            if self._twins:
                next_url = f"{self._twins[code]}{separator}{query}"
            else:
                next_url = _home_in(code)
            choices.append({"code": code, "name": name, "next": next_url})
        return choices


def _twin(match: ResolverMatch | None, language: str) -> str | None:
    """The path of the matched page in `language`, or None if it has none."""
    if match is None or match.url_name is None:
        return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    try:
        return remembered_reverse(
            name, args=match.args, kwargs=match.kwargs, language=language
        )
    except NoReverseMatch:
        return None


def _home_in(language: str) -> str:
    try:
        return remembered_reverse("core:home", language=language)
    except NoReverseMatch:
        return "/"


def language_links(request) -> dict:
    """Context processor: ``language_links`` (LanguageLinks) for base.html."""
    return {"language_links": LanguageLinks(request)}
