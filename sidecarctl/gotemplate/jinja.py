"""Jinja2 as an opt-in second dialect for injection templates (see docs/jinja2-templates.md).

A template whose first line is `{# jinja2 #}` is compiled here instead of by the Go
`text/template` engine. It runs in Jinja2's `SandboxedEnvironment` over the very same data Go
templates get (`sidecarctl.inject.data`'s Go views), with the same function names:

* `.ObjectMeta.Labels` reads the Go field `Labels` (`go_field`), never a Python attribute; a map
  reads its keys; a Go method without arguments is called on access, as Go's templates do
  (`.ProxyConfig.GetTracing`); anything else is not reachable (an error, not Python's attribute);
* every Sprig and Istio function is a global (`toYaml(x)`, `annotation(ObjectMeta, "k", "d")`) and
  a filter that takes the piped value *last*, as a Go pipeline does (`x | default("d")`,
  `x | indent(4)`); those names replace Jinja's own filters of the same name;
* values print as Go prints them (`%v`), so `{{ ProxyConfig.InterceptionMode }}` is `REDIRECT`.

The template's fields are top-level names (`ObjectMeta`, `Values`, ...); `.` of Go is `data`.
Errors are `gotemplate.TemplateError`s, so settings loading and rendering report them as they
report Go template errors.

A run is metered by the same execution budget as a Go template's (`gotemplate.budget`: one fresh
meter per execution from the enclosing scope): every call, every item a `{% for %}` takes
(each loop's iterable is wrapped when the template is compiled), the output written, the strings
and lists `*`, `+`, `~`, `**` and `%` build and the widths and sizes Jinja's own filters are
given. The function map is the current one (`gotemplate.funcmap`), so --deny-template-funcs
holds for Jinja templates too: a template compiled under another map is compiled again.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, cast

from sidecarctl.gotemplate import budget
from sidecarctl.gotemplate.budget import Budget, BudgetExceeded, budget_scope, current_budget

MARKER = "{# jinja2 #}"

# Names of the helpers the compiled templates call (globals no template text can shadow usefully:
# a template that assigns them only meters itself less precisely, never escapes the budget's clock).
_ITER = "_sidecarctl_iter"
_CONCAT = "_sidecarctl_concat"


def is_jinja(text: str) -> bool:
    """Marked by a first line that is exactly the `{# jinja2 #}` comment (spaces around allowed)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return first.strip() == MARKER


