"""The template safety options shared by kube-inject, `webhook serve` and `template render`: the
execution budget's limits (sidecarctl.gotemplate.budget) and the functions a cautious operator
denies. docs/security.md describes them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import click

from sidecarctl.errors import UsageError
from sidecarctl.gotemplate.budget import DEFAULT_MAX_OUTPUT, DEFAULT_MAX_STEPS, DEFAULT_SECONDS

FIELDS = ("template_timeout", "template_max_steps", "template_max_output", "deny_template_funcs")


def template_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --template-timeout, --template-max-steps, --template-max-output and
    --deny-template-funcs (their values reach the command as keyword arguments: see `pick`)."""
    options = [
        click.option(
            "--template-timeout",
            "template_timeout",
            type=click.FloatRange(0, min_open=True),
            default=DEFAULT_SECONDS,
            show_default=True,
            metavar="SECONDS",
            help="Wall time one template execution may take (the webhook: capped by the review's deadline).",
        ),
        click.option(
            "--template-max-steps",
            "template_max_steps",
            type=click.IntRange(1),
            default=DEFAULT_MAX_STEPS,
            show_default=True,
            metavar="N",
            help="Range iterations, template calls and elements built or visited by functions, per execution.",
        ),
        click.option(
            "--template-max-output",
            "template_max_output",
            type=click.IntRange(1),
            default=DEFAULT_MAX_OUTPUT,
            show_default=True,
            metavar="CHARS",
            help="Characters written or built by functions, per execution.",
        ),
        click.option(
            "--deny-template-funcs",
            "deny_template_funcs",
            default="",
            metavar="NAMES",
            help="Comma-separated template functions whose call fails the render (e.g. env,expandenv,getHostByName).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def pick(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The template options out of a callback's keyword arguments (removed from kwargs)."""
    return {name: kwargs.pop(name) for name in FIELDS}


@contextlib.contextmanager
def template_safety(
    template_timeout: float = DEFAULT_SECONDS,
    template_max_steps: int = DEFAULT_MAX_STEPS,
    template_max_output: int = DEFAULT_MAX_OUTPUT,
    deny_template_funcs: str = "",
    *,
    scope: bool = True,
) -> Iterator[None]:
    """Run the block with these limits as the process's template budget (and, with `scope`, one
    budget opened for the run) and the functions denied; a name no template function has is a
    usage error (exit 2) before anything runs."""
    from sidecarctl.gotemplate import denied_functions
    from sidecarctl.gotemplate.budget import Budget, budget_scope, configured_limits

    names = [n.strip() for n in deny_template_funcs.split(",") if n.strip()]
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(denied_functions(names, "--deny-template-funcs"))
        except ValueError as e:
            raise UsageError(f"--deny-template-funcs: {e}") from None
        stack.enter_context(configured_limits(template_timeout, template_max_steps, template_max_output))
        if scope:
            stack.enter_context(budget_scope(Budget()))
        yield
