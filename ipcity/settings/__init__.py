"""ipcity settings, read from the environment and from a `.env` file.

Nothing set gives the embedded default: SQLite under ./var and Celery tasks executed in-process, so a
new user needs nothing but Python. DATABASE_URL and REDIS_URL switch to PostgreSQL and a real broker.
SITE_URL says how people reach ipcity: http:// (an intranet without TLS) or https:// (behind an HTTPS
proxy: Secure cookies, SECURE_PROXY_SSL_HEADER, HSTS, SSL redirect). IPCITY_PRODUCTION=1 refuses DEBUG,
a missing or placeholder secret key and the demo data.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# .env (or the file IPCITY_ENV_FILE names; empty = none) is read with python-dotenv: it only fills
# os.environ and never overrides a variable the process already has, so the typed readers below stay the
# one place a value is parsed, and an explicit environment (systemd, compose, a test) always wins.
ENV_FILE = os.environ.get("IPCITY_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    if "IPCITY_ENV_FILE" in os.environ and not Path(ENV_FILE).is_file():
        raise ImproperlyConfigured(f"IPCITY_ENV_FILE={ENV_FILE!r} is not a file.")
    load_dotenv(ENV_FILE, override=False)

# Relative paths are relative to the checkout, whatever directory a command runs from.
VAR_DIR = BASE_DIR / os.environ.get("IPCITY_VAR_DIR", "var")


def envbool(name: str, default: str) -> bool:
    """A bad boolean raises instead of guessing (healthchecks' envbool)."""
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def envint(name: str, default: int) -> int:
    """A bad number names the variable instead of failing with a bare ValueError."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key_problem(key: str) -> str | None:
    """Why a key is not fit for production (the rule of `check --deploy` W009, plus the placeholder)."""
    if "change-me" in key.lower():
        return "is the placeholder from .env.example"
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure"):
        return "must be at least 50 random characters"
    return None


def _local_secret_key() -> str:
    """The embedded default keeps a random key in var/secret_key (made once, readable by its owner only),
    so a ./bin/start listening on the network never signs sessions with a key published in the code."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"secret_key.{os.getpid()}")
        tmp.write_text(secrets.token_urlsafe(50))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic: two processes starting at once agree on one key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


PRODUCTION = envbool("IPCITY_PRODUCTION", "0")
# Off unless a developer asks for it: DEBUG=1 shows tracebacks and settings to whoever sees an error.
DEBUG = envbool("DEBUG", "0")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("IPCITY_PRODUCTION=1 refuses DEBUG=1.")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "IPCITY_PRODUCTION=1 needs SECRET_KEY "
            "(make one: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if problem := secret_key_problem(SECRET_KEY):
        raise ImproperlyConfigured(f"IPCITY_PRODUCTION=1 needs SECRET_KEY: the one set {problem}.")
elif not SECRET_KEY:
    SECRET_KEY = _local_secret_key()

# Where people open ipcity: the links in notification e-mails are absolute, its host is always allowed,
# and its scheme chooses plain HTTP or HTTPS-behind-a-proxy (below).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname:
    raise ImproperlyConfigured(f"SITE_URL must look like http://host[:port] or https://host, got {SITE_URL!r}")
HTTPS = _site.scheme == "https"

ALLOWED_HOSTS = list(dict.fromkeys([*envlist("ALLOWED_HOSTS", "127.0.0.1,localhost"), _site.hostname]))
CSRF_TRUSTED_ORIGINS = list(dict.fromkeys([*envlist("CSRF_TRUSTED_ORIGINS"), f"{_site.scheme}://{_site.netloc}"]))

# HTTPS behind a proxy (nginx terminates TLS and sets X-Forwarded-Proto; ipcity listens on 127.0.0.1 only,
# so nobody can send that header but the proxy). Plain HTTP keeps cookies usable without TLS: every login
# would otherwise fail with "CSRF verification failed"; ops.deployment warns about it instead.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")

INSTALLED_APPS = [
    # First, so its createsuperuser (which gives the new superuser its 系统管理员 profile) wins over Django's.
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from this site (no CDN)
    "csp",
    "simple_history",
    "django_celery_beat",
    "axes",
    "plans",
    "indicators",
    "figures",
    "tasks",
    "notifications",
    "dashboards",
    "reports",
    "ops",
    "onboarding",
]

# The 新建方案 review page posts one row of fields per proposal (a plan of 60 indicators and 80 tasks runs to
# about 2,000 fields); the default 1,000 would refuse it. Still bounded against a flood of fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ipcity.middleware.DomainErrorMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "accounts.middleware.FirstPasswordMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ipcity.urls"

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
                "ops.context_processors.demo_banner",
                "ops.context_processors.deployment_banner",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "ipcity.wsgi.application"

# Embedded default: SQLite in ./var; DATABASE_URL (postgres://...) switches to PostgreSQL via psycopg 3.
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'ipcity.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 60),
        # A persistent connection is checked before a request reuses it, so a database restart costs no
        # request a 500; a page that cannot reach the database answers the 503 page (ipcity.views.server_error).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A stopped server answers at once; an unreachable one must not hold a web worker for minutes.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DATABASE_CONNECT_TIMEOUT", 5)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# plotly.js comes from the installed plotly package as vendor/plotly.min.js (no CDN on the intranet).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dashboards.finders.PlotlyFinder",
]
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = BASE_DIR / os.environ.get("MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "media/"
# Task evidence files (PDF/Office/images) are stored under MEDIA_ROOT and only ever served by a
# permission-checked download view; this caps each file.
TASK_EVIDENCE_MAX_BYTES = envint("TASK_EVIDENCE_MAX_MB", 10) * 1024 * 1024
# 督办: working days a department has to acknowledge (签收) an item before it escalates as 未签收, and how
# many working days before a due date an item turns yellow (临期).
SUPERVISION_ACKNOWLEDGE_WORKING_DAYS = envint("SUPERVISION_ACKNOWLEDGE_WORKING_DAYS", 2)
SUPERVISION_DUE_SOON_WORKING_DAYS = envint("SUPERVISION_DUE_SOON_WORKING_DAYS", 3)
# Exported workbooks (quarterly reports, comparisons) are kept this long, then deleted nightly.
REPORT_EXPORT_TTL_HOURS = envint("REPORT_EXPORT_TTL_HOURS", 24)
# Uploaded figure workbooks' bytes are kept this long (for the preview and confirmation), then deleted
# nightly; the record of each import stays.
FIGURE_IMPORT_TTL_DAYS = envint("FIGURE_IMPORT_TTL_DAYS", 30)
# Every stored file (task evidence, exported workbooks) goes through Django's storage API, so several web
# and worker machines share them through one volume mounted as MEDIA_ROOT on each, or through another
# backend: STORAGE_BACKEND (a dotted class, e.g. django-storages' storages.backends.s3.S3Storage for any
# S3-compatible store) with STORAGE_OPTIONS (a JSON object of its options).
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "").strip() or "django.core.files.storage.FileSystemStorage"
try:
    STORAGE_OPTIONS = json.loads(os.environ.get("STORAGE_OPTIONS", "").strip() or "{}")
