"""`manage.py prepare` on a terminal: a progress bar over the apps' steps, their lines above it."""

from __future__ import annotations

import os
import sys

import pexpect

from kulvex.testing import BASE_DIR


def test_prepare_shows_progress_on_a_terminal(tmp_path):
    env = {**os.environ, "KULVEX_MODELS_DIR": str(tmp_path / "models"), "COLUMNS": "100", "TERM": "xterm"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    child = pexpect.spawn(
        sys.executable, ["manage.py", "prepare"], cwd=str(BASE_DIR), env=env, encoding="utf-8", timeout=240
    )
    child.expect(r"preparing (chat|voice|terminal|kulvex)")  # the bar, while a step runs
    child.expect(r"assembled 100%")  # a fresh models directory: the model is assembled again
    child.expect("Everything is prepared.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert any(path.suffix == ".gguf" for path in (tmp_path / "models").iterdir())
