"""Every setting of the application, read from the environment in this one module.

With no variable set the embedded stack runs: SQLite and files under ``var/``, Celery tasks
executed in-process. ``DATABASE_URL`` selects PostgreSQL, ``REDIS_URL`` selects Celery on Redis
and a shared cache, ``GOVERNANCE_ENV=production`` turns on every deployment safeguard and
refuses to start without a real secret key and allowed hosts.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = env_str(name)
    if not raw:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


GOVERNANCE_ENV = env_str("GOVERNANCE_ENV", "development").lower()
if GOVERNANCE_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("GOVERNANCE_ENV must be development, test or production")
PRODUCTION = GOVERNANCE_ENV == "production"

_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "GOVERNANCE_ENV=production needs SECRET_KEY: at least 50 characters, not the default"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("GOVERNANCE_ENV=production needs ALLOWED_HOSTS")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production")

VAR_DIR = Path(env_str("GOVERNANCE_VAR_DIR", str(BASE_DIR / "var")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
BLOB_ROOT = Path(env_str("BLOB_ROOT", str(VAR_DIR / "blobs")))
MEDIA_URL = "/media/"
for _folder in (VAR_DIR, MEDIA_ROOT, BLOB_ROOT, VAR_DIR / "tmp"):
    # The embedded stack must run on a fresh clone with nothing prepared by hand.
    _folder.mkdir(parents=True, exist_ok=True)

# --- signing key of the audit trail, approvals and reports ----------------------------------
# An Ed25519 private key kept outside the database: a PEM file (SIGNING_KEY_FILE) or the PEM
# text itself (SIGNING_KEY). Development and tests create one under var/ (mode 0600) on first
# use; production refuses to start without one. Public keys of retired keys stay trusted for
# what they signed (SIGNING_RETIRED_PUBLIC_KEY_FILES, comma-separated PEM files).
SIGNING_KEY = env_str("SIGNING_KEY")
SIGNING_KEY_FILE = env_str(
    "SIGNING_KEY_FILE", "" if PRODUCTION else str(VAR_DIR / "signing-key.pem")
)
SIGNING_RETIRED_PUBLIC_KEY_FILES = env_list("SIGNING_RETIRED_PUBLIC_KEY_FILES")
if PRODUCTION:
    if not SIGNING_KEY and not SIGNING_KEY_FILE:
        raise ImproperlyConfigured(
            "GOVERNANCE_ENV=production needs SIGNING_KEY_FILE (or SIGNING_KEY): the Ed25519 key "
            "that signs the audit trail's checkpoints, approvals and reports, kept outside the "
            "database (python manage.py create_signing_key --file PATH makes one)"
        )
    if SIGNING_KEY_FILE and not SIGNING_KEY and not Path(SIGNING_KEY_FILE).is_file():
        raise ImproperlyConfigured(f"SIGNING_KEY_FILE {SIGNING_KEY_FILE} does not exist")
# The trail is signed every AUDIT_CHECKPOINT_EVERY_EVENTS events and, when anything was
# written, every AUDIT_CHECKPOINT_EVERY_SECONDS; each checkpoint is also appended to the sink,
# a file that should live on another volume than the database (empty: no sink).
AUDIT_CHECKPOINT_EVERY_EVENTS = env_int("AUDIT_CHECKPOINT_EVERY_EVENTS", 100)
AUDIT_CHECKPOINT_EVERY_SECONDS = env_int("AUDIT_CHECKPOINT_EVERY_SECONDS", 300)
AUDIT_CHECKPOINT_SINK = env_str(
    "AUDIT_CHECKPOINT_SINK", str(VAR_DIR / "trail" / "checkpoints.jsonl")
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "governance.apps.GovernanceConfig",
    "registry.apps.RegistryConfig",
    "audits.apps.AuditsConfig",
]

MIDDLEWARE = [
    "governance.kernel.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "governance.kernel.languages.UserLanguageMiddleware",
    "governance.kernel.accounts.sessions.SessionTimeoutMiddleware",
    "governance.kernel.accounts.mfa.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "governance.kernel.middleware.ContentSecurityPolicyMiddleware",
    "governance.kernel.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"
ASGI_APPLICATION = "governance.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "governance.pages.navigation.navigation",
                "governance.kernel.accounts.sso.views.sign_in_options",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    _db = dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})
        _db["OPTIONS"].setdefault("connect_timeout", 5)
        # No JIT compilation: this workload is short queries, where compiling costs far more
        # than it saves (a 0.1 ms lineage walk took 240 ms to JIT when statistics were stale).
        _db["OPTIONS"].setdefault("options", env_str("DB_SESSION_OPTIONS", "-c jit=off"))
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "governance.sqlite3"),
        # SQLite serialises writers; waiting is better than "database is locked" errors when
        # the in-process task runner and a request write at the same time.
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite cannot treat NULLs as equal in a unique constraint; the lineage service checks for
# duplicate edges itself under its lock, so the constraint only matters on PostgreSQL.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# --- cache, throttling ----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to a per-process memory cache while Redis is down (governance/cache.py).
            "BACKEND": "governance.kernel.cache.ResilientRedisCache",
            "LOCATION": env_str("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "governance"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Detail reads are kept per user until the audit trail moves (governance/kernel/readcache.py),
# at most this long; 0 computes every read.
READ_CACHE_SECONDS = env_int("READ_CACHE_SECONDS", 300)
# A file to which each transaction appending to the audit trail adds how long it waited for
# the chain head and how long it held it, in ms (benchmarks; empty: not measured).
AUDIT_HEAD_LOCK_LOG = env_str("AUDIT_HEAD_LOCK_LOG", "")

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "governance.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# A session ends after this long without a request, and this long after sign-in whatever
# happens (governance/kernel/accounts/sessions.py).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", SESSION_COOKIE_AGE)
AUTHENTICATION_BACKENDS = [
    # Refuses passwords when LOCAL_PASSWORD_LOGIN is off, except for break-glass accounts.
    "governance.kernel.accounts.backends.LocalPasswordBackend",
    "governance.kernel.accounts.sso.oidc.OidcBackend",
]
LOCAL_PASSWORD_LOGIN = env_bool("LOCAL_PASSWORD_LOGIN", True)
BREAK_GLASS_USERNAMES = env_list("BREAK_GLASS_USERNAMES")

# --- single sign-on (OpenID Connect, governance/kernel/accounts/sso/) ------------------------
# Set OIDC_ISSUER to turn it on; endpoints and keys come from the issuer's discovery document.
OIDC_ISSUER = env_str("OIDC_ISSUER").rstrip("/")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile groups")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_USE_PKCE = True
OIDC_TOKEN_USE_BASIC_AUTH = env_bool("OIDC_TOKEN_USE_BASIC_AUTH", True)
OIDC_STORE_ID_TOKEN = True  # the hint for logging out at the provider
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
OIDC_AUTHENTICATION_CALLBACK_URL = "sso-callback"
OIDC_CLOCK_SKEW_SECONDS = env_int("OIDC_CLOCK_SKEW_SECONDS", 60)
# Signing an approval after re-authenticating at the provider: the provider must have asked
# for the password again within this many seconds, and the proof is good for as long.
OIDC_STEP_UP_MAX_AGE = env_int("OIDC_STEP_UP_MAX_AGE", 300)
# How often the provider is asked whether each single-sign-on user is still active (their
# API tokens stop working when it says no).
OIDC_ACCOUNT_CHECK_SECONDS = env_int("OIDC_ACCOUNT_CHECK_SECONDS", 900)
# Roles that must use a second factor until an admin chooses otherwise on the sign-in page.
MFA_REQUIRED_ROLES_DEFAULT = env_list(
    "MFA_REQUIRED_ROLES", ["admin", "compliance_officer"] if PRODUCTION else []
)
MFA_ISSUER_NAME = env_str("MFA_ISSUER_NAME", "AI Governance Registry")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
API_TOKEN_LAST_USED_RESOLUTION_SECONDS = env_int("API_TOKEN_LAST_USED_RESOLUTION_SECONDS", 60)
# Failed logins per client address and user name before the login is refused for the window.
LOGIN_ATTEMPTS = env_int("LOGIN_ATTEMPTS", 10)
LOGIN_WINDOW_SECONDS = env_int("LOGIN_WINDOW_SECONDS", 300)
# Every API token expires; a client may ask for a shorter life, never a longer one.
API_TOKEN_MAX_LIFETIME_DAYS = env_int("API_TOKEN_MAX_LIFETIME_DAYS", 90)
# How many reverse proxies in front of the app append to X-Forwarded-For. 0: the socket
# address is the client (the header is ignored, as any client can send it).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Wrong approval passwords per user before approving is refused for the window.
APPROVAL_PASSWORD_ATTEMPTS = env_int("APPROVAL_PASSWORD_ATTEMPTS", 5)
APPROVAL_PASSWORD_WINDOW_SECONDS = env_int("APPROVAL_PASSWORD_WINDOW_SECONDS", 15 * 60)
# simple-history's "revert" writes rows past their services; history is for reading.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- internationalisation -------------------------------------------------------------------
# English, French and German (docs/LANGUAGES.md); translations in locale/<code>/LC_MESSAGES.
LANGUAGE_CODE = "en"
# Each language named in itself, so a reader finds their own whatever is active.
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English keeps the British date formats (governance/formats/en).
FORMAT_MODULE_PATH = ["governance.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# --- object storage -------------------------------------------------------------------------
# Blobs (artefacts, data files, report PDFs, check charts) and any other stored file live on
# local disk under BLOB_ROOT and MEDIA_ROOT by default. OBJECT_STORE_BUCKET moves them to an
# S3-compatible store, so web processes and workers share only PostgreSQL, Redis and the
# store: OBJECT_STORE_ENDPOINT_URL (empty: AWS), OBJECT_STORE_REGION, OBJECT_STORE_ACCESS_KEY_ID
# and OBJECT_STORE_SECRET_ACCESS_KEY (empty: boto3's own chain, e.g. an instance role),
# OBJECT_STORE_PREFIX (a folder inside the bucket), OBJECT_STORE_ADDRESSING (path or virtual).
# Workers keep a local copy of each blob they read under BLOB_CACHE_DIR (safe to empty),
# at most BLOB_CACHE_MAX_BYTES of them (the copies used least recently go first; 0: no cap);
# a copy used in the last BLOB_CACHE_MIN_AGE_SECONDS is kept even over the cap.
OBJECT_STORE_BUCKET = env_str("OBJECT_STORE_BUCKET")
OBJECT_STORE_ENDPOINT_URL = env_str("OBJECT_STORE_ENDPOINT_URL")
OBJECT_STORE_REGION = env_str("OBJECT_STORE_REGION", "us-east-1")
OBJECT_STORE_ACCESS_KEY_ID = env_str("OBJECT_STORE_ACCESS_KEY_ID")
OBJECT_STORE_SECRET_ACCESS_KEY = env_str("OBJECT_STORE_SECRET_ACCESS_KEY")
OBJECT_STORE_PREFIX = env_str("OBJECT_STORE_PREFIX").strip("/")
OBJECT_STORE_ADDRESSING = env_str(
    "OBJECT_STORE_ADDRESSING", "path" if OBJECT_STORE_ENDPOINT_URL else "virtual"
)
if OBJECT_STORE_ADDRESSING not in {"path", "virtual"}:
    raise ImproperlyConfigured("OBJECT_STORE_ADDRESSING must be path or virtual")
# Multipart uploads send parts of this size (S3 needs at least 5 MiB): the memory one
# upload holds at a time.
OBJECT_STORE_PART_BYTES = max(env_int("OBJECT_STORE_PART_BYTES", 8 * 1024 * 1024), 5 * 1024**2)
BLOB_CACHE_DIR = Path(env_str("BLOB_CACHE_DIR", str(VAR_DIR / "blob-cache")))
BLOB_CACHE_MAX_BYTES = env_int("BLOB_CACHE_MAX_BYTES", 20 * 1024**3)
BLOB_CACHE_MIN_AGE_SECONDS = env_int("BLOB_CACHE_MIN_AGE_SECONDS", 600)


def _s3_storage(folder: str) -> dict:
    location = "/".join(p for p in (OBJECT_STORE_PREFIX, folder) if p)
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": OBJECT_STORE_BUCKET,
            "endpoint_url": OBJECT_STORE_ENDPOINT_URL or None,
            "region_name": OBJECT_STORE_REGION or None,
            "access_key": OBJECT_STORE_ACCESS_KEY_ID or None,
            "secret_key": OBJECT_STORE_SECRET_ACCESS_KEY or None,
            "addressing_style": OBJECT_STORE_ADDRESSING,
            "signature_version": "s3v4",
            "location": location,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }


STORAGES = {
    "default": (
        _s3_storage("media")
        if OBJECT_STORE_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "blobs": (
        _s3_storage("blobs")
        if OBJECT_STORE_BUCKET
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(BLOB_ROOT)},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- uploads --------------------------------------------------------------------------------
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 2 * 1024**3)
# Bigger uploads stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "tmp")
# Model artefacts registered by URI are fetched by a worker under the webhooks' outbound rules
# (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOWED_NETWORKS), at most MAX_UPLOAD_BYTES, within this time.
ARTEFACT_FETCH_TIMEOUT_SECONDS = env_int("ARTEFACT_FETCH_TIMEOUT_SECONDS", 900)
# file:// artefact URIs are refused unless they lie under one of these directories (a volume
# the workers share with the training jobs); empty: local paths are not allowed.
ARTEFACT_LOCAL_ROOTS = env_list("ARTEFACT_LOCAL_ROOTS", [])
# s3://bucket/key is read path-style from this endpoint: {endpoint}/{bucket}/{key}.
ARTEFACT_S3_ENDPOINT = env_str("ARTEFACT_S3_ENDPOINT", "https://s3.amazonaws.com")
# Private buckets: the reads are signed (AWS Signature Version 4) with these keys, or with the
# credentials of a named profile of the AWS configuration files (ARTEFACT_S3_PROFILE, read from
# AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE). Neither set: unsigned reads, as above.
ARTEFACT_S3_ACCESS_KEY_ID = env_str("ARTEFACT_S3_ACCESS_KEY_ID")
ARTEFACT_S3_SECRET_ACCESS_KEY = env_str("ARTEFACT_S3_SECRET_ACCESS_KEY")
ARTEFACT_S3_SESSION_TOKEN = env_str("ARTEFACT_S3_SESSION_TOKEN")
ARTEFACT_S3_PROFILE = env_str("ARTEFACT_S3_PROFILE")
ARTEFACT_S3_REGION = env_str("ARTEFACT_S3_REGION", "us-east-1")
# mlflow://path names a file in this MLflow tracking server's proxied artifact store.
MLFLOW_TRACKING_URI = env_str("MLFLOW_TRACKING_URI", "")
# How often the registered models followed in MLflow are checked for new versions.
MLFLOW_SYNC_INTERVAL_SECONDS = env_int("MLFLOW_SYNC_INTERVAL_SECONDS", 300)
# The secret of the MLflow webhook that posts to /api/v1/mlflow/webhook/ (model_version.created
# queues a sync of the links following that model at once); empty: the endpoint refuses all.
MLFLOW_WEBHOOK_SECRET = env_str("MLFLOW_WEBHOOK_SECRET")
# Deliveries whose timestamp is further than this from the server's clock are refused.
MLFLOW_WEBHOOK_MAX_AGE_SECONDS = env_int("MLFLOW_WEBHOOK_MAX_AGE_SECONDS", 300)
# Data files up to this size are profiled and scanned before the upload answers; larger ones
# in a worker (the dataset version shows profile_status "pending" meanwhile).
PROFILE_INLINE_MAX_BYTES = env_int("PROFILE_INLINE_MAX_BYTES", 20 * 1024 * 1024)
# A version still "pending" this long after its profiling was queued, with no live job, is
# swept to "failed" with the reason (beat, every PROFILE_SWEEP_INTERVAL_SECONDS).
PROFILE_STALE_SECONDS = env_int("PROFILE_STALE_SECONDS", 600)
PROFILE_SWEEP_INTERVAL_SECONDS = env_int("PROFILE_SWEEP_INTERVAL_SECONDS", 60)
# A worker that dies mid-profile gets its task back (acks_late); a file that kills every
# worker that reads it (memory) must not loop forever, so the version fails after this many.
PROFILE_MAX_ATTEMPTS = env_int("PROFILE_MAX_ATTEMPTS", 2)
# Parquet pages can expand enormously; refuse files whose declared uncompressed size is above.
MAX_UNCOMPRESSED_DATA_BYTES = env_int("MAX_UNCOMPRESSED_DATA_BYTES", 4 * 1024**3)

# Trusted pickles are loaded in a child process with these limits (audits.checks.isolation).
TRUSTED_PICKLE_MEMORY_BYTES = env_int("TRUSTED_PICKLE_MEMORY_BYTES", 4 * 1024**3)
TRUSTED_PICKLE_CPU_SECONDS = env_int("TRUSTED_PICKLE_CPU_SECONDS", 900)
TRUSTED_PICKLE_TIMEOUT_SECONDS = env_int("TRUSTED_PICKLE_TIMEOUT_SECONDS", 900)

# --- security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.kernel.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "governance.kernel.api.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "governance.kernel.api.filters.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "governance.kernel.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "governance.kernel.api.throttling.AnonRateThrottle",
        "governance.kernel.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "3000/minute"),
        "login": env_str("API_THROTTLE_LOGIN", "10/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": ["governance.kernel.api.renderers.FastJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AI Governance Registry API",
    "DESCRIPTION": (
        "Register AI systems, model versions, datasets and lineage; classify under the EU AI "
        "Act; review with evidence-bound approvals; run checks; export reports. "
        "Authenticate with `Authorization: Bearer <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Served from our own static files: no CDN, and the CSP stays 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "role" or "status" field with different choices: name each set.
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "governance.kernel.accounts.models.Role.choices",
        "JobStatusEnum": "governance.kernel.jobs.models.JobStatus.choices",
        "ColumnRoleEnum": "registry.models.datasets.ColumnRole.choices",
        "PIIStatusEnum": "registry.models.datasets.PIIStatus.choices",
        "ProfileStatusEnum": "registry.models.datasets.ProfileStatus.choices",
        "VersionStatusEnum": "registry.models.models.VersionStatus.choices",
        "EdgeKindEnum": "registry.models.lineage.EdgeKind.choices",
        "ArtefactSourceEnum": "registry.models.models.ArtefactSource.choices",
        "ArtefactVerificationEnum": "registry.models.models.Verification.choices",
        "CheckKindEnum": "audits.runs.models.checks.CheckKind.choices",
        "RequirableCheckKindEnum": "audits.checks.vocabulary.REQUIRABLE_CHECK_KINDS",
        "PromptRoleEnum": "registry.models.prompts.PromptRole.choices",
        "ReportKindEnum": "audits.reporting.models.ReportKind.choices",
        "RaciRoleEnum": "governance.policy.raci.models.Raci.choices",
        "RiskStatusEnum": "governance.obligations.risks.models.RiskStatus.choices",
        "IncidentStatusEnum": "governance.obligations.incidents.models.IncidentStatus.choices",
        "EvidenceTypeEnum": "governance.obligations.risks.models.EvidenceType.choices",
    },
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
# The longest hard limit of any task; the Redis visibility timeout must exceed it or Redis
# re-delivers a task that is still running on another worker.
CELERY_HEAVY_SOFT_LIMIT = env_int("CELERY_HEAVY_SOFT_LIMIT", 1800)
CELERY_HEAVY_HARD_LIMIT = env_int("CELERY_HEAVY_HARD_LIMIT", 1900)
CELERY_LIGHT_SOFT_LIMIT = env_int("CELERY_LIGHT_SOFT_LIMIT", 120)
CELERY_LIGHT_HARD_LIMIT = env_int("CELERY_LIGHT_HARD_LIMIT", 150)
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_HEAVY_HARD_LIMIT * 2)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_HEAVY_HARD_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must exceed CELERY_HEAVY_HARD_LIMIT")
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX", "")
# Queued work whose message never reached the broker is sent again by beat at this interval;
# a message sent longer ago than the stale limit is presumed lost (Redis restarted empty).
JOB_REDISPATCH_INTERVAL_SECONDS = env_int("JOB_REDISPATCH_INTERVAL_SECONDS", 60)
# A row is left this long after commit before the sweeper treats it as never sent.
JOB_REDISPATCH_GRACE_SECONDS = env_int("JOB_REDISPATCH_GRACE_SECONDS", 30)
JOB_REDISPATCH_STALE_SECONDS = env_int(
    "JOB_REDISPATCH_STALE_SECONDS", max(2 * 3600, CELERY_VISIBILITY_TIMEOUT)
)

# --- e-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "governance@localhost")

# --- notifications and webhooks -------------------------------------------------------------
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_BACKOFF_SECONDS = env_int("WEBHOOK_BACKOFF_SECONDS", 30)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env_int("WEBHOOK_CONNECT_TIMEOUT_SECONDS", 5)
# A receiver's answer is read up to this many bytes and no further.
WEBHOOK_MAX_RESPONSE_BYTES = env_int("WEBHOOK_MAX_RESPONSE_BYTES", 64 * 1024)
# Plain http:// endpoints only for development.
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
# Addresses or networks (CIDR) a webhook may reach although they are internal, e.g. a chat
# server on the office network. Empty: only public addresses.
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", [])
# Approvals due for re-certification within this many days notify their people once.
APPROVAL_EXPIRY_WARNING_DAYS = env_int("APPROVAL_EXPIRY_WARNING_DAYS", 14)
# A review round should be decided within this many days of opening: later, the queue and
# the dashboard show it overdue.
REVIEW_DUE_DAYS = env_int("REVIEW_DUE_DAYS", 10)

# --- logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "governance.kernel.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # PDF rendering logs every layout step at INFO; only problems matter.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
