"""The LLM router: every model call of KULVEX goes through here."""


def engines() -> dict:
    return {}


def prepare(stdout, style) -> None:
    pass
