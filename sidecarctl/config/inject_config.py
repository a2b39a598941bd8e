"""The injector config (`config` key of ConfigMap istio-sidecar-injector, or --injectConfigFile).

istioctl's readInjectConfigFile: the text is decoded as an inject.Config; when that fails or it
has no `templates`, the whole text is one bare template named `sidecar`. Otherwise
inject.UnmarshalConfig normalises it (`defaultTemplates` defaults to `[sidecar]`) and every
template is parsed up front, all named `inject` (a parse error in any template fails the command).
sidecarctl also accepts the legacy single `template:` key (it becomes template `sidecar`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sidecarctl.config.yamltext import YamlTextError, load_yaml
from sidecarctl.releases import OTEL_RESOURCE_ATTRIBUTES, Release

SIDECAR_TEMPLATE = "sidecar"
TEMPLATE_NAME = "inject"  # Istio parses every injection template as template.New("inject")


class InjectConfigError(Exception):
    """A config Istio refuses; `template` names the template whose text does not parse."""

    def __init__(self, message: str, template: str = "", line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.template = template
        self.line, self.column = line, column  # where in the template text, when the parser knows


class InjectConfig:
    """inject.Config: policy, selectors, templates (raw and parsed), aliases.

    A plain class rather than a dataclass: generating one costs ~0.3 ms of every run's startup."""

    def __init__(
        self,
        raw_templates: dict[str, str],
        policy: str = "",
        default_templates: list[str] | None = None,
        aliases: dict[str, list[str]] | None = None,
        never_inject_selector: list[dict[str, Any]] | None = None,
        always_inject_selector: list[dict[str, Any]] | None = None,
        injected_annotations: dict[str, str] | None = None,
        bare: bool = False,
        legacy: bool = False,
        templates: Mapping[str, Any] | None = None,
    ) -> None:
        self.raw_templates = raw_templates
        self.policy = policy
        self.default_templates = [SIDECAR_TEMPLATE] if default_templates is None else default_templates
        self.aliases = {} if aliases is None else aliases
        self.never_inject_selector = [] if never_inject_selector is None else never_inject_selector
        self.always_inject_selector = [] if always_inject_selector is None else always_inject_selector
        self.injected_annotations = {} if injected_annotations is None else injected_annotations
        self.bare = bare  # the text was a template, not a config
        # The config used the pre-1.8 single `template:` key, whose template renders a
        # SidecarInjectionSpec (top-level containers/volumes/...) rather than a partial Pod.
        self.legacy = legacy
        self.templates: Mapping[str, Any] = {} if templates is None else templates  # name -> gotemplate.Template

    def _key(self) -> tuple[Any, ...]:
        # The parsed templates follow from raw_templates, so equal configs compare without them.
        return (
            self.raw_templates,
            self.policy,
            self.default_templates,
            self.aliases,
            self.never_inject_selector,
            self.always_inject_selector,
            self.injected_annotations,
            self.bare,
            self.legacy,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InjectConfig) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"InjectConfig(templates={sorted(self.raw_templates)}, policy={self.policy!r}, "
            f"default_templates={self.default_templates}, legacy={self.legacy}, bare={self.bare})"
        )


# Go's encoding/json into inject.Config: field -> expected JSON shape.
_SHAPES = {
    "policy": "string",
    "defaultTemplates": "[]string",
    "templates": "map[string]string",
    "aliases": "map[string][]string",
    "neverInjectSelector": "[]selector",
    "alwaysInjectSelector": "[]selector",
    "injectedAnnotations": "map[string]string",
}


def parse_inject_config(text: str, release: Release | None = None) -> InjectConfig:
    """The config in whichever form the text has, with its templates parsed (with the template
    functions of `release`, default the newest)."""
    decoded = _decode(text)
    if decoded is None:
        config = InjectConfig(raw_templates={SIDECAR_TEMPLATE: text}, bare=True)
    else:
        config = decoded
    config.templates = parse_templates(config.raw_templates, release)
    return config


_RELEASE_FUNCS: dict[str, Any] = {}


def release_funcs(release: Release | None) -> Any:
    """Sprig and Istio's template functions as `release`'s Go code has them: a function Istio added
    later is not defined (`otelResourceAttributes` before 1.30). One mapping per release, so the
    template caches recognise it."""
    from sidecarctl.gotemplate import funcmap

    funcs = funcmap("istio")
    if release is None or release.has(OTEL_RESOURCE_ATTRIBUTES):
        return funcs
    cached = _RELEASE_FUNCS.get(release.version)
    if cached is None:
        cached = _RELEASE_FUNCS[release.version] = _Without(funcs, frozenset({OTEL_RESOURCE_ATTRIBUTES}))
    return cached


