"""Preparing the pages: their URLs, the bench accounts signed in, the records
they show, and each page's SQL queries counted with Django's test client."""

import re
from dataclasses import dataclass, field

from bench.scenarios import Scenario, rotating_searches


@dataclass
class Context:
    cookies: dict[str, str]
    headers: dict[str, str]
    pool: list[tuple[int, int, str]] = field(default_factory=list)


def login_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user, backend="apps.accounts.backends.AccountBackend")
    from django.conf import settings

    return client.cookies[settings.SESSION_COOKIE_NAME].value


def prepare(items: list[Scenario], port: int) -> dict[str, Context]:
    """Resolve every page's URLs, sign the bench accounts in, and pick the records
    (article, service, client, referrals) the pages show."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse
    from django.utils.crypto import get_random_string

    from apps.accounts.models import User
    from apps.directory.models import Service
    from apps.referrals.models import Client, Referral

    cache.clear()  # the bench's own Redis database: old sessions and pages
    csrf_secret = get_random_string(32)
    patient = User.objects.get(email="bench-patient@example.org")
    caseworker = User.objects.get(email="bench-caseworker@example.org")
    supervisor = _bench_supervisor(caseworker)
    contexts = {"anonymous": Context(cookies={}, headers={})}
    people = [("patient", patient), ("caseworker", caseworker)]
    people += [("supervisor", supervisor)] if supervisor else []
    for who, user in people:
        contexts[who] = Context(
            cookies={
                settings.SESSION_COOKIE_NAME: login_cookie(user),
                settings.CSRF_COOKIE_NAME: csrf_secret,
            },
            headers={"X-CSRFToken": csrf_secret},
        )

    # The records the pages show.
    article = None
    try:
        from apps.diseases.models import Article

        article = (
            Article.objects.filter(status="published", disease__slug="als")
            .select_related("disease")
            .order_by("order", "pk")
            .first()
        )
    except (ImportError, LookupError):
        pass
    service = Service.objects.filter(status="active").order_by("pk").first()
    client = (
        Client.objects.filter(caseworker=caseworker)
        .annotate(n=Count("referrals"))
        .order_by("-n", "pk")
        .first()
    )
    open_referrals = list(
        Referral.objects.filter(
            client__caseworker=caseworker, status__in=["sent", "accepted", "scheduled"]
        )
        .order_by("pk")
        .values_list("pk", "version", "status")
    )
    contexts["caseworker"].pool = open_referrals[1:]
    counted_referral = open_referrals[0] if open_referrals else None
    needs = {
        "diseases:article_detail": (
            [article.disease.slug, article.slug] if article else None
        ),
        "directory:service_detail": [service.pk] if service else None,
        "directory:organization_detail": [service.organization_id] if service else None,
        "referrals:client_detail": [client.pk] if client else None,
        "referrals:referral_change_status": (
            [counted_referral[0]] if counted_referral else None
        ),
    }
    for item in items:
        args = item.args
        if item.who not in contexts:
            item.skipped = f"no {item.who} account"
            continue
        if item.url_name in needs:
            args = needs[item.url_name]
            if args is None:
                item.skipped = "no record to show"
                continue
        try:
            path = reverse(item.url_name, args=args)
        except NoReverseMatch:
            item.skipped = f"URL name {item.url_name} does not resolve"
            continue
        if item.name == "status_change":
            # wrk walks the pool; the path here is for counting queries only.
            item.paths = [path]
            item.counted_referral = counted_referral
            continue
        if item.rotate:
            item.queries = rotating_searches(item.rotate)
        item.paths = [f"{path}?{q}" if q else path for q in item.queries]
    return contexts


def _bench_supervisor(caseworker):
    """The supervisor of the bench caseworker's team, with the second factor that
    staff need set up (data sets built before it was needed lack it)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import is_mfa_enabled

    from apps.accounts.models import User

    supervisor = (
        User.objects.filter(role=User.Role.SUPERVISOR, team_id=caseworker.team_id)
        .order_by("pk")
        .first()
    )
    if supervisor is not None and not is_mfa_enabled(supervisor):
        TOTP.activate(supervisor, generate_totp_secret())
    return supervisor


def _status_form(version: int, status: str, pk: int) -> dict[str, str]:
    """The next status change of a referral in a never-ending walk: sent ->
    accepted -> scheduled -> scheduled (a new appointment date) -> ..."""
    minute = pk % 60
    if status == "sent":
        return {"to": "accepted", "version": str(version), "note": ""}
    return {
        "to": "scheduled",
        "version": str(version),
        "appointment_at": f"2031-01-{1 + pk % 28:02d}T10:{minute:02d}",
        "note": "",
    }


TRANSACTION_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE
)


def split_queries(captured) -> tuple[int, int]:
    """(queries, transaction control statements) among the captured statements.

    Django logs BEGIN, COMMIT and savepoints as statements too; they are counted
    apart. pghistory sends its context as "SELECT set_config(...); <statement>":
    the statement after it is what counts.
    """
    queries = control = 0
    for entry in captured.captured_queries:
        sql = entry["sql"]
        if sql.startswith("SELECT set_config('pghistory"):
            sql = sql.rsplit("; ", 1)[-1]
        if TRANSACTION_CONTROL.match(sql):
            control += 1
        else:
            queries += 1
    return queries, control


def count_queries(items: list[Scenario], contexts: dict[str, Context], port: int):
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import F
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from apps.core.caching import cache_key, forget_local_copies
    from apps.referrals.models import TeamChangeShard

    host = f"127.0.0.1:{port}"
    for item in items:
        if item.skipped:
            continue
        context = contexts[item.who]
        client = Client(HTTP_HOST=host)
        for name, value in context.cookies.items():
            client.cookies[name] = value
        path = item.paths[0]
        if item.method == "POST":
            pk, version, status = item.counted_referral
            client.get(path.replace("status/", ""))  # warm this process up
            data = _status_form(version, status, pk)
            with CaptureQueriesContext(connection) as queries:
                response = client.post(path, data, headers=context.headers)
            item.sql_miss, item.sql_transaction = split_queries(queries)
        else:
            client.get(path)  # warm-up: first-use caches of this process
            cache.delete(cache_key(RequestFactory().get(path, HTTP_HOST=host)))
            forget_local_copies()
            # Kept casework pages: a new count of changes makes the next load a miss.
            TeamChangeShard.objects.update(changes=F("changes") + 1)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            item.sql_miss, item.sql_transaction = split_queries(queries)
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            item.sql_hit = split_queries(queries)[0]
        if response.status_code != item.expect:
            item.skipped = (
                f"answered {response.status_code} instead of {item.expect} "
                f"({response.get('Location', '')})"
            )
    connection.close()
