"""`sidecarctl template render`: run one Go template against one data file, as Go would."""

from __future__ import annotations

import json
import math
import os
import re
import sys
from typing import Any

import click

from sidecarctl.commands import template_options as template_opts
from sidecarctl.errors import InputError


@click.group("template")
def template_group() -> None:
    """Render Go templates as Istio's injector does."""


def _load_data(path: str) -> Any:
    """JSON (or YAML, through JSON) with every number a float64, as Go's json into `any` gives.
    Bounded like every input of sidecarctl: at most MAX_INPUT_BYTES, YAML through sidecarctl's
    reader (yaml.v2's nesting and alias-expansion limits: an alias bomb fails at once)."""
    from sidecarctl.limits import read_bounded

    with open(path, "rb") as fh:
        raw = read_bounded(fh, path)
    text = raw.decode("utf-8")
    try:
        return json.loads(
            _LONE_SURROGATE.sub(r"\\ufffd", text), parse_int=_float64, parse_float=_float64, parse_constant=_no_constant
        )
    except RecursionError:
        raise ValueError("data file: JSON nested too deeply") from None
    except json.JSONDecodeError:
        pass
    from sidecarctl.yamlio import load_document

    loaded = load_document(raw)  # YamlError (an InputError) with yaml.v2's wording
    return _go_numbers(loaded)


def _go_numbers(value: Any) -> Any:
    """sigs.k8s.io/yaml's route into `any`: YAML to JSON, then every number a float64."""
    todo: list[Any] = [value]
    while todo:  # iterative: the reader allows deeper nesting than Python's stack
        v = todo.pop()
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, x in items:
            if isinstance(x, int) and not isinstance(x, bool):
                v[k] = _float64(str(x))
            elif isinstance(x, float):
                v[k] = _float64(repr(x))
            elif isinstance(x, (dict, list)):
                todo.append(x)
    if isinstance(value, int) and not isinstance(value, bool):
        return _float64(str(value))
    return value


def _dump_yaml(value: Any) -> str:
    """Istio's toYaml encoder (sigs.k8s.io/yaml.Marshal), from the YAML layer: the template engine
    cannot import it, so this command hands it over (as kube-inject's inject package does)."""
    from sidecarctl.yamlio import dump_yaml

    return dump_yaml(value)


# Go's JSON decoder turns an unpaired \uD800-\uDFFF escape into U+FFFD; Python would keep it.
_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _float64(text: str) -> float:
    """A JSON number as Go's float64 (Go refuses numbers beyond its range)."""
    value = float(text)
    if value in (math.inf, -math.inf):
        raise ValueError(f"json: cannot unmarshal number {text} into Go value of type float64")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"invalid character {name[0]!r} looking for beginning of value")


def _utf8(text: str) -> bytes:
    """Bytes as Go wrote them: raw bytes kept by surrogateescape come back; any other lone
    surrogate (impossible in a Go string) becomes U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c < "\udc80" or "\udd00" <= c <= "\udfff" else c for c in text).encode(
            "utf-8", "surrogateescape"
        )


def _fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@template_group.command("render")
@click.option(
    "--funcs",
    "funcs",
    type=click.Choice(["istio", "sprig", "go"]),
    default="istio",
    show_default=True,
    help="Function set: Go builtins only, plus Sprig, or plus Sprig and Istio's functions.",
)
@click.option(
    "--missingkey",
    type=click.Choice(["default", "zero", "error"]),
    default="default",
    show_default=True,
    help="What a missing map key gives (Go's missingkey option).",
)
@click.option("--name", "name", default=None, help="Template name in errors (default: the file's base name).")
@click.option(
    "--data",
    "data_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="JSON or YAML file whose value becomes the template's dot.",
)
@click.argument("template_file", type=click.Path(dir_okay=False))
@template_opts.template_options
def render(funcs: str, missingkey: str, name: str | None, data_file: str, template_file: str, **safety: Any) -> None:
    """Render TEMPLATE_FILE with the value of DATA_FILE as `.`; prints exactly what Go would."""
    from sidecarctl.gotemplate import TemplateError, funcmap, istio, parse

    click.get_current_context().with_resource(template_opts.template_safety(**template_opts.pick(safety)))
    istio.set_yaml_dumper(_dump_yaml)

    try:
        with open(template_file, "rb") as fh:
            text = fh.read().decode("utf-8", "surrogateescape")
    except OSError as e:
        _fail(f"Error: cannot read template: {e.strerror}: {template_file}")
    try:
        data = _load_data(data_file)
    except OSError as e:
        _fail(f"Error: cannot read data: {e.strerror}: {data_file}")
    except (ValueError, UnicodeDecodeError, InputError) as e:
        _fail(f"Error: bad data in {data_file}: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
    tmpl_name = name if name is not None else os.path.basename(template_file)
    try:
        out = parse(text, tmpl_name, funcmap(funcs), missingkey).execute(data)
    except TemplateError as e:
        _fail(str(e))
    except Exception as e:  # never a traceback for the user; --debug shows it
        ctx = click.get_current_context()
        if (ctx.find_root().obj or {}).get("debug"):
            raise
        _fail(f"Error: internal error: {type(e).__name__}: {e}")
    sys.stdout.buffer.write(_utf8(out))
    sys.stdout.flush()
