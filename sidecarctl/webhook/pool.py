"""Render workers: processes that inject, which the server can kill and replace.

Why processes: a review runs templates the cluster's settings and the pod's annotations choose.
The template budget (sidecarctl.gotemplate.budget) stops a run at its deadline cooperatively, but
nothing cooperative stops a slow native call (a regular expression, a huge allocation): a thread
cannot be killed, and a stuck thread holding the GIL stalls the event loop, /healthz included.
A process can be killed. So:

- the zygote: forked from the server once the settings have loaded (before the event loop runs,
  or from the loop's thread with no other work under way), single-threaded, holding the settings.
  It forks render workers on request (a fork shares the loaded settings, so a new worker costs a
  few milliseconds, not a settings load), and it re-reads the settings when asked (`check`), so
  workers forked after a reload carry the new settings. A load that fails is refused there: the
  zygote keeps the previous settings and says why.
- the workers: each takes one review at a time from its socket (length-prefixed pickles between
  our own processes), runs it inside `budget_scope(Budget(deadline=...))` and sends the answer.
- the pool (in the server's event loop): hands each review to an idle worker (reviews queue,
  oldest first, while all are busy); a review still running at its deadline gets its worker
  SIGKILLed and replaced. A review running past `slow_after` marks its worker slow: its CPU
  priority is lowered (nice 10), so normal reviews keep the cores while a hostile one runs out its
  deadline, and it stops counting as ready, so a replacement is forked (up to `max_workers` in
  all): a burst of hostile reviews cannot hold every worker. Afterwards the worker gets its
  priority back, or is retired where the process may not raise it (no CAP_SYS_NICE); workers
  forked for a burst are retired as the burst ends. When all `max_workers` run slow reviews and
  another review waits, the slow review that has run longest (at least PREEMPT_AFTER) is stopped
  (its worker killed, the review refused), so more hostile reviews than `max_workers` cannot starve
  the rest either.

Workers and the zygote die with their parent (PR_SET_PDEATHSIG, and end-of-file on their socket).
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import os
import pickle
import signal
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sidecarctl.gotemplate.budget import Budget, budget_scope
from sidecarctl.webhook import admission, logs
from sidecarctl.webhook.reload import SettingsReloader
from sidecarctl.webhook.service import InjectionService, Options

log = logs.get("pool")

_HEADER = struct.Struct("!I")
_PR_SET_PDEATHSIG = 1
SLOW_NICE = 10
# a slow review is stopped to make room only once it has run this long: a normal render slowed by
# a busy CPU takes milliseconds to a few hundred; what holds a worker for seconds is hostile
PREEMPT_AFTER = 1.0


class WorkerLost(Exception):
    """A worker died or was killed before answering."""


# --- framing, both sides ----------------------------------------------------------------------


def _frame(obj: Any) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def _recv(sock: socket.socket) -> Any:
    header = _recv_exact(sock, _HEADER.size)
    if header is None:
        return None
    data = _recv_exact(sock, _HEADER.unpack(header)[0])
    return None if data is None else pickle.loads(data)


# --- child processes --------------------------------------------------------------------------


def _become_child(keep: set[int]) -> None:
    """In a freshly forked child: drop the parent's event loop signal plumbing and every inherited
    descriptor but `keep`, stdio and the log's (a kept copy of a client connection would hold it
    open), and die with the parent."""
    keep = keep | logs.streams()
    try:
        signal.set_wakeup_fd(-1)
    except (ValueError, OSError):
        pass
    # Ctrl-C or a SIGTERM to the whole process group: the server drains first, then stops us
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    gc.freeze()  # what the fork shares stays shared: the collector no longer walks (and dirties) it


def _worker_main(sock: socket.socket, service: InjectionService) -> None:
    while True:
        try:
            job = _recv(sock)
        except OSError:
            job = None
        if job is None:
            os._exit(0)
        deadline, body, path = job
        try:
            with budget_scope(Budget(seconds=None, deadline=deadline)):
                result, answer, fields = service.answer(body, path)
            if result == "failed" and time.monotonic() > deadline:
                result = "timeout"  # the budget stopped the templates at the deadline
            reply: tuple[Any, ...] = ("ok", result, answer, fields)
        except admission.BadReview as e:
            reply = ("bad", str(e))
        except Exception as e:  # answered as an internal error by the server; never kills the worker
            reply = ("error", f"{type(e).__name__}: {e}")
        try:
            sock.sendall(_frame(reply))
        except OSError:
            os._exit(0)


def _zygote_main(sock: socket.socket, reloader: SettingsReloader, options: Options) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the workers are ours: reaped by the kernel
    while True:
        try:
            msg = _recv(sock)
        except OSError:
            msg = None
        if msg is None:
            os._exit(0)
        if msg[0] == "spawn":
            ours, theirs = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                try:
                    ours.close()
                    _become_child({theirs.fileno()})
                    _worker_main(theirs, InjectionService(reloader.injector, None, options))
                finally:
                    os._exit(0)
            socket.send_fds(sock, [_frame(("spawned", pid))], [ours.fileno()])
            ours.close()
            theirs.close()
        elif msg[0] == "check":
            try:
                injector = reloader.check()
            except Exception as e:  # logged by the reloader; the previous settings stay
                sock.sendall(_frame(("failed", str(e))))
            else:
                if injector is None:
                    sock.sendall(_frame(("unchanged",)))
                else:
                    sock.sendall(_frame(("reloaded", bool(getattr(injector, "deterministic", False)))))


class Zygote:
    """The server's handle on its zygote process. Calls are blocking and serialised: run them off
    the event loop."""

    def __init__(self, reloader: SettingsReloader, options: Options) -> None:
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                _become_child({theirs.fileno()})
                _zygote_main(theirs, reloader, options)
            finally:
                os._exit(0)
        theirs.close()
        self.pid = pid
        self._sock = ours
        self._lock = threading.Lock()

    def spawn(self) -> tuple[int, socket.socket]:
        with self._lock:
            self._sock.sendall(_frame(("spawn",)))
            header, fds, _, _ = socket.recv_fds(self._sock, _HEADER.size, 1)
            if len(header) < _HEADER.size:
                header += _recv_exact(self._sock, _HEADER.size - len(header)) or b""
            data = _recv_exact(self._sock, _HEADER.unpack(header)[0])
        if not fds or data is None:
            raise WorkerLost("the zygote did not fork a worker")
        _, pid = pickle.loads(data)
        return pid, socket.socket(fileno=fds[0])

    def check(self) -> tuple[Any, ...]:
        """("unchanged",), ("reloaded", deterministic) or ("failed", reason)."""
        with self._lock:
            self._sock.sendall(_frame(("check",)))
            reply = _recv(self._sock)
        if reply is None:
            raise WorkerLost("the zygote is gone")
        return tuple(reply)

    def alive(self) -> bool:
        """False once the zygote has exited (no replacement worker could be forked)."""
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def close(self) -> None:
        self._sock.close()  # end-of-file: the zygote exits, and its workers with it
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


@dataclass(eq=False)
class _Worker:
    pid: int
    sock: socket.socket
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    generation: int
    niced: bool = False
    slow: asyncio.TimerHandle | None = field(default=None, repr=False)
    started: float = 0.0  # when its current review was handed to it (loop time)
    preempted: bool = False
    killed: bool = False


class WorkerPool:
    """Reviews to workers, at most one each; kills what runs past its deadline."""

    def __init__(self, zygote: Zygote, workers: int = 2, max_workers: int = 8, slow_after: float = 0.1) -> None:
        self.zygote = zygote
        self.size = workers
        self.max_workers = max(workers, max_workers)
        self.slow_after = slow_after
        self.generation = 0
        self.killed = 0
        self.preempted = 0
        self._idle: deque[_Worker] = deque()
        self._busy: set[_Worker] = set()
        self._spawning = 0
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._room_timer: asyncio.TimerHandle | None = None

    @property
    def live(self) -> int:
        return len(self._idle) + len(self._busy)

    async def start(self) -> None:
        for _ in range(self.size):
            self._release(await self._spawn())

    async def _spawn(self) -> _Worker:
        generation = self.generation
        pid, sock = await asyncio.get_running_loop().run_in_executor(None, self.zygote.spawn)
        reader, writer = await asyncio.open_unix_connection(sock=sock, limit=2**26)
        return _Worker(pid, sock, reader, writer, generation)

    async def run(self, body: bytes, path: str, deadline: float) -> tuple[Any, ...]:
        """The worker's reply to one review; TimeoutError at the deadline (the worker is killed),
        WorkerLost when it died."""
        loop = asyncio.get_running_loop()
        worker = await asyncio.wait_for(self._acquire(), max(0.0, deadline - time.monotonic()))
        worker.started = loop.time()
        worker.slow = loop.call_later(self.slow_after, self._lower_priority, worker)
        try:
            worker.writer.write(_frame((deadline, body, path)))
            async with asyncio.timeout_at(loop.time() + max(0.0, deadline - time.monotonic())):
                header = await worker.reader.readexactly(_HEADER.size)
                data = await worker.reader.readexactly(_HEADER.unpack(header)[0])
        except TimeoutError:
            self._kill(worker)
            raise
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as e:
            self._kill(worker)
            if worker.preempted:
                raise WorkerLost(
                    f"the review was stopped after {loop.time() - worker.started:.1f}s: all "
                    f"{self.max_workers} render workers were busy with slow reviews while others "
                    "waited"
                ) from None
            raise WorkerLost(f"render worker {worker.pid} died: {type(e).__name__}") from None
        except BaseException:  # cancelled (the client went away): the worker's state is unknown
            self._kill(worker)
            raise
        worker.slow.cancel()
        self._busy.discard(worker)
        if worker.niced and not self._restore_priority(worker):
            self._retire(worker)
        elif worker.generation != self.generation or (len(self._idle) >= self.size and not self._waiters):
            self._retire(worker)  # an old generation's, or one forked for a burst that is over
        else:
            self._release(worker)
        return tuple(pickle.loads(data))

    async def _acquire(self) -> _Worker:
        while self._idle:
            worker = self._idle.popleft()
            if self._gone(worker):
                continue
            self._busy.add(worker)
            return worker
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._make_room()
        try:
            worker = await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():  # handed a worker as we were cancelled
                self._release(waiter.result())
            raise
        self._busy.add(worker)
        return worker

    def _release(self, worker: _Worker) -> None:
        """An idle worker: to the longest waiting review, else back to the idle list."""
        if self._closed:
            self._close_worker(worker)
            return
        if worker.generation != self.generation:  # forked before a reload
            self._busy.discard(worker)
            self._retire(worker)
            return
        if worker.reader.at_eof():
            self._busy.discard(worker)
            self._gone(worker)
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._busy.discard(worker)
                waiter.set_result(worker)
                return
        self._busy.discard(worker)
        self._idle.append(worker)

    def _gone(self, worker: _Worker) -> bool:
        """Whether an idle worker has died (the OOM killer, a stray signal): its socket is at
        end-of-file. It is dropped and replaced rather than handed a review it would fail."""
        if not worker.reader.at_eof():
            return False
        log.warning("a render worker exited while idle; replacing it", extra={"worker": worker.pid})
        self._retire(worker)
        return True

    def _lower_priority(self, worker: _Worker) -> None:
        """A slow review: its worker yields the CPU to the others, and stops counting as ready, so
        a replacement is forked while it runs (a burst of hostile reviews cannot hold every worker)."""
        try:
            os.setpriority(os.PRIO_PROCESS, worker.pid, SLOW_NICE)
        except OSError:
            pass
        worker.niced = True
        self._replenish()
        self._make_room()

    def _restore_priority(self, worker: _Worker) -> bool:
        try:
            os.setpriority(os.PRIO_PROCESS, worker.pid, 0)  # allowed with CAP_SYS_NICE only
        except OSError:
            return False
        worker.niced = False
        return True

    def _make_room(self) -> None:
        """A review waits while every one of `max_workers` runs a slow review (and none is being
        forked): stop the one that has run longest, once past PREEMPT_AFTER, so its replacement
        serves the oldest waiter."""
        if self._closed or self._idle or self._spawning or self.live < self.max_workers:
            return
        if not any(not waiter.done() for waiter in self._waiters):
            return
        slow = [w for w in self._busy if w.niced and not w.preempted]
        if len(slow) < len(self._busy):
            return  # a worker runs a normal review: it frees soon
        if slow:
            victim = min(slow, key=lambda w: w.started)
            wait = victim.started + PREEMPT_AFTER - asyncio.get_running_loop().time()
            if wait > 0:  # look again once it has run long enough
                if self._room_timer is None:
                    self._room_timer = asyncio.get_running_loop().call_later(wait, self._room_check)
                return
            victim.preempted = True
            self.preempted += 1
            log.warning(
                "stopping the longest-running slow review: every render worker is busy with one and other reviews wait",
                extra={"worker": victim.pid, "max_workers": self.max_workers},
            )
            self._kill(victim)

    def _room_check(self) -> None:
        self._room_timer = None
        self._make_room()

    def _kill(self, worker: _Worker) -> None:
        if worker.killed:  # stopped by _make_room, then seen dead by its review
            return
        worker.killed = True
        if worker.slow is not None:
            worker.slow.cancel()
        self._busy.discard(worker)
        try:
            os.kill(worker.pid, signal.SIGKILL)  # the zygote, its parent, reaps it
        except ProcessLookupError:
            pass
        self.killed += 1
        self._close_worker(worker)
        self._replenish()

    def _retire(self, worker: _Worker) -> None:
        self._close_worker(worker)  # end-of-file: it exits
        self._replenish()

    def _close_worker(self, worker: _Worker) -> None:
        worker.writer.close()

    def _replenish(self) -> None:
        """Keep `size` workers that are not running a slow review (at most max_workers in all)."""
        if self._closed:
            return
        ready = sum(1 for w in (*self._idle, *self._busy) if not w.niced)
        for _ in range(min(self.size - ready, self.max_workers - self.live) - self._spawning):
            self._background_spawn()

    def _background_spawn(self) -> None:
        self._spawning += 1  # counted now: reviews arriving in the same loop turn see it
        task = asyncio.ensure_future(self._spawn_idle())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _spawn_idle(self) -> None:
        try:
            worker = await self._spawn()
        except Exception as e:  # logged; the next review or death tries again
            log.error("cannot fork a render worker", extra={"reason": f"{type(e).__name__}: {e}"})
            return
        finally:
            self._spawning -= 1
        self._release(worker)
        self._make_room()  # more reviews may wait behind the one this worker now serves

    def new_generation(self) -> None:
        """The zygote has new settings: idle workers are replaced now, busy ones once they answer."""
        self.generation += 1
        old = list(self._idle)
        self._idle.clear()
        for worker in old:
            self._close_worker(worker)
        self._replenish()

    def close(self) -> None:
        self._closed = True
        if self._room_timer is not None:
            self._room_timer.cancel()
        for worker in [*self._idle, *self._busy]:
            self._close_worker(worker)
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._idle.clear()
        self._busy.clear()
        for waiter in self._waiters:
            if not waiter.done():
                waiter.cancel()
        self.zygote.close()
