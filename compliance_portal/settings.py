"""Settings for the minor-safety compliance portal, read from the environment.

With no configuration the portal refuses to start (no SECRET_KEY) unless DEBUG=true; with
DEBUG=true it runs on SQLite and local files under var/. See .env.example for every variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from whitenoise.compress import Compressor

from compliance_portal.env import (
    env_bool,
    env_int,
    env_int_list,
    env_list,
    env_str,
    s3_storage,
    secret_key,
    site_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(debug=DEBUG)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public address used in links that leave the site: emails, PDF footers, QR codes.
SITE_URL = site_url(debug=DEBUG)

INSTALLED_APPS = [
    # First, so that its commands stand in for Django's changepassword and createsuperuser,
    # which would set a password with no trace (assessments/management/commands).
    "assessments",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "assessments.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "assessments.middleware.ControlCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "assessments.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "assessments.middleware.FriendlyErrorsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "compliance_portal.urls"
WSGI_APPLICATION = "compliance_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE makes each transaction take the write lock up front, so two concurrent
    # writers queue instead of failing half-way (the audit chain relies on it).
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# The shared cache (rate limits, drawn pieces of busy pages): Redis when REDIS_URL is set, so
# that limits hold across every web process and machine; otherwise local memory, per process.
REDIS_URL = env_str("REDIS_URL") or env_str("CACHE_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "assessments.User"
AUTHENTICATION_BACKENDS = [
    # Refuses passwords for an account under attack from browsers it does not know.
    "accounts.login_throttle.AccountThrottleBackend",
    "axes.backends.AxesStandaloneBackend",  # refuses logins while an account is locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Password guessing: 5 failures for one account from one address lock it for 15 minutes
# (django-axes; the same email in another case is the same account).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.login_throttle.axes_username"
# Across all addresses: past this many failures (in the same cool-off time), an account takes
# passwords only from browsers it knows (accounts/login_throttle.py).
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 20)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # shown read-only by assessments/admin.py: staff never erase them
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (our USERNAME_FIELD is email)
# An IPv6 client is counted (and shown in the login records) by its /64, which it may roam.
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_network"
OTP_TOTP_ISSUER = "Minor-safety portal"
# Reviewers, signatories and staff must use a second factor. Only the local demo turns it off.
REQUIRE_TWO_FACTOR = env_bool("REQUIRE_TWO_FACTOR", True)
CSRF_FAILURE_VIEW = "assessments.views.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Files: evidence and reports are private. They live in the default storage, which has no
# public URL: every download goes through a permission-checked view.
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    _default_storage = s3_storage(
        bucket=S3_BUCKET,
        endpoint_url=env_str("S3_ENDPOINT_URL"),
        region=env_str("S3_REGION"),
        access_key=env_str("S3_ACCESS_KEY_ID"),
        secret_key=env_str("S3_SECRET_ACCESS_KEY"),
    )
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "files"), "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Source maps (14 MB of the API docs' and admin's scripts) are read by a developer's browser
# tools alone: compressing them twice over took half of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))

EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
# The largest request body any page accepts (a section with several files); pages that take
# less declare it (assessments.middleware.max_body_bytes). Larger bodies get a 413 unread.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 5 * EVIDENCE_MAX_BYTES + 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
ATTESTATION_VALID_DAYS = env_int("ATTESTATION_VALID_DAYS", 365)

# Audits the platform starts (platform_audits.platform_requests): reminders go out this many days
# before a request is due; an organization above this many confirmed violations per 10,000
# requests in its latest month is shown as high on the queue and found by campaigns.
REQUEST_REMINDER_DAYS = sorted(set(env_int_list("REQUEST_REMINDER_DAYS", [14, 3])), reverse=True)
VIOLATION_RATE_THRESHOLD = env_int("VIOLATION_RATE_THRESHOLD", 5)
REQUEST_INVITATION_DAYS = env_int("REQUEST_INVITATION_DAYS", 60)

# The REST API: tokens only (no sessions, so no CSRF to forget), one error shape, limits per
# token in the shared cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["integrations.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.api.authentication.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env_str("API_RATE", "300/min")},
    "DEFAULT_PAGINATION_CLASS": "integrations.api.pagination.Pages",
    "EXCEPTION_HANDLER": "integrations.api.errors.handle",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Webhook endpoints must be public addresses; a closed network (or a test receiver on
# 127.0.0.1) needs this on.
OUTBOUND_ALLOW_PRIVATE = env_bool("OUTBOUND_ALLOW_PRIVATE", False)
# Read the public pages behind claims (statement, AI disclosure, terms) at submission and daily.
PUBLIC_CLAIMS_CHECKED = env_bool("PUBLIC_CLAIMS_CHECKED", True)
# Whether the public verification page says "public claim under re-check" while one is flagged.
PUBLIC_CLAIM_FLAGS_SHOWN = env_bool("PUBLIC_CLAIM_FLAGS_SHOWN", False)

SPECTACULAR_SETTINGS = {
    "TITLE": "Minor-safety compliance portal API",
    "DESCRIPTION": "Questionnaires, assessments, answers, evidence, the laws an assessment "
    "answers, attestations, the review, and the platform's requests and campaigns; signing is "
    "not in the API (a person signs, with a second factor). Authenticate with "
    "`Authorization: Bearer <token>` (organization administrators make tokens on their "
    "organization's API tokens page; reviewers on theirs).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The bearer scheme comes from the authentication class (TokenScheme): listed once.
}
# The platform's report-signing keys: files, never the database (attestations/signing_keys.py).
SIGNING_KEYS_DIR = Path(env_str("SIGNING_KEYS_DIR", str(VAR_DIR / "keys")))
# The platform root that certifies every signing key (attestations/platform_root.py); its
# private key may be kept offline once the key set is signed.
SIGNING_ROOT_DIR = env_str("SIGNING_ROOT_DIR")
SIGNING_KEY_NAME = env_str("SIGNING_KEY_NAME", "Minor-safety compliance portal")
# The key of the audit events' MACs, never kept in the database: from here, or else a file
# beside the signing keys (SIGNING_KEYS_DIR/audit-mac.secret, made on first use).
AUDIT_MAC_KEY = env_str("AUDIT_MAC_KEY", "")
# An RFC 3161 timestamp authority for report signatures; without it the signing time is ours.
SIGNING_TIMESTAMP_URL = env_str("SIGNING_TIMESTAMP_URL")
# The timestamp authority's root certificates (PEM), to check its stamps on audit checkpoints.
SIGNING_TIMESTAMP_ROOTS = env_str("SIGNING_TIMESTAMP_ROOTS")

# Email: console in development, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Minor-safety portal <portal@localhost>")
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background tasks: run inline unless a worker queue is configured (docker-compose sets it).
# A report whose rendering started this long ago without finishing, and that is no longer
# queued, was lost with its worker; retry_stuck_reports queues it again.
REPORT_STUCK_AFTER_SECONDS = env_int("REPORT_STUCK_AFTER_SECONDS", 900)
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. The CSP allows scripts only from our own static files (plus a per-request nonce).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The container's own health check asks over plain HTTP from inside (bin/healthcheck).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
# Opt-in: both bind every subdomain of the portal's domain to HTTPS for a long time, which
# is the domain owner's decision, not the portal's (check --deploy's reminders are silenced
# until the operator decides).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    check
    for check, chosen in (
        ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W021", SECURE_HSTS_PRELOAD),
    )
    if not chosen
]
# Addresses (or networks) of the proxies in front of the portal: only from them is
# X-Forwarded-For believed, for lockouts, rate limits and the audit trail.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "compliance_portal.log_filters.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print every line of Django's loggers (task
        # runs, refused requests) a second time beside the root's.
        "django": {"handlers": [], "level": "INFO"},
        # One line per task run and four per log-in drown what matters: failures still show.
        "django.tasks": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")},
        "django_tasks_db": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        # Its validator logs every untrusted certificate it meets; our checks say what matters.
        "pyhanko_certvalidator": {"level": "ERROR"},
        "pyhanko": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}
