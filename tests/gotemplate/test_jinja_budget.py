"""Jinja2 injection templates (sidecarctl/gotemplate/jinja.py) run under the same execution budget and
the same --deny-template-funcs as Go templates: a hostile Jinja template stops with one line
naming the limit (an ExecError), never runs on, fills memory or escapes as a Python exception."""

from __future__ import annotations

import time

import pytest

from sidecarctl.gotemplate import ExecError, denied_functions
from sidecarctl.gotemplate.budget import Budget, budget_scope
from sidecarctl.gotemplate.jinja import JinjaTemplate

STEPS = "template steps"
OUTPUT = "output larger than"
TIME = "template time limit"


def render(text: str, budget: Budget | None = None, data: object = None) -> str:
    tmpl = JinjaTemplate("t", "{# jinja2 #}\n" + text)
    if budget is None:
        return tmpl.execute(data)
    with budget_scope(budget):
        return tmpl.execute(data)


@pytest.mark.parametrize(
    "text,budget,limit",
    [
        ("{{ until(100000000) }}", None, STEPS),
        (
            "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
            Budget(max_steps=10_000),
            STEPS,
        ),
        (
            "{% set l = until(1000) %}{% for i in l %}{% for j in l %}{% endfor %}{% endfor %}",
            Budget(max_steps=10_000),
            STEPS,
        ),
        ("{% for i in range(1000) %}xxxxxxxxxx{% endfor %}", Budget(max_output=1_000), OUTPUT),
        ('{{ ("ab" * 100000) | length }}', Budget(max_output=1_000), OUTPUT),
        ("{{ [1] * 100000 }}", Budget(max_steps=1_000), STEPS),
        ("{{ (9 ** 1000000) % 10 }}", Budget(max_steps=1_000), STEPS),
        ('{{ ("x" | center(100000)) | length }}', Budget(max_output=1_000), OUTPUT),
        (
            '{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% endif %}{% endmacro %}{{ d("x", 26) }}',
            Budget(max_output=100_000),
            OUTPUT,
        ),
        ('{{ lower("A") }}', Budget(deadline=time.monotonic() - 1), TIME),
    ],
    ids=[
        "sprig-charge",
        "nested-range",
        "nested-for-over-a-list",
        "written-output",
        "string-repeat",
        "list-repeat",
        "power",
        "builtin-filter-width",
        "doubling-macro",
        "deadline",
    ],
)
def test_jinja_runs_are_metered(text: str, budget: Budget | None, limit: str) -> None:
    with pytest.raises(ExecError, match=limit) as err:
        render(text, budget)
    assert str(err.value).startswith("template: t: jinja2: ")


def test_jinja_recursion_is_one_line() -> None:
    with pytest.raises(ExecError, match="exceeded maximum template depth"):
        render("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}")


def test_jinja_in_budget_still_renders() -> None:
    text = '{% for i in range(3) %}{{ i }}{{ "ab" * 2 }}{% endfor %}|{{ 2 ** 10 }}|{{ [1] * 2 }}|{{ "x" | center(3) }}'
    assert render(text, Budget(max_steps=100, max_output=100)) == "0abab1abab2abab|1024|[1 1]| x "


@pytest.mark.parametrize("when", ["parsed-before", "parsed-inside"])
def test_denied_functions_apply_to_jinja(when: str) -> None:
    """A Jinja template could call env() under --deny-template-funcs env: its environment kept the
    function map of its first use."""
    text = '{# jinja2 #}\n{{ env("HOME", "") }}|{{ "" | env("HOME") }}'
    tmpl = JinjaTemplate("t", text) if when == "parsed-before" else None
    with denied_functions(["env"]):
        tmpl = tmpl or JinjaTemplate("t", text)
        with pytest.raises(ExecError, match="function 'env' is denied by --deny-template-funcs"):
            tmpl.execute(None)
    assert "|" in tmpl.execute(None)  # allowed again once the denial ends