class JinjaTemplate:
    """A compiled Jinja2 template with the Go template's `execute(data) -> str` interface."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._compiled: dict[Any, Any] = {}  # environment (one per function map) -> template
        self._template = self._compile(_environment())

    def _compile(self, env: Any) -> Any:
        from jinja2 import TemplateSyntaxError

        from sidecarctl.gotemplate import ParseError

        try:
            template = env.from_string(self.text)
        except TemplateSyntaxError as err:
            raise ParseError(f"template: {self.name}: jinja2: line {err.lineno}: {err.message}") from None
        self._compiled[env] = template
        return template

    def execute(self, data: Any) -> str:
        from jinja2 import TemplateError as JinjaError

        from sidecarctl.gotemplate import ExecError
        from sidecarctl.gotemplate.gotypes import GoError

        env = _environment()
        template = self._compiled.get(env) or self._compile(env)
        meter = (current_budget() or Budget()).start()
        where = f"template: {self.name}: jinja2"
        out: list[str] = []
        try:
            with budget_scope(meter):
                for chunk in template.generate(_context(data)):
                    meter.charge_output(len(chunk))
                    out.append(chunk)
        except (
            JinjaError,
            GoError,
            BudgetExceeded,
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            AttributeError,
            ArithmeticError,
        ) as err:
            raise ExecError(f"{where}: {err}") from None
        except RecursionError:
            raise ExecError(f"{where}: exceeded maximum template depth") from None
        except Exception as err:  # an engine bug: still one line
            raise ExecError(f"{where}: internal error: {type(err).__name__}: {err}") from None
        return "".join(out)


def parse(text: str, name: str) -> JinjaTemplate:
    return JinjaTemplate(name, text)


def _context(data: Any) -> dict[str, Any]:
    """The template data's fields as top-level names, and the whole as `data` (Go's `.`)."""
    fields = getattr(data, "fields", None)
    context = dict(fields) if isinstance(fields, dict) else {}
    context["data"] = data
    return context


_ENVS: dict[int, tuple[Any, Any]] = {}


def _environment() -> Any:
    """The sandboxed environment for the current function map (built on first use of each map:
    the plain one, or one with --deny-template-funcs' stubs)."""
    from sidecarctl.gotemplate import funcmap

    funcs = funcmap("istio")
    entry = _ENVS.get(id(funcs))
    if entry is None or entry[0] is not funcs:
        entry = _ENVS[id(funcs)] = (funcs, _make_environment(funcs))
    return entry[1]


def _make_environment(funcs: Any) -> Any:
    from jinja2 import StrictUndefined, Undefined, nodes
    from jinja2.sandbox import SandboxedEnvironment
    from jinja2.visitor import NodeTransformer

    from sidecarctl.gotemplate.gotypes import GoFunc, GoObject, format_v

    class Metered(NodeTransformer):
        """Route every loop's iterable and every `~` through the budget's helpers."""

        def visit_For(self, node: Any) -> Any:
            node = self.generic_visit(node)
            node.iter = nodes.Call(
                nodes.Name(_ITER, "load", lineno=node.lineno), [node.iter], [], None, None, lineno=node.lineno
            )
            return node

        def visit_Concat(self, node: Any) -> Any:
            node = self.generic_visit(node)
            return nodes.Call(
                nodes.Name(_CONCAT, "load", lineno=node.lineno), list(node.nodes), [], None, None, lineno=node.lineno
            )

    class GoSandbox(SandboxedEnvironment):
        """Attribute and item access through the Go views only; calls, loops and the operators
        that build strings or lists charged to the execution budget."""

        intercepted_binops = frozenset({"*", "**", "+", "%"})

        def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
            tree = Metered().visit(super()._parse(source, name, filename))
            tree.set_environment(self)
            return tree

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
            budget.check_time()
            budget.charge_steps(1)
            return super().call(__context, __obj, *args, **kwargs)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _charge_binop(operator, left, right)
            return super().call_binop(context, operator, left, right)

        def getattr(self, obj: Any, attribute: str) -> Any:
            return self.getitem(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            if isinstance(obj, GoObject) and isinstance(argument, str):
                return _go_member(obj, argument)
            if isinstance(obj, dict):
                return _map_value(obj, argument, self)
            if isinstance(obj, (list, tuple, str)) and isinstance(argument, (int, slice)):
                try:
                    return obj[argument]
                except IndexError:  # Jinja's own message names the index as given (an int, a slice)
                    return self.undefined(obj=obj, name=argument)  # type: ignore[arg-type]
            return self.undefined(obj=obj, name=argument)

    def finalize(value: Any) -> Any:
        if isinstance(value, str):
            return value
        if isinstance(value, Undefined):
            return str(value)  # StrictUndefined: printing what does not exist is an error
        return format_v(value)

    # optimized=False, and every function refuses to run outside an execution (`_when_run`):
    # Jinja folds constant expressions (`"x" | center(10000000)`) while compiling, outside the
    # budget of any execution; everything is evaluated when run, and metered.
    env = GoSandbox(
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        undefined=StrictUndefined,
        finalize=finalize,
        optimized=False,
    )
    for name in list(env.filters):
        env.filters[name] = _metered_builtin(env.filters[name])
    env.filters["format"] = _metered_format(env.filters["format"])
    env.globals["lipsum"] = _metered_builtin(cast("Callable[..., Any]", env.globals["lipsum"]))
    env.globals["range"] = _metered_range
    env.globals[_ITER] = _metered_iter
    env.globals[_CONCAT] = _metered_concat
    for name, fn in funcs.items():
        if isinstance(fn, GoFunc):
            env.globals[name] = _as_global(fn)
            env.filters[name] = _as_filter(fn)
    return env


def _go_member(obj: Any, name: str) -> Any:
    """A Go struct's field, else its method (called when it takes no arguments), else Go's error."""
    from sidecarctl.gotemplate.gotypes import GoError

    try:
        return obj.go_field(name)
    except AttributeError:
        pass
    method = obj.go_method(name)
    if method is None:
        raise GoError(f"can't evaluate field {name} in type {obj.go_type}")
    if not method.params:
        return method.fn()
    return _as_global(method)


def _map_value(obj: dict[Any, Any], key: Any, env: Any) -> Any:
    """A map's value; a missing key is the element's zero value for typed maps (Go's `index`),
    undefined otherwise (so `default` applies)."""
    from sidecarctl.gotemplate.gotypes import GoMap

    if key in obj:
        return obj[key]
    if isinstance(obj, GoMap) and obj.elem == "string":
        return ""
    return env.undefined(obj=obj, name=key)


def _go_value(value: Any) -> Any:
    """Jinja's undefined as Go's nil (functions and printing see Go values only)."""
    from jinja2 import Undefined

    return None if isinstance(value, Undefined) else value


def _as_global(fn: Any) -> Callable[..., Any]:
    """Call a Go function with Jinja's arguments (undefined ones as nil), Go's error wording."""
    from sidecarctl.gotemplate.gotypes import GoError

    def call(*args: Any) -> Any:
        _when_run()
        argv = [_go_value(a) for a in args]
        if not fn.variadic and len(argv) != len(fn.params):
            raise GoError(f"wrong number of args for {fn.name}: want {len(fn.params)} got {len(argv)}")
        try:
            return fn.fn(*argv)
        except GoError as err:
            raise GoError(f"error calling {fn.name}: {err}") from None

    call.__name__ = fn.name
    return call


def _as_filter(fn: Any) -> Callable[..., Any]:
    """`x | f(a, b)` is Go's `f a b x`: the piped value goes last."""
    call = _as_global(fn)

    def piped(value: Any, *args: Any) -> Any:
        return call(*args, value)

    piped.__name__ = fn.name
    return piped


# --- the budget's hooks --------------------------------------------------------------------------


def _when_run() -> None:
    """Refuse to be evaluated while a template is compiled (Jinja then leaves the expression to
    run time, where the execution's budget meters it)."""
    if current_budget() is None:
        from jinja2.nodes import Impossible

        raise Impossible()


def _metered_iter(iterable: Any) -> Any:
    """What a `{% for %}` iterates: a step per item taken (nested loops over one list included)."""
    for item in iterable:
        budget.charge_steps(1)
        yield item


def _metered_range(*args: int) -> range:
    """range(), its items charged before use (the sandbox's fixed cap replaced by the budget)."""
    r = range(*args)
    budget.charge_steps(len(r))
    return r


def _metered_concat(*parts: Any) -> str:
    """`a ~ b`: the joined text charged before it is built."""
    texts = [p if isinstance(p, str) else str(p) for p in parts]
    budget.charge_output(sum(map(len, texts)))
    return "".join(texts)


def _charge_size(value: Any) -> None:
    """Charge what a result holds: a string's characters as output, a list's items as steps."""
    if isinstance(value, str):
        budget.charge_output(len(value))
    elif isinstance(value, (list, tuple, dict)):
        budget.charge_steps(len(value))


def _charge_binop(operator: str, left: Any, right: Any) -> None:
    """Charge what `left OP right` will build, before it is built."""
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
                size = len(seq) * max(0, count)
                if isinstance(seq, str):
                    budget.charge_output(size)
                else:
                    budget.charge_steps(size)
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0:
            budget.charge_steps(1 + max(1, abs(left).bit_length()) * right // 64)  # the result's 64-bit words
    elif operator == "+":
        if isinstance(left, str) and isinstance(right, str):
            budget.charge_output(len(left) + len(right))
        elif isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
            budget.charge_steps(len(left) + len(right))
    elif operator == "%" and isinstance(left, str):
        _charge_printf(left, right if isinstance(right, tuple) else (right,))


_WIDTHS = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _charge_printf(fmt: str, args: Any) -> None:
    """Python's %-formatting pads to any width or precision (`"%1000000000d" % 1`): charge the
    widths and precisions it is given, in the text or as `*` arguments, and the format itself."""
    star = False
    for m in _WIDTHS.finditer(fmt):
        for g in m.groups():
            if g == "*":
                star = True
            elif g:
                budget.charge_output(int(g) if len(g) < 18 else 1 << 62)
    if star:
        for a in args if isinstance(args, (tuple, list)) else ():
            if isinstance(a, int) and not isinstance(a, bool):
                budget.charge_output(abs(a))
    budget.charge_output(len(fmt))


def _metered_format(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Jinja's `format` filter is %-formatting: charged as the `%` operator is."""

    @functools.wraps(fn)
    def format_(value: Any, *args: Any, **kwargs: Any) -> Any:
        _when_run()
        if isinstance(value, str):
            _charge_printf(value, args)
        result = fn(value, *args, **kwargs)
        _charge_size(result)
        return result

    return format_


def _metered_builtin(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One of Jinja's own filters or globals: an int argument is taken as a width or count and
    charged as output before the call (`center(1000000000)`), strings and lists as what they
    hold; the result is charged after. functools.wraps keeps Jinja's pass-context marker."""

    @functools.wraps(fn)
    def metered(*args: Any, **kwargs: Any) -> Any:
        _when_run()
        budget.check_time()
        for a in (*args, *kwargs.values()):
            if isinstance(a, int) and not isinstance(a, bool):
                budget.charge_output(abs(a))
            elif isinstance(a, (str, list, tuple, dict)):
                budget.charge_steps(len(a))
        result = fn(*args, **kwargs)
        _charge_size(result)
        return result

    return metered
