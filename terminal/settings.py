"""Settings of the terminal app, read from the environment (see .env.example)."""

from kulvex.environment import env

# The shell of mode "shell", split like a command line. It runs as a login shell in a clean
# login-like environment (HOME, USER, SHELL, PATH, LANG, TERM=xterm-256color).
TERMINAL_SHELL = env.str("TERMINAL_SHELL", default="bash --login")
# Working directory of new sessions; empty: the home directory of the server's user.
TERMINAL_CWD = env.str("TERMINAL_CWD", default="")
# The command of mode "kcode"; empty: `<python> manage.py kcode` once that command exists.
TERMINAL_KCODE_COMMAND = env.str("TERMINAL_KCODE_COMMAND", default="")

# Lifetimes, in seconds. A disconnected shell waits this long for terminal:attach.
TERMINAL_GRACE_SECONDS = env.float("TERMINAL_GRACE_SECONDS", default=5.0)
# A session with no input and no output for this long is ended.
TERMINAL_IDLE_SECONDS = env.float("TERMINAL_IDLE_SECONDS", default=1800.0)
# Code sessions (mode kcode) survive disconnects and end after this long without activity.
TERMINAL_CODE_IDLE_SECONDS = env.float("TERMINAL_CODE_IDLE_SECONDS", default=4 * 3600.0)
# Ending a session sends SIGHUP to its processes, then SIGKILL to those still alive after this.
TERMINAL_KILL_TIMEOUT = env.float("TERMINAL_KILL_TIMEOUT", default=2.0)

# Limits.
TERMINAL_MAX_SESSIONS_PER_USER = env.int("TERMINAL_MAX_SESSIONS_PER_USER", default=8)
TERMINAL_MAX_COLS = env.int("TERMINAL_MAX_COLS", default=1000)
TERMINAL_MAX_ROWS = env.int("TERMINAL_MAX_ROWS", default=1000)
# Output kept for replay on terminal:attach.
TERMINAL_SCROLLBACK_BYTES = env.int("TERMINAL_SCROLLBACK_BYTES", default=256 * 1024)
# Input written to a program that does not read it is queued up to this much, then refused.
TERMINAL_INPUT_BACKLOG_BYTES = env.int("TERMINAL_INPUT_BACKLOG_BYTES", default=1024 * 1024)

# Output framing: small output (echo, prompts) goes out at once; bulk output travels as one
# terminal:data per interval, or per frame size when that fills first.
TERMINAL_FRAME_INTERVAL_MS = env.float("TERMINAL_FRAME_INTERVAL_MS", default=5.0)
TERMINAL_FRAME_BYTES = env.int("TERMINAL_FRAME_BYTES", default=64 * 1024)
# Flow control: reading the PTY pauses while this much output waits for a slow client, and
# resumes below a quarter of it.
TERMINAL_FLOW_HIGH_BYTES = env.int("TERMINAL_FLOW_HIGH_BYTES", default=1024 * 1024)

from .kcode.settings import *  # noqa: E402,F403
