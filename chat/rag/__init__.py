"""Retrieval over the user's documents."""


def engines() -> dict:
    return {}


def prepare(stdout, style) -> None:
    pass
