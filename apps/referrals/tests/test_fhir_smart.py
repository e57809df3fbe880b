"""SMART Backend Services: a partner system registered by an administrator gets a
short-lived token with a signed assertion and reads what its team may read."""

import time
import uuid

import pytest
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from apps.accounts.models import BackendClient, BackendToken
from apps.core.models import AccessLog
from apps.referrals.fhir import smart
from apps.referrals.tests.factories import ClientFactory, ReferralFactory

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCOPE = "system/ServiceRequest.rs system/Task.rs system/Patient.rs"


@pytest.fixture(scope="module")
def rsa_key():
    return RSAKey.generate_key(2048, parameters={"kid": "ehr-key-1"})


@pytest.fixture(scope="module")
def ec_key():
    return ECKey.generate_key("P-384", parameters={"kid": "ehr-key-2"})


@pytest.fixture
def backend_client(client, administrator, team, rsa_key, ec_key):
    """Registered the way an administrator does it: in the admin."""
    jwks = KeySet([rsa_key, ec_key]).as_dict(private=False)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:accounts_backendclient_add"),
        {
            "name": "Riverside EHR",
            "team": team.pk,
            "jwks": __import__("json").dumps(jwks),
            "jwks_url": "",
            "scope": SCOPE,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    client.logout()
    return BackendClient.objects.get(name="Riverside EHR")


def assertion(backend_client, key, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": backend_client.client_id,
        "sub": backend_client.client_id,
        "aud": smart.token_url(),
        "exp": now + 240,
        "jti": uuid.uuid4().hex,
        **overrides,
    }
    alg = "RS384" if key.key_type == "RSA" else "ES384"
    return jwt.encode({"alg": alg, "kid": key.kid}, claims, key, algorithms=[alg])


def ask_token(client, signed: str, scope: str = SCOPE):
    return client.post(
        reverse("fhir_api:token"),
        {
            "grant_type": "client_credentials",
            "scope": scope,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": signed,
        },
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def team_referral(caseworker):
    return ReferralFactory(client=ClientFactory(caseworker=caseworker))


@pytest.fixture
def other_team_referral(other_caseworker):
    return ReferralFactory(client=ClientFactory(caseworker=other_caseworker))


@pytest.mark.parametrize("key_name", ["rsa_key", "ec_key"])
def test_token_then_read_own_team_and_not_another(
    request, client, backend_client, team_referral, other_team_referral, key_name
):
    key = request.getfixturevalue(key_name)
    response = ask_token(client, assertion(backend_client, key))
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    answer = response.json()
    assert answer["token_type"].lower() == "bearer"
    assert answer["expires_in"] == 300
    assert set(answer["scope"].split()) == set(SCOPE.split())
    headers = bearer(answer["access_token"])

    own = client.get(f"/api/fhir/ServiceRequest/{team_referral.pk}", **headers)
    assert own.status_code == 200
    found = client.get(
        reverse("fhir_api:task_search"),
        {"patient": team_referral.client_id},
        **headers,
    ).json()
    assert found["total"] == 1
    other = client.get(f"/api/fhir/ServiceRequest/{other_team_referral.pk}", **headers)
    assert other.status_code == 404
    patient = client.get(f"/api/fhir/Patient/{team_referral.client_id}", **headers)
    assert patient.status_code == 200

    logs = AccessLog.objects.filter(user=backend_client.account)
    assert logs.filter(record_type="referrals.referral").count() == 2
    assert logs.filter(record_type="referrals.client").count() == 1
    assert "Riverside EHR" in str(backend_client.account)


def test_the_token_is_stored_hashed(client, backend_client, rsa_key):
    answer = ask_token(client, assertion(backend_client, rsa_key)).json()
    stored = BackendToken.objects.get(client=backend_client)
    assert stored.token_hash != answer["access_token"]
    assert stored.token_hash == smart.hash_token(answer["access_token"])


@pytest.mark.parametrize(
    "change",
    [
        "expired",
        "wrong_key",
        "wrong_audience",
        "too_long_lived",
        "unknown_client",
        "hs256",
    ],
)
def test_bad_assertions_are_refused(client, backend_client, rsa_key, change):
    if change == "expired":
        signed = assertion(backend_client, rsa_key, exp=int(time.time()) - 600)
    elif change == "wrong_key":
        stranger = RSAKey.generate_key(2048, parameters={"kid": "ehr-key-1"})
        signed = assertion(backend_client, stranger)
    elif change == "wrong_audience":
        signed = assertion(backend_client, rsa_key, aud="https://elsewhere.example/t")
    elif change == "too_long_lived":
        signed = assertion(backend_client, rsa_key, exp=int(time.time()) + 3600)
    elif change == "unknown_client":
        signed = assertion(backend_client, rsa_key, iss="nobody", sub="nobody")
    else:
        from joserfc.jwk import OctKey

        secret = OctKey.import_key("x" * 32)
        signed = jwt.encode(
            {"alg": "HS256"},
            {
                "iss": backend_client.client_id,
                "sub": backend_client.client_id,
                "aud": smart.token_url(),
                "exp": int(time.time()) + 60,
                "jti": "a",
            },
            secret,
        )
    response = ask_token(client, signed)
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"
    assert not BackendToken.objects.exists()


def test_an_assertion_buys_one_token_only(client, backend_client, rsa_key):
    signed = assertion(backend_client, rsa_key)
    assert ask_token(client, signed).status_code == 200
    again = ask_token(client, signed)
    assert again.json()["error"] == "invalid_client"
    assert BackendToken.objects.count() == 1


def test_scopes_limit_what_a_token_reads(
    client, backend_client, rsa_key, team_referral
):
    answer = ask_token(
        client, assertion(backend_client, rsa_key), scope="system/Task.rs"
    ).json()
    headers = bearer(answer["access_token"])
    assert (
        client.get(f"/api/fhir/Task/{team_referral.pk}", **headers).status_code == 200
    )
    refused = client.get(f"/api/fhir/ServiceRequest/{team_referral.pk}", **headers)
    assert refused.status_code == 403
    assert refused.json()["resourceType"] == "OperationOutcome"


def test_a_scope_the_client_was_not_given_is_not_granted(
    client, backend_client, rsa_key
):
    answer = ask_token(
        client,
        assertion(backend_client, rsa_key),
        scope="system/Task.rs system/Practitioner.rs",
    ).json()
    assert answer["scope"] == "system/Task.rs"
    unknown = ask_token(
        client, assertion(backend_client, rsa_key), scope="system/Observation.rs"
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "invalid_scope"


def test_expired_revoked_or_unknown_tokens_get_401(
    client, backend_client, rsa_key, team_referral
):
    answer = ask_token(client, assertion(backend_client, rsa_key)).json()
    url = f"/api/fhir/Task/{team_referral.pk}"
    BackendToken.objects.update(expires_at="2000-01-01T00:00:00Z")
    response = client.get(url, **bearer(answer["access_token"]))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.get(url, **bearer("made-up")).status_code == 401


def test_switching_a_client_off_ends_its_tokens(
    client, administrator, backend_client, rsa_key, team_referral
):
    answer = ask_token(client, assertion(backend_client, rsa_key)).json()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:accounts_backendclient_change", args=[backend_client.pk]),
        {
            "name": backend_client.name,
            "team": backend_client.team_id,
            "jwks": __import__("json").dumps(backend_client.jwks),
            "jwks_url": "",
            "scope": SCOPE,
        },
    )
    assert response.status_code == 302
    client.logout()
    url = f"/api/fhir/Task/{team_referral.pk}"
    assert client.get(url, **bearer(answer["access_token"])).status_code == 401
    assert ask_token(client, assertion(backend_client, rsa_key)).status_code in (
        400,
        401,
    )


def test_the_service_account_cannot_sign_in(client, backend_client):
    account = backend_client.account
    assert not account.has_usable_password()
    assert account.email.endswith(".invalid")


def test_only_administrators_manage_backend_clients(login_as, client):
    url = reverse("admin:accounts_backendclient_changelist")
    for who in ("content_editor", "caseworker", "supervisor"):
        login_as(who)
        assert client.get(url).status_code in (302, 403), who
    login_as("administrator")
    assert client.get(url).status_code == 200


def test_smart_configuration_and_capability_statement_describe_it(client, db):
    for url in (
        "/.well-known/smart-configuration",
        "/api/fhir/.well-known/smart-configuration",
    ):
        config = client.get(url).json()
        assert config["token_endpoint"] == "http://testserver/api/fhir/auth/token"
        assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
        assert {"RS384", "ES384"} <= set(
            config["token_endpoint_auth_signing_alg_values_supported"]
        )
        assert "client-confidential-asymmetric" in config["capabilities"]
    statement = client.get(reverse("fhir_api:metadata")).json()
    security = statement["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    uris = security["extension"][0]["extension"]
    assert {"url": "token", "valueUri": config["token_endpoint"]} in uris


@pytest.mark.parametrize(
    ("scopes", "resource", "interaction", "allowed"),
    [
        ({"system/Task.rs"}, "Task", "r", True),
        ({"system/Task.rs"}, "Task", "s", True),
        ({"system/Task.r"}, "Task", "s", False),
        ({"system/Task.read"}, "Task", "s", True),
        ({"system/*.rs"}, "Patient", "r", True),
        ({"system/Task.write"}, "Task", "r", False),
        ({"user/Task.rs"}, "Task", "r", False),
        ({"system/Task.rs"}, "ServiceRequest", "r", False),
    ],
)
def test_scope_rules(scopes, resource, interaction, allowed):
    assert smart.scope_allows(scopes, resource, interaction) is allowed
