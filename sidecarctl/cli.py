"""The `sidecarctl` command line: a click group whose commands live in `sidecarctl.commands`.

Commands are imported lazily so that `sidecarctl kube-inject` never pays for the webhook's or the
cluster client's imports.
"""

from __future__ import annotations

import errno
import importlib
import io
import os
import signal
import sys
from types import FrameType
from typing import Any, NoReturn

import click

from sidecarctl import __version__
from sidecarctl.errors import SidecarError, os_error
from sidecarctl.limits import bound_memory, startup_gc
from sidecarctl.workflow.progname import program_name

# command name -> (module under sidecarctl.commands, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "template": ("template", "template_group", "Render Go templates as Istio's injector does."),
    "kube-inject": ("kube_inject", "kube_inject", "Inject the Istio sidecar into Kubernetes manifests."),
    "webhook": ("webhook", "webhook_group", "Run or install the automatic-injection admission webhook."),
    "uninject": ("uninject", "uninject", "Remove what injection added to Kubernetes manifests."),
    "check": ("check", "check", "Explain whether each workload or pod would be injected, and why."),
    "krm-fn": ("krm_fn", "krm_fn", "Run as a kustomize KRM function (ResourceList in, ResourceList out)."),
    "completion": ("completion", "completion", "Print a shell completion script (bash, zsh, fish)."),
}


class ReaderGone(Exception):
    """stdout's reader closed the pipe (`| head -1`); not an OSError, so click lets it through."""


class Interrupted(BaseException):
    """A signal that ends the run (SIGINT, SIGTERM, SIGHUP), raised where the main thread is, so
    that every `finally` and `except BaseException` on the way (temporary files, a half-done
    --in-place transaction put back) runs before the exit status 128 + the signal's number. Not an
    Exception: no "internal error" handler may catch it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# SIGPIPE stays ignored (the interpreter's default): a write to a closed pipe raises EPIPE, which
# unwinds the same way and ends quietly with 141 (see main).
ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
# Frames a document walk needs at the reader's nesting limit (1,000 levels): measured at ~4,050 for
# --preserve-formatting and ~2,070 for the other commands (Python 3.11, where a Python call takes no
# C stack); every walk below the limit then runs without a RecursionError, with room to spare.
DOCUMENT_RECURSION_LIMIT = 10_000


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        command: click.Command = getattr(importlib.import_module(f"sidecarctl.commands.{module}"), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # click would swallow EPIPE and exit 0; a cut-off stream is not a success (see main)
            raise ReaderGone() from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sidecarctl")
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors (for bug reports).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Inject the Istio sidecar into Kubernetes workloads, exactly as istioctl does."""
    ctx.obj = {"debug": debug}


