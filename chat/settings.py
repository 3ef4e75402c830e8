"""Settings of the chat app, read from the environment (see .env.example)."""

from kulvex.environment import env  # noqa: F401

from .rag.settings import *  # noqa: E402,F403
