"""KULVEX settings, read from the environment and an optional `.env` file.

Every setting has a default that serves one machine with nothing else installed.
`.env.example` documents each variable.
"""

from datetime import timedelta

from .environment import BASE_DIR, DATA_DIR, MODELS_DIR, env  # noqa: F401

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # A per-installation key, generated once and kept beside the data.
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        from django.core.management.utils import get_random_secret_key

        _key_file.write_text(get_random_secret_key())
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

DEBUG = env.bool("DEBUG", default=False)
HOST = env.str("KULVEX_HOST", default="127.0.0.1")
PORT = env.int("KULVEX_PORT", default=9100)
WORKERS = env.int("KULVEX_WORKERS", default=1)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Browser origins allowed to open a Socket.IO connection. Empty: the server's own origin only.
ALLOWED_ORIGINS = env.list("ALLOWED_ORIGINS", default=[])
CSRF_TRUSTED_ORIGINS = ALLOWED_ORIGINS

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "kulvex",
    "chat",
    "voice",
    "terminal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kulvex.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the server, manage.py commands and tests share the file without lock errors.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

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

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# The dashboard's browser libraries, served from node_modules (installed by `npm ci`) under vendor/.
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/socket.io", _NODE / "socket.io-client" / "dist"),
    ("vendor/xterm", _NODE / "@xterm" / "xterm" / "lib"),
    ("vendor/xterm-css", _NODE / "@xterm" / "xterm" / "css"),
    ("vendor/xterm-addon-fit", _NODE / "@xterm" / "addon-fit" / "lib"),
    ("vendor/marked", _NODE / "marked" / "lib"),
    ("vendor/dompurify", _NODE / "dompurify" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the apps, so no collectstatic step can be forgotten.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KULVEX API",
    "DESCRIPTION": "REST API of the KULVEX assistant server. Real-time features use Socket.IO.",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "UPDATE_LAST_LOGIN": True,
}

# Socket.IO
REDIS_URL = env.str("REDIS_URL", default="")
# Hard cap of one Engine.IO message; per-event limits below are checked first and answered
# with an error, so a client only meets this cap when it sends something absurd.
SOCKETIO_MAX_MESSAGE_BYTES = env.int("SOCKETIO_MAX_MESSAGE_BYTES", default=16 * 1024 * 1024)
# Per-event payload limits in bytes of JSON; "*" applies to events not listed.
SOCKETIO_EVENT_LIMITS = {
    "*": env.int("EVENT_MAX_BYTES", default=64 * 1024),
    "chat:send": env.int("CHAT_SEND_MAX_BYTES", default=512 * 1024),
    "voice:audio_chunk": env.int("VOICE_CHUNK_MAX_BYTES", default=256 * 1024),
    "terminal:data": env.int("TERMINAL_INPUT_MAX_BYTES", default=64 * 1024),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The consumers mounted on the Socket.IO server, one per app.
SOCKETIO_CONSUMERS = env.list(
    "SOCKETIO_CONSUMERS",
    default=[
        "kulvex.consumers.SessionConsumer",
        "chat.consumers.ChatConsumer",
        "voice.consumers.VoiceConsumer",
        "terminal.consumers.TerminalConsumer",
    ],
)

# Each app declares its own settings from the environment.
from chat.settings import *  # noqa: E402,F403
from terminal.settings import *  # noqa: E402,F403
from voice.settings import *  # noqa: E402,F403
