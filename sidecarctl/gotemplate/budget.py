"""One execution budget for template runs: wall time, steps and produced size.

Go's text/template has no limits of its own; Istio relies on Go being fast and on RE2 being
linear. Templates here come from ConfigMaps, files and pod annotations (the webhook runs them for
every pod), so a run must stop soon after it crosses a limit, with an error naming the limit,
whatever the template does. The budget is checked cooperatively: the executor charges a step
for every range iteration and template call and the characters it writes, and functions that
can produce or iterate much in one call (Sprig's until/seq/repeat/randAlphaNum, list builders)
charge what they are about to produce *before* producing it.

A budget is scoped with `budget_scope(budget)`: kube-inject opens one per run, the webhook one
per admission review (its deadline is the review's), `template render` one per render. Code that
runs templates without opening a scope gets `DEFAULT` limits: a fresh budget per execute call.
The scope is a context variable, so threads (webhook workers) each see their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Documented defaults (docs/security.md). Wall time bounds a whole run (every template of it);
# steps and output bound each budget. 10 s is the Kubernetes webhook's default timeoutSeconds.
DEFAULT_SECONDS = 10.0
DEFAULT_MAX_STEPS = 10_000_000
DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024  # characters

# How many charged steps pass between two reads of the clock (a read costs ~50 ns; at this
# interval a runaway loop is stopped within milliseconds of its deadline).
_CLOCK_EVERY = 1024


class BudgetExceeded(Exception):
    """A run crossed one of its budget's limits; the message names the limit and its value.
    The executor turns it into an ExecError carrying the template position."""


class Budget:
    """The limits of one run and what it has spent so far."""

    __slots__ = ("seconds", "max_steps", "max_output", "deadline", "steps", "output", "_tick")

    def __init__(self, seconds: float | None = DEFAULT_SECONDS, max_steps: int = DEFAULT_MAX_STEPS,
                 max_output: int = DEFAULT_MAX_OUTPUT, *, deadline: float | None = None) -> None:
        """`seconds` of wall time from now (None: no time limit), unless an absolute
        `deadline` on time.monotonic()'s clock is given (the webhook's review deadline)."""
        self.seconds = seconds
        self.max_steps = max_steps
        self.max_output = max_output
        if deadline is None and seconds is not None:
            deadline = time.monotonic() + seconds
        self.deadline = deadline
        self.steps = 0
        self.output = 0
        self._tick = 0

    def check_time(self) -> None:
        """BudgetExceeded once the deadline has passed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            limit = f"{self.seconds:g} s" if self.seconds is not None else "the request's deadline"
            raise BudgetExceeded(f"exceeded sidecarctl's template time limit ({limit}; "
                                 "see --template-timeout)")

    def charge_steps(self, n: int = 1) -> None:
        """Spend `n` steps (range iterations, template calls, elements a function will build)."""
        self.steps += n
        if self.steps > self.max_steps:
            raise BudgetExceeded(f"exceeded sidecarctl's limit of {self.max_steps} template steps "
                                 "(range iterations, template calls and built list elements)")
        self._tick += n
        if self._tick >= _CLOCK_EVERY:
            self._tick = 0
            self.check_time()

    def charge_output(self, n: int) -> None:
        """Spend `n` characters of produced text (written output, or a string a function will
        build)."""
        self.output += n
        if self.output > self.max_output:
            raise BudgetExceeded(f"output larger than sidecarctl's limit of {self.max_output} characters")


_current: ContextVar[Budget | None] = ContextVar("sidecarctl_template_budget", default=None)


def current_budget() -> Budget | None:
    """The budget of the enclosing scope, or None outside any scope."""
    return _current.get()


@contextmanager
def budget_scope(budget: Budget) -> Iterator[Budget]:
    """Run the enclosed template executions against `budget`."""
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)
