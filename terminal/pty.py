"""A process in a pseudo-terminal, driven from the asyncio event loop.

ptyprocess forks and execs (in a worker thread: it waits for the exec); after that, output is
read with non-blocking reads when the loop reports the master readable, input is written
without blocking (queued while the PTY is full), and the exit is noticed through a pidfd.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable

from ptyprocess import PtyProcess

READ_SIZE = 64 * 1024


class InputOverflow(Exception):
    """The program does not read its input and the backlog is full."""


def _child_setup() -> None:
    # The server ignores SIGPIPE (Python does); a shell's pipelines need the default.
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)


def exit_code(status: int) -> int:
    """A wait status as a shell reports it: the exit code, or 128 + the signal number."""
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


class Pty:
    def __init__(self, process: PtyProcess, loop: asyncio.AbstractEventLoop, backlog_limit: int) -> None:
        self._process = process
        self._loop = loop
        self.pid: int = process.pid
        self.fd: int = process.fd
        os.set_blocking(self.fd, False)
        self._backlog = bytearray()
        self._backlog_limit = backlog_limit
        self._reading = False
        self._on_output: Callable[[bytes], None] | None = None
        self._on_eof: Callable[[], None] | None = None
        self.exited: asyncio.Future[int] = loop.create_future()
        self._pidfd = os.pidfd_open(self.pid)
        loop.add_reader(self._pidfd, self._reap)

    @classmethod
    async def spawn(
        cls, argv: list[str], env: dict[str, str], cwd: str, cols: int, rows: int, backlog_limit: int
    ) -> Pty:
        process = await asyncio.to_thread(
            PtyProcess.spawn, argv, cwd=cwd, env=env, dimensions=(rows, cols), preexec_fn=_child_setup
        )
        return cls(process, asyncio.get_running_loop(), backlog_limit)

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
        self._process.setwinsize(rows, cols)

    # Exit

    def _reap(self) -> None:
        self._forget_pidfd()
        try:
            _, status = os.waitpid(self.pid, 0)
            code = exit_code(status)
        except ChildProcessError:
            code = -1
        if not self.exited.done():
            self.exited.set_result(code)

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
        self.fd = -1
        # Close through ptyprocess so its file object does not close the fd again later.
        self._process.delayafterclose = 0
        self._process.terminated = True
        self._process.close()