def main(argv: list[str] | None = None) -> Any:
    """Run the CLI under the error contract (docs/errors.md): every failure is one line on stderr,
    exit 1 for bad input or settings, 2 for bad usage, and never a traceback unless --debug."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    bound_memory()
    startup_gc()
    if sys.getrecursionlimit() < DOCUMENT_RECURSION_LIMIT:
        sys.setrecursionlimit(DOCUMENT_RECURSION_LIMIT)
    previous = _handle_ending_signals()
    try:
        code = cli.main(args=argv, prog_name=program_name(), standalone_mode=False)
        _flush_stdout()
        return code
    except Interrupted as e:
        _fail("Aborted.", 128 + e.signum)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _fail("Aborted.", EXIT_INTERRUPTED)
    except _NO_ARGS_IS_HELP as e:  # bare `sidecarctl`: the help is the useful answer
        e.show()
        sys.exit(e.exit_code)
    except click.UsageError as e:
        _fail(usage_line(e), e.exit_code)
    except click.ClickException as e:
        _fail(f"Error: {one_line(e.format_message())}", e.exit_code)
    except SidecarError as e:
        if debug:
            raise
        _fail(f"Error: {one_line(str(e))}", e.exit_code)
    except (BrokenPipeError, ReaderGone):
        # The reader went away (`| head -1`): quiet, as a program killed by SIGPIPE.
        _silence_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as e:  # a full disk under stdout, a size limit, ...: the user's to fix, not a bug
        if debug:
            raise
        _silence_stdout()
        _fail(f"Error: {os_error('write' if e.filename is None else 'access', e.filename or 'stdout', e)}", 1)
    except MemoryError:
        _fail("Error: out of memory; the input or template output is too large", 1)
    except RecursionError:
        if debug:
            raise
        _fail("Error: input or template nested too deeply (Python recursion limit)", 1)
    except Exception as e:  # a bug: still one line; --debug shows the traceback
        if debug:
            raise
        _fail(f"Error: internal error: {type(e).__name__}: {one_line(str(e))}; rerun with --debug and report it", 1)
    finally:
        _restore_signals(previous)


def _handle_ending_signals() -> dict[int, Any]:
    """Turn SIGINT, SIGTERM and SIGHUP into `Interrupted` for the run; returns the old handlers."""
    previous: dict[int, Any] = {}
    for signum in ENDING_SIGNALS:
        try:
            previous[signum] = signal.signal(signum, _on_ending_signal)
        except (ValueError, OSError):  # not the main thread (main called in-process): leave them
            pass
    return previous


def _on_ending_signal(signum: int, frame: FrameType | None) -> None:
    for other in ENDING_SIGNALS:  # a second signal must not cut the clean-up short
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


def _restore_signals(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        try:
            signal.signal(signum, handler)
        except (ValueError, OSError, TypeError):
            pass


def run() -> NoReturn:
    """The console scripts' entry point: `main`, then leave at once.

    A run ends holding some 50,000 objects (modules, settings, parse trees); tearing the interpreter
    down frees them one by one, ~20 ms of a ~100 ms kube-inject, for memory the kernel reclaims
    anyway. Everything main writes is complete when it returns (files are renamed into place,
    stdout and stderr are flushed here), sidecarctl registers no atexit handlers, and the webhook
    stops its server before main returns; so the process exits with os._exit.
    """
    if sys.stdout is None:  # started with stdout closed (`>&-`): writing to it is EBADF, one line
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(_ClosedStream()), encoding="utf-8")
    try:
        code: Any = main()
    except SystemExit as e:
        code = e.code
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("text"), as the interpreter would report it
        _write_err(f"{code}\n")
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (BrokenPipeError, ReaderGone):
            status = status or EXIT_BROKEN_PIPE
        except OSError as e:  # output that never arrived is not a success
            if not status:
                _write_err(f"Error: {os_error('write', 'stdout' if stream is sys.stdout else 'stderr', e)}\n")
                status = 1
        except ValueError:
            pass
    os._exit(status)


class _ClosedStream(io.RawIOBase):
    """stdout when the process started without one: every write fails as write(2) on fd 1 would."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def _write_err(text: str) -> None:
    try:
        sys.stderr.write(text)
    except (OSError, ValueError, AttributeError):
        pass


_NO_ARGS_IS_HELP: type[click.UsageError] | tuple[()] = getattr(click.exceptions, "NoArgsIsHelpError", ())
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report an interrupted command
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as shells report a writer whose reader closed the pipe


def one_line(message: str) -> str:
    """Error text on a single line: Go's messages are kept, line breaks become ' | '."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return " | ".join(lines)


def usage_line(e: click.UsageError) -> str:
    """click's usage error as one line, with where to get help instead of the usage block."""
    ctx = e.ctx
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return f"Error: {one_line(e.format_message())}{hint}"


def _fail(line: str, code: int) -> None:
    """Print the one error line and exit (commands write stdout only once all succeeded)."""
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass  # stderr closed: the exit code still tells
    sys.exit(code)


def _flush_stdout() -> None:
    if sys.stdout is not None:
        sys.stdout.flush()


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not complain again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