class _Without(Mapping[str, Any]):
    """A function map without some names."""

    def __init__(self, base: Mapping[str, Any], hidden: frozenset[str]) -> None:
        self._base, self._hidden = base, hidden

    def __getitem__(self, name: str) -> Any:
        if name in self._hidden:
            raise KeyError(name)
        return self._base[name]

    def __contains__(self, name: object) -> bool:
        return name not in self._hidden and name in self._base

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._base if name not in self._hidden)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def parse_templates(raw: dict[str, str], release: Release | None = None) -> dict[str, Any]:
    """inject.ParseTemplates: every template parsed with Sprig and Istio's functions; a template
    marked `{# jinja2 #}` is compiled as Jinja2 instead (sidecarctl.gotemplate.jinja)."""
    from sidecarctl.gotemplate import TemplateError, parse

    funcs = release_funcs(release)
    parsed: dict[str, Any] = {}
    for name, text in raw.items():
        try:
            if text.lstrip("\ufeff").startswith("{#"):  # perhaps the `{# jinja2 #}` dialect marker
                from sidecarctl.gotemplate import jinja

                if jinja.is_jinja(text):
                    parsed[name] = jinja.parse(text, name=TEMPLATE_NAME)
                    continue
            parsed[name] = parse(text, name=TEMPLATE_NAME, funcs=funcs, persist=True)
        except TemplateError as err:
            raise InjectConfigError(
                str(err), template=name, line=getattr(err, "line", None), column=getattr(err, "column", None)
            ) from None
    return parsed


def _decode(text: str) -> InjectConfig | None:
    """The text as an inject.Config, or None where istioctl would take it as a bare template."""
    try:
        data = load_yaml(text)
    except YamlTextError:
        return None
    if not isinstance(data, dict):
        return None
    fields = _fold_keys(data)
    if not all(_fits(fields.get(k), shape) for k, shape in _SHAPES.items()):
        return None
    templates = {k: v or "" for k, v in (fields.get("templates") or {}).items()}
    legacy = fields.get("template")
    is_legacy = not templates and isinstance(legacy, str) and bool(legacy)
    if is_legacy:
        templates = {SIDECAR_TEMPLATE: legacy}
    if not templates:
        return None
    return InjectConfig(
        legacy=is_legacy,
        raw_templates=templates,
        policy=fields.get("policy") or "",
        default_templates=list(fields.get("defaultTemplates") or []) or [SIDECAR_TEMPLATE],
        aliases={k: list(v or []) for k, v in (fields.get("aliases") or {}).items()},
        never_inject_selector=list(fields.get("neverInjectSelector") or []),
        always_inject_selector=list(fields.get("alwaysInjectSelector") or []),
        injected_annotations={k: v or "" for k, v in (fields.get("injectedAnnotations") or {}).items()},
    )


def _fold_keys(data: dict[Any, Any]) -> dict[str, Any]:
    """encoding/json matches struct fields by exact name, else case-insensitively."""
    known = {k.lower(): k for k in (*_SHAPES, "template")}
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = known.get(str(key).lower())
        if name is not None and (name not in out or str(key) == name):
            out[name] = value
    return out


def _fits(value: Any, shape: str) -> bool:
    """Whether encoding/json would decode the value into the Go field without an error."""
    if value is None:
        return True
    if shape == "string":
        return isinstance(value, str)
    if shape.startswith("[]"):
        return isinstance(value, list) and all(_fits(v, shape[2:]) for v in value)
    if shape.startswith("map[string]"):
        return isinstance(value, dict) and all(_fits(v, shape[len("map[string]") :]) for v in value.values())
    if shape == "selector":
        return isinstance(value, dict) and _fits_selector(value)
    return False


def _fits_selector(sel: dict[str, Any]) -> bool:
    fields = {str(k).lower(): v for k, v in sel.items()}
    if not _fits(fields.get("matchlabels"), "map[string]string"):
        return False
    exprs = fields.get("matchexpressions")
    if exprs is None:
        return True
    if not isinstance(exprs, list):
        return False
    for e in exprs:
        if e is None:
            continue
        if not isinstance(e, dict):
            return False
        ef = {str(k).lower(): v for k, v in e.items()}
        if not (
            _fits(ef.get("key"), "string")
            and _fits(ef.get("operator"), "string")
            and _fits(ef.get("values"), "[]string")
        ):
            return False
    return True
