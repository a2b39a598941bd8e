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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MARKER = "{# jinja2 #}"


def is_jinja(text: str) -> bool:
    """Marked by a first line that is exactly the `{# jinja2 #}` comment (spaces around allowed)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return first.strip() == MARKER


class JinjaTemplate:
    """A compiled Jinja2 template with the Go template's `execute(data) -> str` interface."""

    def __init__(self, name: str, text: str) -> None:
        from jinja2 import TemplateSyntaxError

        from sidecarctl.gotemplate import ParseError

        self.name = name
        try:
            self._template = _environment().from_string(text)
        except TemplateSyntaxError as err:
            raise ParseError(f"template: {name}: jinja2: line {err.lineno}: {err.message}") from None

    def execute(self, data: Any) -> str:
        from jinja2 import TemplateError as JinjaError

        from sidecarctl.gotemplate import ExecError
        from sidecarctl.gotemplate.gotypes import GoError

        try:
            return str(self._template.render(_context(data)))
        except (JinjaError, GoError, TypeError, ValueError, KeyError, IndexError, AttributeError) as err:
            raise ExecError(f"template: {self.name}: jinja2: {err}") from None


def parse(text: str, name: str) -> JinjaTemplate:
    return JinjaTemplate(name, text)


def _context(data: Any) -> dict[str, Any]:
    """The template data's fields as top-level names, and the whole as `data` (Go's `.`)."""
    fields = getattr(data, "fields", None)
    context = dict(fields) if isinstance(fields, dict) else {}
    context["data"] = data
    return context


_ENV: Any = None


def _environment() -> Any:
    """One sandboxed environment with the function map (built on first use)."""
    global _ENV
    if _ENV is None:
        _ENV = _make_environment()
    return _ENV


def _make_environment() -> Any:
    from jinja2 import StrictUndefined, Undefined
    from jinja2.sandbox import SandboxedEnvironment

    from sidecarctl.gotemplate import funcmap
    from sidecarctl.gotemplate.gotypes import GoFunc, GoObject, format_v

    class GoSandbox(SandboxedEnvironment):
        """Attribute and item access through the Go views only."""

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

    env = GoSandbox(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
                    undefined=StrictUndefined, finalize=finalize)
    for name, fn in funcmap("istio").items():
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