except json.JSONDecodeError as error:
    raise ImproperlyConfigured(f"STORAGE_OPTIONS must be a JSON object: {error}") from None
if not isinstance(STORAGE_OPTIONS, dict):
    raise ImproperlyConfigured(f"STORAGE_OPTIONS must be a JSON object, got {type(STORAGE_OPTIONS).__name__}")
STORAGES = {
    "default": {"BACKEND": STORAGE_BACKEND, "OPTIONS": STORAGE_OPTIONS},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Accounts: throttled logins, idle sessions, the audit log ------------------------------------------
# django-axes counts failed logins per username and address; after AXES_FAILURE_LIMIT failures that pair
# is locked out (the Chinese page of accounts.views.locked_out) until the cool-off ends or an
# administrator unlocks the account on the users page. https://django-axes.readthedocs.io/en/latest/4_configuration.html
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# A session unused this long ends (accounts.middleware.IdleSessionMiddleware); the stamp it keeps is
# rewritten at most once a minute so ordinary pages add no session write.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 30)
# Login, password and user-administration events are kept this long, then deleted nightly.
AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", 365)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Named tokens a user creates on /accounts/tokens/ (stored hashed), then tokens made in the shell.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["ipcity.filters.StrictFilterBackend"],
    # Request bodies are JSON; only a task update's evidence file comes as multipart (tasks.api.views).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "ipcity.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "ipcity.schema.ErrorAwareAutoSchema",
    "EXCEPTION_HANDLER": "ipcity.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ipcity API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/v1/docs/: Swagger UI from drf-spectacular-sidecar, its start script a file of its own (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Request bodies get their own components: what a client sends (required, writable) is not what it reads.
    "COMPONENT_SPLIT_REQUEST": True,
}

