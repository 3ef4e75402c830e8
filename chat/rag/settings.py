"""Retrieval settings, read from the environment."""

from kulvex.environment import env  # noqa: F401
