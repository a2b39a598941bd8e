"""The part of Helm 3 that Istio's `istio-discovery` chart needs to render its two settings ConfigMaps,
on top of sidecarctl's Go template engine (sidecarctl.gotemplate, with Sprig) and YAML writer
(sidecarctl.yamlio, which writes what sigs.k8s.io/yaml writes).

    files = render_chart(chart_dir, user_values, namespace="istio-system", only=[...template names...])

What Helm does and this does too (helm.sh/helm/v3 pkg/engine and pkg/chartutil):
  * values: the chart's values.yaml coalesced under the user's values (a user null deletes a default);
  * one template set: every template of the chart parsed together, so a `define` in one file is
    visible in all; files rendered in Helm's order (deepest path first, then names in reverse), all
    sharing one top-level map, so `set $ "Values" ...` in zzz_profile.yaml is seen by the rest;
  * missingkey=zero and `<no value>` removed from the output;
  * Helm's functions over Sprig: include, tpl, required, toYaml (sigs.k8s.io/yaml, trailing newline
    trimmed), fromYaml, toJson, fromJson, and `.Files.Get`.
Not done (the chart's ConfigMaps use none of it): subcharts, lookup, .Capabilities beyond the
version, NOTES, hooks, schema validation.

This is a developer tool (hack/): the installed package never imports it.
"""

from __future__ import annotations

import copy
import json
from collections import ChainMap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sidecarctl.gotemplate import funcmap
from sidecarctl.gotemplate.builtins import BUILTINS
from sidecarctl.gotemplate.exec import compile_trees, deep_recursion, execute
from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoObject
from sidecarctl.gotemplate.parser import parse_trees
from sidecarctl.yamlio import dump_yaml, load_document


class ChartError(Exception):
    """A chart that cannot be rendered; the message says which file and why."""


class _Files(GoObject):
    """Helm's `.Files`: Get(name) is the file's text, "" when the chart has no such file."""

    go_type = "chart.Files"
    go_kind = "map"

    def __init__(self, files: Mapping[str, str]) -> None:
        self._files = files

    def go_method(self, name: str) -> GoFunc | None:
        if name == "Get":
            return GoFunc("Get", lambda path: self._files.get(path, ""), ("string",), result="string")
        return None


def coalesce_values(defaults: Any, user: Any) -> dict[str, Any]:
    """chartutil.CoalesceValues for one chart: user values over the chart's; a user null removes
    the chart's default (and is kept where the chart has none)."""
    out = copy.deepcopy(user) if isinstance(user, dict) else {}
    _coalesce(out, defaults if isinstance(defaults, dict) else {})
    return out


def _coalesce(dst: dict[str, Any], src: dict[str, Any]) -> None:
    for key, value in src.items():
        if key not in dst:
            dst[key] = copy.deepcopy(value)
        elif dst[key] is None:
            del dst[key]
        elif isinstance(dst[key], dict) and isinstance(value, dict):
            _coalesce(dst[key], value)


def to_yaml(value: Any) -> str:
    """Helm's toYaml: sigs.k8s.io/yaml.Marshal without the final newline; "" when it fails."""
    try:
        return dump_yaml(value).removesuffix("\n")
    except Exception:  # Helm swallows the marshal error and writes nothing
        return ""


def from_yaml(text: str) -> dict[str, Any]:
    """Helm's fromYaml: a map, or {"Error": message} when the text is not a YAML map."""
    try:
        value = load_document(text)
    except Exception as err:  # Helm reports any decoding error in the map
        return {"Error": str(err)}
    if value is None:
        return {}
    if not isinstance(value, dict):
        return {
            "Error": "error unmarshaling JSON: json: cannot unmarshal into Go value of type map[string]interface {}"
        }
    return value


