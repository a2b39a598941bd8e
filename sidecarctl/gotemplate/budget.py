"""One execution budget for template runs: wall time, steps and produced size.

Go's text/template has no limits of its own; Istio relies on Go being fast and on RE2 being
linear. Templates here come from ConfigMaps, files and pod annotations (the webhook runs them for
every pod), so a run must stop soon after it crosses a limit, with an error naming the limit,
whatever the template does. The budget is checked cooperatively: the executor charges a step
for every range iteration and template call and the characters it writes, and functions that
can produce or iterate much in one call (Sprig's until/seq/repeat/randAlphaNum, list builders,
encoders walking a value) charge what they are about to produce *before* producing it.

A budget is scoped with `budget_scope(budget)`: kube-inject opens one per run (from its flags),
the webhook one per admission review (with the review's deadline), `template render` one per
render. The limits apply to each template execution: `execute` starts a fresh meter
(`Budget.start`) from the scope's budget, whose time limit is `seconds` from the start of that
execution, capped by the scope's absolute `deadline` if it has one (a review's deadline bounds
every template of the review together). Code that runs templates without opening a scope gets
the process's default limits (documented below, changed by the commands' flags through
`configured_limits`). The scope is a context variable, so threads (webhook workers) each see their
own.

Functions called outside any execution (a function map used by another engine, a test) charge a
fresh default meter per call: one call can still not build more than the limits allow.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

# Documented defaults (docs/security.md), per template execution. 10 s is the Kubernetes
# webhook's default timeoutSeconds. 16 Mi characters: the API server refuses request bodies over
# 3 MiB, so no object worth injecting comes near it (written output and strings built by
# functions count together). 10 million steps take a few seconds of Python at most, and bound the
# memory of a list built in one call (until 9999999: ~360 MB) under the process's 4 GiB cap.
DEFAULT_SECONDS = 10.0
DEFAULT_MAX_STEPS = 10_000_000
DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024  # characters

# How many charged steps pass between two reads of the clock (a read costs ~50 ns; a range
# iteration costs at least a microsecond, so at this interval the clock costs < 5% and a runaway
# loop stops within milliseconds of its deadline). Slow functions read it themselves (`check_time`).
_CLOCK_EVERY = 64

# How deeply a value printed, encoded or compared may nest. Python's walkers (printing, JSON and
# YAML encoders, ==) recurse on the C stack, and while a template runs the recursion limit is
# raised far above what 8 MiB of C stack holds through them: a value nested 100,000 deep (one
# `dict` per range iteration) crashed the process. Go's own encoders start checking for cycles
# at 1,000 levels; no Kubernetes object or Istio value comes near it.
MAX_NESTING = 1000


class BudgetExceeded(Exception):
    """A run crossed one of its budget's limits; the message names the limit and its value.
    The executor turns it into an ExecError carrying the template position."""


class Budget:
    """The limits of a run and, for a started meter, what one execution has spent so far."""

    __slots__ = ("seconds", "max_steps", "max_output", "deadline", "steps", "output", "_tick", "_capped")

    def __init__(
        self,
        seconds: float | None = None,
        max_steps: int | None = None,
        max_output: int | None = None,
        *,
        deadline: float | None = None,
    ) -> None:
        """`seconds` of wall time per execution (math.inf: none), at most `max_steps` steps and
        `max_output` characters; None takes the process's defaults (`configured_limits`).
        Optionally an absolute `deadline` on time.monotonic()'s clock caps every execution (a
        review's deadline)."""
        seconds = _limits[0] if seconds is None else seconds
        max_steps = _limits[1] if max_steps is None else max_steps
        max_output = _limits[2] if max_output is None else max_output
        if seconds <= 0:
            raise ValueError("a template time limit must be positive")
        if max_steps < 1 or max_output < 1:
            raise ValueError("template step and output limits must be positive")
        self.seconds = seconds
        self.max_steps = max_steps
        self.max_output = max_output
        self.deadline = deadline
        self.steps = 0
        self.output = 0
        self._tick = 0
        self._capped = deadline is not None  # the deadline is the scope's, not `seconds` from a start

    def start(self) -> Budget:
        """A fresh meter with these limits for one execution, its clock starting now."""
        meter = Budget(self.seconds, self.max_steps, self.max_output, deadline=self.deadline)
        if self.seconds != math.inf:
            own = time.monotonic() + self.seconds
            if self.deadline is None or own <= self.deadline:
                meter.deadline, meter._capped = own, False
        return meter

    def check_time(self) -> None:
        """BudgetExceeded once the deadline has passed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            limit = "the request's deadline" if self._capped else f"{self.seconds:g} s"
            raise BudgetExceeded(f"exceeded sidecarctl's template time limit ({limit}; see --template-timeout)")

    def charge_steps(self, n: int = 1) -> None:
        """Spend `n` steps (range iterations, template calls, elements a function will build or
        visit)."""
        self.steps += n
        if self.steps > self.max_steps:
            raise BudgetExceeded(
                f"exceeded sidecarctl's limit of {self.max_steps} template steps "
                "(range iterations, template calls and built or visited elements; "
                "see --template-max-steps)"
            )
        self._tick += n
        if self._tick >= _CLOCK_EVERY:
            self._tick = 0
            self.check_time()

    def charge_output(self, n: int) -> None:
        """Spend `n` characters of produced text (written output, or a string a function will
        build)."""
        self.output += n
        if self.output > self.max_output:
            raise BudgetExceeded(
                f"output larger than sidecarctl's limit of {self.max_output} characters "
                "(written or built by functions; see --template-max-output)"
            )


_limits: tuple[float, int, int] = (DEFAULT_SECONDS, DEFAULT_MAX_STEPS, DEFAULT_MAX_OUTPUT)


@contextmanager
def configured_limits(
    seconds: float | None = None, max_steps: int | None = None, max_output: int | None = None
) -> Iterator[None]:
    """Make these the process's defaults (None: keep the documented one) while the block runs:
    every Budget() built meanwhile, in any thread (the webhook's per-review budgets included),
    and every execution outside a scope gets them. The commands' --template-* flags."""
    global _limits
    saved = _limits
    Budget(seconds, max_steps, max_output)  # ValueError for a bad limit, before anything runs
    _limits = (
        saved[0] if seconds is None else seconds,
        saved[1] if max_steps is None else max_steps,
        saved[2] if max_output is None else max_output,
    )
    try:
        yield
    finally:
        _limits = saved


_current: ContextVar[Budget | None] = ContextVar("sidecarctl_template_budget", default=None)


def current_budget() -> Budget | None:
    """The budget of the enclosing scope (inside an execution: its meter), or None."""
    return _current.get()


@contextmanager
def budget_scope(budget: Budget) -> Iterator[Budget]:
    """Run the enclosed template executions against `budget`."""
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def _meter() -> Budget:
    """The meter to charge: the running execution's, else a fresh default one for this call."""
    meter = _current.get()
    return meter if meter is not None else Budget().start()


def charge_steps(n: int) -> None:
    """For functions: spend `n` steps of the current execution before doing that much work."""
    _meter().charge_steps(n)


def charge_output(n: int) -> None:
    """For functions: spend `n` characters of the current execution before building them."""
    _meter().charge_output(n)


def check_time() -> None:
    """For slow functions (key generation, bcrypt, DNS): stop if the deadline has passed."""
    meter = _current.get()
    if meter is not None:
        meter.check_time()


def charge_value(value: Any) -> None:
    """Spend a step for every element of `value` as an encoder or printer will visit it, before
    it does: shared sub-values count once per path, as they will be expanded (a value built
    cheaply from shared parts, `dict "a" $x "b" $x` nested, prints exponentially large). Counted
    once per distinct container (memoised), so this costs what the value holds, not what it
    expands to. A value nested deeper than MAX_NESTING, or containing itself (`set $d "k" $d`),
    is BudgetExceeded: the recursive walkers that follow would overflow the C stack."""
    if isinstance(value, (dict, list, tuple)):
        meter = _meter()
        meter.charge_steps(_expanded_size(value, meter.max_steps - meter.steps))


def _too_deep() -> BudgetExceeded:
    return BudgetExceeded(f"value nested deeper than sidecarctl's limit of {MAX_NESTING} levels (or containing itself)")


def _expanded_size(value: Any, limit: int) -> int:
    """How many elements printing `value` visits (every path through shared containers), or a
    number above `limit` as soon as it is known to exceed it; BudgetExceeded for a value nested
    deeper than MAX_NESTING or containing itself."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        v, children_done = stack.pop()
        key = id(v)
        children = v.values() if isinstance(v, dict) else v
        if not children_done:
            if key in sizes:
                continue
            if key in open_ or len(open_) >= MAX_NESTING:  # a cycle back to an open container
                raise _too_deep()
            open_.add(key)
            stack.append((v, True))
            stack.extend((c, False) for c in children if isinstance(c, (dict, list, tuple)) and id(c) not in sizes)
            continue
        total = len(children)
        depth = 1
        for c in children:
            if isinstance(c, (dict, list, tuple)):
                total += sizes[id(c)]
                depth = max(depth, depths[id(c)] + 1)
        if depth > MAX_NESTING:
            raise _too_deep()
        open_.discard(key)
        sizes[key] = total
        depths[key] = depth
        if total > limit:
            return total
    return sizes.get(id(value), 0)
