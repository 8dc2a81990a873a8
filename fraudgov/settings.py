"""Settings, all read from the environment.

Two shapes share this file:
- the embedded default (nothing configured): SQLite, the in-memory channel layer and Celery
  tasks run in-process, so ``./run`` works on a laptop with no servers;
- ``DATABASE_URL`` and ``REDIS_URL`` set: PostgreSQL, channels-redis and a real Celery broker.
``DJANGO_ENV=production`` adds the deploy hardening and requires ``SECRET_KEY``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from fraudgov.channel_layers import redis_channel_layer

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
PRODUCTION = env("DJANGO_ENV", default="development") == "production"

if PRODUCTION:
    SECRET_KEY = env("SECRET_KEY")  # no default: a production start without it must fail
    DEBUG = False
else:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    DEBUG = env.bool("DEBUG", default=True)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.admin_site.SuperuserAdminConfig",  # Django admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_htmx",
    "csp",
    "django_celery_beat",
    "channels",
    "core",
    "agencies",
    "cases",
    "alerts",
    "events",
    "propaganda",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Every page's URL names its policy action (core.policy_routes); checked here, once.
    "core.policy_gate.PolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' own rule).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fraudgov.urls"
WSGI_APPLICATION = "fraudgov.wsgi.application"
ASGI_APPLICATION = "fraudgov.asgi.application"

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
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------
# An empty DATABASE_URL (``DATABASE_URL=`` in a shell or an env file) means none, as ./run reads it.
DATABASES = {
    "default": env.db_url_config(env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DB_NAME", default="test_fraudgov")}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Persistent connections: each gunicorn thread and each Celery worker process keeps its
    # own, checked before reuse after a request that ended with an error.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default: SQLite's write-ahead log with synchronous=NORMAL syncs the disk at
    # checkpoints, not at every commit (seed_demo: 33 s, two thirds of it waiting on the disk,
    # without it), and readers no longer wait for a writer. IMMEDIATE transactions take the write
    # lock at BEGIN, so the server's threads and the in-process tasks queue for it instead of
    # failing with "database is locked" when a read transaction turns into a write.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Two PostgreSQL roles (core/dbroles.py): the application connects as DATABASE_URL's role, which
# may only INSERT and SELECT on the audit log; ``migrate`` connects as the owner of the schema,
# DATABASE_OWNER_URL (its user, password, host and port; the database stays DATABASE_URL's), and
# afterwards grants the app role DATABASE_APP_ROLE (default: DATABASE_URL's user) what it needs.
DATABASE_OWNER = env.db("DATABASE_OWNER_URL") if env("DATABASE_OWNER_URL", default="") else None
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default=DATABASES["default"]["USER"] if DATABASE_OWNER else "")

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL)}
    # django-redis rather than Django's RedisCache for one switch: IGNORE_EXCEPTIONS. The cache
    # only spares work (dashboard figures, API throttles), so while Redis is down a read is a
    # miss and a write is skipped (and logged): pages compute instead of answering 500.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "LOG_IGNORED_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # embedded default: tasks run in-process
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only after it ran, so a worker killed mid-task hands it back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Not 1: with the Redis transport and late acks a worker that may reserve only one message
# per process waits for its next poll (up to a second) after every ack, which held delivery
# to a few tasks per second (bench/bench_requests.py). Reserved messages are unacked, so a
# worker that dies hands them back like a running one; the outbox sweep re-sends sooner.
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=8)
# A connect to an unreachable broker gives up after 2 s (a POST's wake-up must not hang on it).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600, "socket_connect_timeout": 2}
# Celery's Django fixup closes every database connection before and after each task unless
# this is set: each task then paid a new PostgreSQL backend and cold catalog caches (the
# largest share of a delivery's time). Keep them; fraudgov/celery.py still drops a
# connection that broke or outlived CONN_MAX_AGE after each task.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# A Redis restart must not end the worker: retry the broker connection forever, at start-up
# too (the worker is also started with --without-gossip/mingle/heartbeat, whose reconnect path
# killed it with "Unrecoverable error: AttributeError(... 'hostname')", celery/kombu#582, and
# runs under a supervisor that restarts it: compose's restart policy, ./run's loop).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks still running when the connection drops are given back (they are acked late anyway).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# A web process publishing while Redis is down gives up after a short try: the outbox row is
# committed and the beat sweep wakes a worker once Redis is back (alerts.delivery).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TIMEZONE = "Asia/Shanghai"
# In a burst (a worker process delivered this many requests in the last second), a woken
# delivery task waits this long for more before its first batch (alerts.delivery.delivery_woken):
# fuller batches, for at most that much more time from POST to the bank's inbox.
DELIVERY_LINGER_SECONDS = env.float("DELIVERY_LINGER_SECONDS", default=0.02)
DELIVERY_LINGER_ABOVE_PER_SECOND = env.int("DELIVERY_LINGER_ABOVE_PER_SECOND", default=40)
# The audit sealer (core.tasks.seal_audit_log) leaves entries this much younger than the oldest
# open transaction to its next run: room for the clocks of the application hosts and the database.
AUDIT_SEAL_MARGIN_SECONDS = env.int("AUDIT_SEAL_MARGIN_SECONDS", default=5)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {}  # apps add their periodic tasks in their AppConfig.ready()

# --- Auth --------------------------------------------------------------------------------
AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agencies.backends.AgencyModelBackend",  # Django's ModelBackend, the agency read with the user
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row, nobody anonymous sees anything

# Sessions idle out: every request renews the cookie, silence for SESSION_IDLE_SECONDS ends it.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The client's address: REMOTE_ADDR, or, when that peer is one of these proxies (addresses or
# networks, e.g. "10.0.0.0/8,127.0.0.1"), the first address in X-Forwarded-For to the right of
# them (core.addresses). Empty: no proxy is trusted and the header is ignored.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_CLIENT_IP_CALLABLE = "core.addresses.client_ip"
# The lock-out counts failures per account, wherever they come from: addresses, forged or real
# (a botnet), do not buy new attempts, and colleagues behind one gateway do not share a counter.
# An address key would lock a whole bank branch (same gateway, same managed browser, so adding
# the User-Agent does not separate them, while an attacker varies it freely) after a few
# colleagues' typos. One client trying many accounts is slowed per trusted address instead
# (LOGIN_RATE_PER_ADDRESS, core.throttling), which refuses attempts but locks nobody out.
# The price of a per-account key: anyone who knows a user name can lock that account for
# AXES_COOLOFF_TIME; its agency admin or a superuser can unlock it (`axes_reset_username`).
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for "ip_address" among the parameters, against configurations that key on
# what a client chooses (User-Agent, cookies). The username is not chosen per attempt, and the
# address is covered by the login budget above: an address key would bring the gateway
# lock-outs back.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
LOGIN_RATE_PER_ADDRESS = env("LOGIN_RATE_PER_ADDRESS", default="60/min")
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# An API token is refused (401) this long after it was issued; the token endpoint then issues a
# new one. Revoked at once by POST /api/v1/auth/token/revoke/, a password change or disabling.
API_TOKEN_TTL_HOURS = env.float("API_TOKEN_TTL_HOURS", default=24 * 30)
# How long an API call's token (with its user and agency) is kept in the cache; every product
# path that changes them drops it at once (core.api.authentication).
API_TOKEN_CACHE_SECONDS = env.int("API_TOKEN_CACHE_SECONDS", default=60)
# A socket re-reads its session or token and user at least this often while it forwards events
# (a change also sends it a hint at once: events.services.user_sockets_check).
WS_CREDENTIALS_RECHECK_SECONDS = env.float("WS_CREDENTIALS_RECHECK_SECONDS", default=10)

DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-pass-2024")
# Check every event payload against its declared shape when it is emitted (events.schemas).
EVENTS_CHECK_PAYLOADS = env.bool("EVENTS_CHECK_PAYLOADS", default=DEBUG)

# --- I18n --------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# Scripts and styles come only from our own /static/: no inline <script>, no on*= handlers and
# no style attributes in the templates (page behaviours are static/js/behaviours.js). Swagger UI
# at /api/docs/ loads its init script as a file too (SpectacularSwaggerSplitView). 'self' covers
# the page's own WebSocket (ws/wss to the same host) in connect-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap's and Swagger UI's icons are data: SVGs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# The language switch's cookie: only sent over HTTPS in production, never read by scripts.
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media --------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploads: random stored names, served only through views that check the viewer (core.storage).
    "default": {"BACKEND": "core.storage.UnguessableNameStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"  # never served: uploads go out through views that check the viewer
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Bodies other than file uploads (JSON, form fields): Django's default, stated; the API's JSON
# parser enforces it too (core/api/parsers.py). A whole multipart body (a 10 MB freeze PDF and
# its fields) may reach UPLOAD_MAX_BODY_SIZE.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
UPLOAD_MAX_BODY_SIZE = env.int("UPLOAD_MAX_BODY_SIZE", default=12 * 1024 * 1024)

# --- API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Authenticated, and the URL's policy action allowed to the caller (core.policy_routes).
    "DEFAULT_PERMISSION_CLASSES": ["core.policy_gate.PolicyPermission"],
    # One error body for every API error: {"detail", "code", "errors"?} (core/api/exceptions.py).
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "core.api.parsers.BoundedMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fraudgov API",
    "DESCRIPTION": "Joint anti-fraud platform: cases, inter-agency requests, live events.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The one error body of core/api/exceptions.py on every operation (after the enum hook).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.schema.add_error_responses"],
    # Several models have a "kind" or "role" field with different choices; name each enum so
    # the schema is stable (and check --deploy stays free of drf-spectacular warnings).
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "agencies.choices.AgencyKind",
        "RoutingKeyKindEnum": "agencies.choices.RoutingKeyKind",
        "RoutingKeyStatusEnum": "agencies.choices.RoutingKeyStatus",
        "UserRoleEnum": "agencies.choices.Role",
        "IndicatorKindEnum": "cases.choices.IndicatorKind",
        "IndicatorRoleEnum": "cases.choices.IndicatorRole",
        "RequestKindEnum": "alerts.choices.RequestKind",
        "TargetKindEnum": "alerts.choices.TargetKind",
        "CaseStatusEnum": "cases.choices.CaseStatus",
        "RequestStatusEnum": "alerts.choices.RequestStatus",
        "ProposalStatusEnum": "alerts.choices.ProposalStatus",
        "PublicityChannelEnum": "propaganda.choices.Channel",
        "PaymentChannelEnum": "cases.choices.PaymentChannel",
        "TargetGroupEnum": "propaganda.choices.TargetGroup",
    },
}

# --- Logging -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": "core.log_filters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Through the root handler only: Django's default "django" handlers (a console one when
        # DEBUG, and mail_admins, idle without ADMINS) printed every line twice in development.
        # Configuring ADMINS for error mail means adding an AdminEmailHandler here.
        "django": {"handlers": [], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["refusal_without_traceback"]},
    },
}

# --- Production hardening (manage.py check --deploy passes with no warnings) -------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health checks (compose, load balancers) call the app directly, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