# Every page's Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only,
# no inline script (data for scripts travels in json_script blocks). Plotly and Swagger UI set element
# styles as they draw, so styles may be inline; images may be data: URLs (Swagger UI's icons). A response
# that sets its own policy keeps it (an evidence download: default-src 'none'; sandbox).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # the chart toolbar draws its PNG from a blob in the browser
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Celery: REDIS_URL switches to a real broker and worker; without it tasks run in-process (eager).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Every task is idempotent (recomputes upsert, exports and e-mails are claimed by a conditional UPDATE), so
# a message is acknowledged only once its task has finished and goes back to the queue when the worker
# running it dies; a worker holds one message beyond those it runs, so a killed worker strands no
# prefetched recomputes. https://docs.celeryq.dev/en/stable/userguide/tasks.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged message after the visibility timeout: it must exceed the longest job
# (the nightly recompute, 30 min) and the longest retry countdown (5 min), or a running job would be
# delivered twice. A message lost meanwhile costs nothing: the database marks are swept every minute.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# A user's action never waits on a stopped broker: a send is tried once, with short timeouts, and a
# failure is left to the periodic sweeps (ipcity.celery.enqueue).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for the broker to come back, forever
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_REDIS_RETRY_ON_TIMEOUT = False
CELERY_RESULT_EXPIRES = 3600
# An export's build is killed past this many seconds; a job running longer lost its worker and is retried.
REPORT_EXPORT_TIME_LIMIT = envint("REPORT_EXPORT_TIME_LIMIT", 120)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "nightly-progress-recompute": {
        "task": "indicators.tasks.progress_recompute_all_task",
        "schedule": crontab(hour=1, minute=30),
    },
    # After the nightly recompute, so lag flags raised overnight are supervised the same morning.
    "daily-deadline-reminders": {
        "task": "tasks.tasks.deadline_reminders_task",
        "schedule": crontab(hour=7, minute=30),
    },
    "nightly-audit-expiry": {
        "task": "accounts.tasks.audit_expire_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # The sweeps: what a lost message, a dead worker or a stopped broker left undone, within a minute.
    "progress-recompute-sweep": {
        "task": "indicators.tasks.progress_recompute_dirty_task",
        "schedule": crontab(),
    },
    "export-jobs-recover": {
        "task": "reports.tasks.export_jobs_recover_task",
        "schedule": crontab(),
    },
    "nightly-export-cleanup": {
        "task": "reports.tasks.export_files_expire_task",
        "schedule": crontab(hour=3, minute=0),
    },
    "nightly-import-file-cleanup": {
        "task": "figures.tasks.import_files_expire_task",
        "schedule": crontab(hour=3, minute=15),
    },
}

# E-mail: EMAIL_HOST switches to SMTP; without it mail goes to the console (ops.deployment warns in production).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "0")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ipcity@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The same error repeated (a database or broker outage) is written once, then once a minute with a count.
    "filters": {"repeats_once": {"()": "ipcity.logs.RepeatFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["repeats_once"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