class _Renderer:
    def __init__(self, templates: Mapping[str, str]) -> None:
        sprig = funcmap("sprig")
        helm: dict[str, GoFunc] = {
            "include": GoFunc(
                "include", self._include, ("string", "interface {}"), returns_error=True, result="string"
            ),
            "tpl": GoFunc("tpl", self._tpl, ("string", "interface {}"), returns_error=True, result="string"),
            "required": GoFunc("required", _required, ("string", "interface {}"), returns_error=True),
            "toYaml": GoFunc("toYaml", to_yaml, ("interface {}",), result="string"),
            "fromYaml": GoFunc("fromYaml", from_yaml, ("string",), result="map[string]interface {}"),
            "toJson": GoFunc("toJson", _to_json, ("interface {}",), result="string"),
            "fromJson": GoFunc("fromJson", _from_json, ("string",), result="map[string]interface {}"),
        }
        self.funcs: Mapping[str, GoFunc] = ChainMap(helm, sprig, BUILTINS)  # type: ignore[arg-type]
        self.trees: dict[str, Any] = {}
        for name in sorted(templates):
            try:
                with deep_recursion():
                    self.trees.update(parse_trees(name, templates[name], self.funcs))
            except GoError as err:
                raise ChartError(f"{name}: {err}") from None
            except Exception as err:  # the engine's ParseError carries Go's message
                raise ChartError(str(err)) from None
        self.compiler = compile_trees(self.trees, self.funcs)

    def run(self, name: str, data: Any) -> str:
        return execute(self.trees, name, data, "zero", self.compiler)

    def _include(self, name: str, data: Any) -> str:
        if name not in self.trees:
            raise GoError(f'no template "{name}" associated with template "gotpl"')
        return self.run(name, data)

    def _tpl(self, text: str, data: Any) -> str:
        trees = dict(self.trees)
        trees.update(parse_trees("tpl", text, self.funcs))
        return execute(trees, "tpl", data, "zero", compile_trees(trees, self.funcs)).replace("<no value>", "")


def _required(message: str, value: Any) -> Any:
    if value is None or value == "":
        raise GoError(message)
    return value


def _to_json(value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return ""


def _from_json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as err:
        return {"Error": str(err)}
    return value if isinstance(value, dict) else {"Error": "json: cannot unmarshal into map"}


def _helm_order(names: Iterable[str]) -> list[str]:
    """pkg/engine sortTemplates: more path segments first, then names in reverse order."""
    return sorted(names, key=lambda n: (-n.count("/"), _Reverse(n)))


class _Reverse(str):
    def __lt__(self, other: str) -> bool:  # type: ignore[override]
        return str.__gt__(self, other)


def load_chart(chart_dir: Path) -> tuple[dict[str, Any], dict[str, str], dict[str, str], dict[str, Any]]:
    """(chart metadata, templates by Helm name, other files by chart-relative path, values.yaml)."""
    if not (chart_dir / "values.yaml").is_file():
        raise ChartError(f"{chart_dir}: no values.yaml; give the chart's directory")
    meta: dict[str, Any] = {}
    if (chart_dir / "Chart.yaml").is_file():
        meta = load_document((chart_dir / "Chart.yaml").read_text(encoding="utf-8")) or {}
    name = meta.get("name") or chart_dir.name
    templates: dict[str, str] = {}
    files: dict[str, str] = {}
    for path in sorted(chart_dir.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(chart_dir).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel.startswith("templates/") and not rel.endswith(".txt"):
            templates[f"{name}/{rel}"] = text
        else:
            files[rel] = text
    values = load_document(files["values.yaml"]) or {}
    return meta, templates, files, values


def render_chart(
    chart_dir: Path,
    user_values: Mapping[str, Any],
    namespace: str = "istio-system",
    release: str = "istio",
    only: Iterable[str] | None = None,
) -> dict[str, str]:
    """Render the chart's templates (every file still runs, in Helm's order, for its effect on the
    shared values); returns the output of the templates named in `only` (all when None)."""
    meta, templates, files, chart_values = load_chart(chart_dir)
    renderer = _Renderer(templates)
    top: dict[str, Any] = {
        "Values": coalesce_values(chart_values, dict(user_values)),
        "Release": {
            "Name": release,
            "Namespace": namespace,
            "Service": "Helm",
            "IsInstall": True,
            "IsUpgrade": False,
            "Revision": 1,
        },
        "Chart": {
            "Name": meta.get("name", ""),
            "Version": meta.get("version", ""),
            "AppVersion": meta.get("appVersion", ""),
        },
        "Files": _Files(files),
        "Capabilities": {"KubeVersion": {"Version": "v1.30.0", "Major": "1", "Minor": "30"}},
    }
    wanted = set(templates if only is None else only)
    out: dict[str, str] = {}
    for name in _helm_order(n for n in templates if "/_" not in n):
        top["Template"] = {"Name": name, "BasePath": f"{meta.get('name', '')}/templates"}
        try:
            text = renderer.run(name, top)
        except Exception as err:  # ExecError: Go's message names the template and position
            raise ChartError(str(err)) from None
        if name in wanted:
            out[name] = text.replace("<no value>", "")
    return out
