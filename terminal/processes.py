"""Finding, ending and reaping the processes of a terminal session.

A session's processes are its leader (the shell, in a session of its own), everything still in
that session, and everything carrying the session's tag in its environment, which also catches
programs that started a session of their own. The server is a child subreaper, so processes
orphaned inside a terminal are re-parented to it rather than to an init that may never reap.
"""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Iterable

import psutil

TAG = "KULVEX_TERMINAL_SESSION"
_PR_SET_CHILD_SUBREAPER = 36
_subreaper = False


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux); return whether it worked."""
    global _subreaper
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        _subreaper = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        _subreaper = False
    return _subreaper


def children(pid: int) -> list[int]:
    """The children of `pid`, from /proc/<pid>/task/*/children where the kernel provides it."""
    found: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += map(int, f.read().split())
    except FileNotFoundError:
        return [p.pid for p in _children_slowly(pid)]
    except OSError:
        pass
    return found


def _children_slowly(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children()
    except psutil.NoSuchProcess:
        return []


def descendants(pid: int) -> list[int]:
    found, todo = [], children(pid)
    while todo:
        found += todo
        todo = [grandchild for child in todo for grandchild in children(child)]
    return found


def _candidates() -> list[int]:
    """Where a terminal's processes can be: below this process, unless orphans escape to init."""
    return descendants(os.getpid()) if _subreaper else psutil.pids()


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, session id) of `pid` from /proc, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0].decode(), int(fields[3])


def _tag_of(pid: int) -> bytes | None:
    prefix = TAG.encode() + b"="
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            environ = f.read()
    except OSError:
        return None
    for item in environ.split(b"\0"):
        if item.startswith(prefix):
            return item[len(prefix) :]
    return None


def session_processes(leader: int, tag: str) -> list[psutil.Process]:
    """The live processes of a terminal session, leader excluded."""
    found = []
    wanted = tag.encode()
    for pid in _candidates():
        if pid == leader:
            continue
        stat = _stat(pid)
        if stat is None or stat[0] == "Z":
            continue
        if stat[1] == leader or _tag_of(pid) == wanted:
            try:
                found.append(psutil.Process(pid))
            except psutil.NoSuchProcess:
                pass
    return found


def send(pids: Iterable[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def signal_session(leader: int | None, procs: list[psutil.Process], sig: signal.Signals) -> None:
    """Send `sig` to the leader's process group and to every process; SIGCONT after it, so
    that stopped jobs see it too. `leader` is None once it has been reaped (its pid is free)."""
    pids = [p.pid for p in procs]
    if leader is not None:
        pids.append(leader)
        try:
            os.killpg(leader, sig)
        except (ProcessLookupError, PermissionError):
            pass
    send(pids, sig)
    if sig != signal.SIGKILL:
        send(pids, signal.SIGCONT)


def wait_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait up to `timeout` for `procs` to end; return those still alive."""
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    return alive


def reap_orphans(sessions: set[int], leaders: set[int]) -> int:
    """Reap zombie children adopted from terminal sessions; leaders are reaped by their owners."""
    reaped = 0
    for pid in children(os.getpid()):
        if pid in leaders:
            continue
        stat = _stat(pid)
        if stat is None or stat[0] != "Z" or stat[1] not in sessions:
            continue
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                reaped += 1
        except ChildProcessError:
            pass
    return reaped


def kill_tagged(tags: set[str]) -> int:
    """SIGKILL every process carrying one of `tags`: leftovers of sessions whose server died."""
    if not tags:
        return 0
    wanted = {tag.encode() for tag in tags}
    pids = [pid for pid in psutil.pids() if pid != os.getpid() and _tag_of(pid) in wanted]
    send(pids, signal.SIGKILL)
    return len(pids)
