import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects


def test_home_page_for_anonymous_visitor(client, db):
    response = client.get(reverse("core:home"))
    assertContains(response, "Skip to main content")
    assertContains(response, "Find care services")


def test_home_rejects_post(client, db):
    assert client.post(reverse("core:home")).status_code == 405


@pytest.mark.parametrize("who", ["content_editor", "administrator"])
def test_home_sends_editors_and_admins_to_the_admin(login_as, client, who):
    login_as(who)
    assertRedirects(
        client.get(reverse("core:home")),
        reverse("admin:index"),
        fetch_redirect_response=False,
    )


def test_healthz_ok(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_reports_database_loss(client, db, monkeypatch):
    class LostConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("apps.core.views.connection", LostConnection())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response["Retry-After"]


def test_lost_database_gives_503_page_not_a_crash(db, patient, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(patient)

    def lost_connection(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "load", lost_connection)
    response = client.get(reverse("accounts:profile_update"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assertContains(response, "briefly unavailable", status_code=503)


def test_other_errors_give_500_page(db, patient, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(patient)

    def broken(self):
        raise ValueError("bug")

    monkeypatch.setattr(SessionStore, "load", broken)
    response = client.get(reverse("accounts:profile_update"))
    assert response.status_code == 500
    assertContains(response, "Something went wrong", status_code=500)


def test_404_page_in_site_look(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assertContains(response, "We could not find that page", status_code=404)
    assertContains(response, "Skip to main content", status_code=404)


def test_403_page_in_site_look(client, caseworker):
    client.force_login(caseworker)
    response = client.get(reverse("accounts:profile_update"))
    assertContains(response, "not available to you", status_code=403)


def test_security_headers_on_every_response(client, db):
    for url in [reverse("core:home"), reverse("healthz"), "/no-such-page/"]:
        response = client.get(url, secure=True)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"


def test_session_cookie_is_secure_httponly_samesite(client, patient):
    response = client.post(
        reverse("account_login"),
        {"login": patient.email, "password": "correct-horse-battery"},
    )
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_pages_load_no_asset_from_another_host(client, db):
    html = client.get(reverse("core:home")).content.decode()
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    assert "/static/bootstrap/css/bootstrap.min.css" in html


def test_deploy_checks_are_clean_with_production_settings(settings, monkeypatch):
    settings.SECURE_SSL_REDIRECT = True
    # Set by the browser tests in this process (Playwright runs an event loop);
    # never set in production.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    call_command("check", "--deploy", "--fail-level", "WARNING")


def test_trigram_extension_is_enabled(db, django_db_blocker):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()


def test_oversized_body_is_refused_before_it_is_read(client, db):
    response = client.post(
        reverse("core:home"),
        data=b"x" * 10,
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(6 * 1024 * 1024),
    )
    assert response.status_code == 413
    assertContains(response, "too much to send", status_code=413)


def test_failed_csrf_check_shows_a_page_in_the_site_look(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a@example.org"})
    assert response.status_code == 403
    assertContains(response, "Please go back and try again", status_code=403)


@pytest.mark.django_db
def test_analyze_counts_rows_loaded_in_the_same_transaction():
    from django.db import connection, transaction

    from apps.core.bulk import analyze
    from apps.core.models import AccessLog

    def planner_rows():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE relname = %s",
                [AccessLog._meta.db_table],
            )
            return cursor.fetchone()[0]

    with transaction.atomic():
        AccessLog.objects.bulk_create(
            AccessLog(action="view", record_type="x", record_id=str(n))
            for n in range(30)
        )
        analyze(AccessLog)
        assert planner_rows() >= 30


@pytest.mark.django_db
def test_prepared_statements_are_counted_and_logged_with_their_text():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.core.prepared import prepared_cursor

    with CaptureQueriesContext(connection) as queries:
        for _ in range(7):  # past psycopg's prepare_threshold
            with prepared_cursor() as cursor:
                cursor.execute("SELECT %s::integer + 1", [41])
                assert cursor.fetchone() == (42,)
    assert len(queries) == 7
    assert all(q["sql"] == "SELECT %s::integer + 1" for q in queries.captured_queries)
