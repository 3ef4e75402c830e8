"""The environment every settings module reads: `.env` loaded once, paths resolved."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DATA_DIR = Path(env.str("KULVEX_DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)
# Prepared models (the assembled GGUF, extra vosk models) live apart from the data so that
# several data directories (tests, staging) share one copy.
MODELS_DIR = Path(env.str("KULVEX_MODELS_DIR", default=str(BASE_DIR / "var" / "models")))
