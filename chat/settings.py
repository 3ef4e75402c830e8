"""Settings of the chat app, read from the environment (see .env.example)."""

from kulvex.environment import env  # noqa: F401
