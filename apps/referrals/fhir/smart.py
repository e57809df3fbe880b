"""SMART Backend Services: how a partner system gets a token for the FHIR API.

The client signs a short JWT with its private key (RFC 7523 "private_key_jwt") and
posts it to the token endpoint with grant_type=client_credentials; CareNav checks
the signature against the public keys registered for the client and answers with
a bearer token that lives a few minutes. Authlib runs the OAuth 2.0 protocol
(grant, client authentication, error answers); this module only says where the
clients, keys and tokens live.

Scopes are SMART's: ``system/<Resource>.<permissions>``, in the v2 form (``rs``:
read and search) or the v1 form (``read``), ``*`` for any resource.
"""

import hashlib
import json
import urllib.request
from datetime import timedelta

from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2 import rfc6749
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission

from apps.accounts.models import BackendClient, BackendToken

# SMART asks servers to accept RS384 and ES384; the 256-bit forms are as safe and
# common. Never "none" or a symmetric algorithm: the keys we hold are public.
SIGNING_ALGORITHMS = ("RS384", "ES384", "RS256", "ES256")
ASSERTION_MAX_LIFETIME = 300  # seconds: SMART's upper bound for an assertion
JWKS_CACHE_SECONDS = 3600
RESOURCE_TYPES = (
    "ServiceRequest",
    "Task",
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "HealthcareService",
)
SCOPES_SUPPORTED = [f"system/{name}.rs" for name in RESOURCE_TYPES] + [
    f"system/{name}.read" for name in RESOURCE_TYPES
]


def token_url() -> str:
    """The token endpoint's address, which every assertion must name as audience."""
    return settings.SITE_URL.rstrip("/") + reverse("fhir_api:token")


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def token_lifetime() -> int:
    return settings.FHIR_TOKEN_SECONDS


def public_keys(client: BackendClient) -> KeySet:
    """The client's registered public keys, fetched (and cached) from its URL."""
    if client.jwks:
        return KeySet.import_key_set(client.jwks)
    key = f"fhir:jwks:{client.pk}:{hash_token(client.jwks_url)}"
    document = cache.get(key)
    if document is None:
        if not client.jwks_url.startswith("https://"):
            raise rfc6749.InvalidClientError(description="The JWKS URL must be https.")
        try:
            # Only https URLs an administrator registered reach this point.
            with urllib.request.urlopen(client.jwks_url, timeout=5) as answer:  # nosec B310
                document = json.loads(answer.read(512 * 1024))
        except (OSError, ValueError) as error:
            raise rfc6749.InvalidClientError(
                description="The client's public keys could not be fetched."
            ) from error
        cache.set(key, document, JWKS_CACHE_SECONDS)
    return KeySet.import_key_set(document)


class OAuthClient(rfc6749.ClientMixin):
    """A registered backend client, as Authlib asks for it."""

    def __init__(self, record: BackendClient):
        self.record = record

    def get_client_id(self):
        return self.record.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        if not scope:
            return ""
        allowed = self.record.allowed_scopes
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        return False

    def check_endpoint_auth_method(self, method, endpoint):
        return endpoint == "token" and method == PrivateKeyJWT.CLIENT_AUTH_METHOD

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == "client_credentials"


