"""The OpenID Connect client: mozilla-django-oidc's authorization code flow with PKCE, fed
from the issuer's discovery document, with stricter ID-token checks.

What is added to the library:

- endpoints come from ``{OIDC_ISSUER}/.well-known/openid-configuration`` (cached an hour),
  whose ``issuer`` must be the configured one;
- the provider's keys (JWKS) are cached, and fetched again as soon as a token names a key id
  the cache does not hold: a rotated key is picked up at its first use, a retired key stops
  verifying once the provider stops publishing it;
- the ID token's issuer, audience, expiry and issue time are verified (the library checks only
  the signature and the nonce), with OIDC_CLOCK_SKEW_SECONDS of leeway;
- claims are the ID token's, completed by the userinfo endpoint for the same subject;
- users are matched by (issuer, subject), never by e-mail, and mapped to a role by the admins'
  group rules (services.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from governance.kernel.accounts.sealing import unseal
from governance.kernel.accounts.sso.models import ExternalIdentity
from governance.kernel.accounts.sso.services import SignInRefused, sso_sign_in
from governance.kernel.audit.services import audit_event_record

logger = logging.getLogger(__name__)

DISCOVERY_SECONDS = 3600
JWKS_SECONDS = 3600
# A token naming an unknown key makes us fetch the keys again, at most this often: a flood
# of forged key ids must not become a flood of requests to the provider.
JWKS_REFETCH_SECONDS = 10

# mozilla-django-oidc setting -> field of the discovery document.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class ProviderUnavailable(Exception):
    """The provider could not be reached or answered nonsense."""


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {exc}") from exc


def discovery() -> dict:
    """The issuer's discovery document (cached)."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        raise ImproperlyConfigured("single sign-on needs OIDC_ISSUER")
    key = f"oidc:discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        document = _get_json(f"{issuer}/.well-known/openid-configuration")
        if document.get("issuer", "").rstrip("/") != issuer:
            # OpenID Connect Discovery 1.0, section 4.3: a mismatch means a wrong or forged
            # document.
            raise ProviderUnavailable(f"discovery names issuer {document.get('issuer')!r}")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def oidc_setting(attr: str, *default):
    if attr in _DISCOVERED:
        value = discovery().get(_DISCOVERED[attr])
        if value is None and not default:
            raise ImproperlyConfigured(f"the provider publishes no {_DISCOVERED[attr]}")
        return value if value is not None else default[0]
    return import_from_settings(attr, *default)


def provider_keys(*, refresh: bool = False) -> dict:
    uri = oidc_setting("OIDC_OP_JWKS_ENDPOINT")
    key = f"oidc:jwks:{uri}"
    jwks = None if refresh else cache.get(key)
    if jwks is None:
        jwks = _get_json(uri)
        cache.set(key, jwks, JWKS_SECONDS)
    return jwks


def _matching_key(jwks: dict, kid: str, alg: str) -> dict | None:
    for jwk in jwks.get("keys", []):
        if jwk.get("kid") == kid and jwk.get("alg", alg) == alg and jwk.get("use", "sig") == "sig":
            return jwk
    return None


@dataclass(frozen=True)
class TokenSet:
    id_token: str
    access_token: str
    refresh_token: str
    claims: dict


class OidcBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # Instantiated by django.contrib.auth for every authenticate() call and for every
        # request of a single-sign-on session (get_user): nothing here may call the provider,
        # so the endpoints below are looked up only when a sign-in needs them.
        self.UserModel = get_user_model()
        self.token_info: dict = {}

    @property
    def enabled(self) -> bool:
        return sso_enabled()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None  # keys always come from the provider's published key set

    # --- verification --------------------------------------------------------------------------
    def retrieve_matching_jwk(self, token):
        header = jwt.get_unverified_header(token)
        kid, alg = str(header.get("kid", "")), str(header.get("alg", ""))
        jwk = _matching_key(provider_keys(), kid, alg)
        if jwk is None and cache.add(f"oidc:jwks-refetch:{kid}", 1, JWKS_REFETCH_SECONDS):
            jwk = _matching_key(provider_keys(refresh=True), kid, alg)
        if jwk is None:
            raise SuspiciousOperation(f"no published key {kid!r} for {alg}")
        return jwt.PyJWK(jwk)

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc

    def verify_id_token(self, id_token: str, *, nonce: str | None, check_nonce: bool = True):
        if not id_token:
            raise SuspiciousOperation("the provider returned no ID token")
        if check_nonce:
            return self.verify_token(id_token, nonce=nonce)
        # A refreshed ID token repeats the nonce of the original sign-in, or none at all
        # (OpenID Connect Core 1.0, 12.2): only signature and claims are checked.
        return self.get_payload_data(id_token, self.retrieve_matching_jwk(id_token))

    # --- the flow ------------------------------------------------------------------------------
    def get_token(self, payload):
        self.token_info = super().get_token(payload)
        return self.token_info

    def authenticate(self, request, **kwargs):
        if not self.enabled or request is None or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException, ProviderUnavailable) as exc:
            _record_failure(request, reason=str(exc)[:300])
            return None

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.claims(access_token, payload)
        try:
            return sso_sign_in(
                issuer=settings.OIDC_ISSUER,
                claims=claims,
                groups_claim=settings.OIDC_GROUPS_CLAIM,
                refresh_token=self.token_info.get("refresh_token", ""),
            )
        except SignInRefused as refusal:
            self.request.sso_refusal = refusal
            return None

    def claims(self, access_token: str, payload: dict) -> dict:
        """The ID token's claims, completed by userinfo when the provider has it."""
        claims = dict(payload)
        if access_token and discovery().get("userinfo_endpoint"):
            info = self.get_userinfo(access_token, None, payload)
            if str(info.get("sub")) != str(payload.get("sub")):
                # OpenID Connect Core 1.0, 5.3.2: userinfo for another subject is an attack.
                raise SuspiciousOperation("userinfo is about another subject")
            for name, value in info.items():
                claims.setdefault(name, value)
            if settings.OIDC_GROUPS_CLAIM in info:
                claims[settings.OIDC_GROUPS_CLAIM] = info[settings.OIDC_GROUPS_CLAIM]
        return claims

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str, nonce: str):
        """The code flow's second half for a step-up: tokens and verified ID-token claims."""
        token_info = self.get_token(
            {
                "client_id": self.OIDC_RP_CLIENT_ID,
                "client_secret": self.OIDC_RP_CLIENT_SECRET,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )
        claims = self.verify_id_token(token_info.get("id_token", ""), nonce=nonce)
        return TokenSet(
            id_token=token_info.get("id_token", ""),
            access_token=token_info.get("access_token", ""),
            refresh_token=token_info.get("refresh_token", ""),
            claims=claims,
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        """Ask the provider for fresh tokens: it answers only while the person is active."""
        token_info = self.get_token(
            {
                "client_id": self.OIDC_RP_CLIENT_ID,
                "client_secret": self.OIDC_RP_CLIENT_SECRET,
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
            }
        )
        id_token = token_info.get("id_token", "")
        claims = self.verify_id_token(id_token, nonce=None, check_nonce=False) if id_token else {}
        if id_token and token_info.get("access_token"):
            claims = self.claims(token_info["access_token"], claims)
        return TokenSet(
            id_token=id_token,
            access_token=token_info.get("access_token", ""),
            refresh_token=token_info.get("refresh_token", ""),
            claims=claims,
        )


def _record_failure(request, *, reason: str) -> None:
    logger.warning("single sign-on failed: %s", reason)
    with transaction.atomic():
        audit_event_record(
            actor=None,
            action="auth.sign_in_failed",
            payload={"method": "oidc", "reason": reason, "ip": request.META.get("REMOTE_ADDR")},
        )


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so the provider ends its session too (RP-initiated logout),
    or None when the provider has no end-session endpoint."""
    try:
        endpoint = discovery().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    query = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": post_logout_redirect_uri,
    }
    if id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(query)}"


def identity_refresh_token(identity: ExternalIdentity) -> str:
    return unseal(identity.refresh_token)
