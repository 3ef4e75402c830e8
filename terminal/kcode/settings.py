"""Settings of kcode, the coding-assistant REPL, read from the environment (see .env.example)."""

from pathlib import Path

from kulvex.environment import DATA_DIR, env

# Whether write_file and run_shell run: "ask" the user each time, "auto" (always) or "deny" (never).
KCODE_PERMISSION = env.str("KCODE_PERMISSION", default="ask")
# The task type whose route answers, unless --task-type or /model says otherwise.
KCODE_TASK_TYPE = env.str("KCODE_TASK_TYPE", default="code")
# Tool calls the model may make for one question before kcode stops the loop.
KCODE_MAX_STEPS = env.int("KCODE_MAX_STEPS", default=8)
# Largest file that /read, read_file and grep look at.
KCODE_FILE_MAX_BYTES = env.int("KCODE_FILE_MAX_BYTES", default=64 * 1024)
# A shell command still running after this many seconds is killed.
KCODE_SHELL_TIMEOUT = env.float("KCODE_SHELL_TIMEOUT", default=60.0)
# Per-user prompt history files live here.
KCODE_HISTORY_DIR = Path(env.str("KCODE_HISTORY_DIR", default=str(DATA_DIR / "kcode")))
