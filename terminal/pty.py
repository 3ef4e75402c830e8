"""A process in a pseudo-terminal, driven from the asyncio event loop.

The program starts as the leader of a new session whose controlling terminal is the PTY, via
util-linux `setsid --ctty` (which execs it, keeping the pid). subprocess starts it with vfork:
ptyprocess.spawn forks the whole server in Python, which held the event loop for 60-80 ms per
terminal on a server with a model loaded. After that, output is read with non-blocking reads
when the loop reports the master readable, input is written without blocking (queued while
the PTY is full), and the exit is noticed through a pidfd.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import termios
from collections.abc import Callable

READ_SIZE = 64 * 1024


class InputOverflow(Exception):
    """The program does not read its input and the backlog is full."""


def setsid_path() -> str | None:
    return shutil.which("setsid")


def exit_code(returncode: int) -> int:
    """A return code as a shell reports it: the exit code, or 128 + the signal number."""
    return 128 - returncode if returncode < 0 else returncode


def _start(argv: list[str], env: dict[str, str], cwd: str, cols: int, rows: int) -> tuple[subprocess.Popen, int]:
    setsid = setsid_path()
    if setsid is None:
        raise FileNotFoundError("setsid (util-linux) is needed to start terminal programs")
    master, slave = os.openpty()
    try:
        termios.tcsetwinsize(master, (rows, cols))
        # restore_signals: the server ignores SIGPIPE (Python does); pipelines need the default.
        process = subprocess.Popen(
            [setsid, "--ctty", *argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=env,
            close_fds=True,
            restore_signals=True,
        )
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)
    return process, master


class Pty:
    def __init__(self, process: subprocess.Popen, fd: int, backlog_limit: int) -> None:
        self._process = process
        self._loop = asyncio.get_running_loop()
        self.pid: int = process.pid
        self.fd = fd
        os.set_blocking(fd, False)
        self._backlog = bytearray()
        self._backlog_limit = backlog_limit
        self._reading = False
        self._on_output: Callable[[bytes], None] | None = None
        self._on_eof: Callable[[], None] | None = None
        self.exited: asyncio.Future[int] = self._loop.create_future()
        self._pidfd = os.pidfd_open(self.pid)
        self._loop.add_reader(self._pidfd, self._reap)

    @classmethod
    async def spawn(
        cls, argv: list[str], env: dict[str, str], cwd: str, cols: int, rows: int, backlog_limit: int
    ) -> Pty:
        """Start `argv` (its first item an absolute path) on a new PTY of `cols` × `rows`."""
        process, fd = await asyncio.to_thread(_start, argv, env, cwd, cols, rows)
        return cls(process, fd, backlog_limit)

    # Output

    def start(self, on_output: Callable[[bytes], None], on_eof: Callable[[], None]) -> None:
        self._on_output, self._on_eof = on_output, on_eof
        self.resume_reading()

    def pause_reading(self) -> None:
        if self._reading:
            self._loop.remove_reader(self.fd)
            self._reading = False

    def resume_reading(self) -> None:
        if not self._reading and self.fd >= 0 and self._on_output is not None:
            self._loop.add_reader(self.fd, self._read)
            self._reading = True

    def _read(self) -> None:
        # One read per readiness report: a read that finds the PTY empty waits in the kernel for
        # its buffer work to finish, so reading on until EAGAIN would stall the loop.
        try:
            data = os.read(self.fd, READ_SIZE)
        except BlockingIOError:
            return
        except OSError:  # EIO: every slave side is closed
            data = b""
        if data:
            self._on_output(data)
        else:
            self.pause_reading()
            self._on_eof()

    # Input

    def write(self, data: bytes) -> None:
        if self.fd < 0:
            return
        if len(self._backlog) + len(data) > self._backlog_limit:
            raise InputOverflow(f"{len(self._backlog)} bytes of input are still waiting for the program.")
        if not self._backlog:
            try:
                data = data[os.write(self.fd, data) :]
            except BlockingIOError:
                pass
            except OSError:  # the program is gone and its session ending
                return
            if not data:
                return
            self._loop.add_writer(self.fd, self._flush_input)
        self._backlog += data

    def _flush_input(self) -> None:
        try:
            del self._backlog[: os.write(self.fd, self._backlog)]
        except BlockingIOError:
            return
        except OSError:
            self._backlog.clear()
        if not self._backlog:
            self._loop.remove_writer(self.fd)

    def resize(self, cols: int, rows: int) -> None:
        """Set the window size; the kernel sends SIGWINCH to the foreground process group."""
        if self.fd >= 0:
            termios.tcsetwinsize(self.fd, (rows, cols))

    # Exit

    def _reap(self) -> None:
        self._forget_pidfd()
        returncode = self._process.wait()  # it has exited: this only collects the status
        if not self.exited.done():
            self.exited.set_result(exit_code(returncode))

    def _forget_pidfd(self) -> None:
        if self._pidfd >= 0:
            self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = -1

    def close(self) -> None:
        """Release the master side and stop watching the process."""
        self._forget_pidfd()
        if self.fd < 0:
            return
        self.pause_reading()
        if self._backlog:
            self._loop.remove_writer(self.fd)
        os.close(self.fd)
        self.fd = -1