class PrivateKeyJWT(JWTBearerClientAssertion):
    """Client authentication by a JWT signed with the client's private key."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def get_audiences(self):
        return [token_url()]

    def resolve_client_public_key(self, client):
        return public_keys(client.record)

    def process_assertion_claims(self, assertion, resolve_key):
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=SIGNING_ALGORITHMS)
        except JoseError as error:
            raise rfc6749.InvalidClientError(description=error.description) from error
        self.verify_claims(token.claims)
        expires = token.claims.get("exp")
        if isinstance(expires, int | float):
            latest = timezone.now().timestamp() + ASSERTION_MAX_LIFETIME + self.leeway
            if expires > latest:
                raise rfc6749.InvalidClientError(
                    description="The assertion may live at most five minutes."
                )
        return token.claims

    def validate_jti(self, claims, jti):
        return not BackendToken.objects.filter(
            client__client_id=claims["sub"], assertion_id=str(jti)
        ).exists()


class BackendAuthorizationServer(AuthorizationServer):
    def __init__(self):
        super().__init__(BackendClient, BackendToken)
        self.scopes_supported = SCOPES_SUPPORTED

    def create_bearer_token_generator(self):
        generator = super().create_bearer_token_generator()
        generator.expires_generator = lambda client, grant_type: token_lifetime()
        return generator

    def query_client(self, client_id):
        record = (
            BackendClient.objects.filter(client_id=client_id, is_active=True)
            .select_related("account")
            .first()
        )
        return OAuthClient(record) if record else None

    def save_token(self, token, request):
        # The assertion was verified before the token was made; only its ID is read.
        claims = json.loads(
            jws.extract_compact(request.form["client_assertion"].encode()).payload
        )
        now = timezone.now()
        try:
            with transaction.atomic():
                return BackendToken.objects.create(
                    client=request.client.record,
                    token_hash=hash_token(token["access_token"]),
                    scope=token.get("scope", ""),
                    assertion_id=str(claims.get("jti", "")),
                    issued_at=now,
                    expires_at=now + timedelta(seconds=token["expires_in"]),
                )
        except IntegrityError as error:
            # Two requests raced with the same assertion: only one gets a token.
            raise rfc6749.InvalidClientError(
                description="JWT ID is used before."
            ) from error


class BackendClientCredentialsGrant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [PrivateKeyJWT.CLIENT_AUTH_METHOD]


def authorization_server() -> BackendAuthorizationServer:
    server = BackendAuthorizationServer()
    server.register_client_auth_method(
        PrivateKeyJWT.CLIENT_AUTH_METHOD, PrivateKeyJWT(leeway=30)
    )
    server.register_grant(BackendClientCredentialsGrant)
    return server


def smart_configuration() -> dict:
    """What /.well-known/smart-configuration says (SMART App Launch 2.x)."""
    return {
        "token_endpoint": token_url(),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": [PrivateKeyJWT.CLIENT_AUTH_METHOD],
        "token_endpoint_auth_signing_alg_values_supported": list(SIGNING_ALGORITHMS),
        "scopes_supported": SCOPES_SUPPORTED,
        "capabilities": [
            "client-confidential-asymmetric",
            "permission-v1",
            "permission-v2",
        ],
    }


class BackendTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` from the token endpoint.

    The request runs as the client's service account, so visible_to() and the
    access log treat it like any other reader.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give one bearer token.")
        try:
            value = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed("That token is not valid.") from error
        token = (
            BackendToken.objects.usable()
            .select_related("client__account")
            .filter(token_hash=hash_token(value))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(
                "That token is not valid or has expired: ask for a new one."
            )
        return token.client.account, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="CareNav FHIR"'


def scope_allows(scopes: set[str], resource_type: str, interaction: str) -> bool:
    """Does one of the SMART scopes allow reading (``r``) or searching (``s``)?"""
    for scope in scopes:
        context, _, rest = scope.partition("/")
        resource, _, permissions = rest.partition(".")
        if context != "system" or resource not in (resource_type, "*"):
            continue
        if permissions in ("read", "*"):  # SMART v1
            return True
        granted = permissions.split("?")[0]  # SMART v2, e.g. "rs" or "cruds"
        if set(granted) <= set("cruds") and interaction in granted:
            return True
    return False


class HasScope(BasePermission):
    """A token must carry a scope for the resource and interaction a view serves.

    Staff signed in with a browser session have no token and are not limited here.
    """

    message = "The token's scopes do not cover this resource."

    def has_permission(self, request, view):
        if not isinstance(request.auth, BackendToken):
            return True
        return scope_allows(request.auth.scopes, view.resource_type, view.interaction)
