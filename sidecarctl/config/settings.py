"""Loading every piece of injection settings, in istioctl kube-inject's order of precedence:
--operatorFileName (its values and mesh config), then the --injectConfigFile / --valuesFile /
--meshConfigFile files, then sidecarctl's built-in defaults (--offline) or the cluster.

The settings also say which Istio release they are for (`Settings.release`, see sidecarctl.releases):
the one --istio-version names, else the newest for built-in settings, else the one the values
were made for (`global.tag`), with a note in `Settings.notes` when that cannot be told."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sidecarctl.config.inject_config import InjectConfig, InjectConfigError, parse_inject_config
from sidecarctl.config.mesh import MeshError, apply_mesh_config
from sidecarctl.config.proto import Message
from sidecarctl.config.values import ValuesConfig, ValuesError, parse_values
from sidecarctl.config.yamltext import YamlTextError, load_yaml
from sidecarctl.errors import ConfigError
from sidecarctl.releases import FEATURES, Release, detect, for_release, newest
from sidecarctl.releases import release as named_release

DEFAULTS_PACKAGE = "sidecarctl.defaults"
DEFAULT_FILES = {"config": "inject-config.yaml", "values": "values.json", "mesh": "mesh-config.yaml"}


class SettingsSource(Protocol):
    """Where pieces not given as files come from when not offline (the cluster's ConfigMaps)."""

    def inject_template(self) -> str: ...

    def inject_values(self) -> str: ...

    def mesh_config(self) -> str: ...


class Settings:
    """Every piece of settings (a plain class: a dataclass costs ~0.3 ms of startup to generate)."""

    def __init__(
        self,
        inject_config: InjectConfig,
        values: ValuesConfig,
        mesh: Message,
        revision: str = "",
        sources: dict[str, str] | None = None,
        release: Release | None = None,
        notes: list[str] | None = None,
    ) -> None:
        self.inject_config = inject_config
        self.values = values
        self.mesh = mesh  # istio.mesh.v1alpha1.MeshConfig, defaults applied
        self.revision = revision
        self.sources: dict[str, str] = {} if sources is None else sources  # piece -> where it came from
        self.release = newest() if release is None else release  # whose Go behaviour injection follows
        self.notes: list[str] = [] if notes is None else notes  # one-line notes for stderr or the log

    def __repr__(self) -> str:
        return f"Settings(revision={self.revision!r}, sources={self.sources!r})"

    @property
    def templates(self) -> Mapping[str, Any]:
        return self.inject_config.templates


def load_settings(
    inject_config_file: str | None = None,
    values_file: str | None = None,
    mesh_config_file: str | None = None,
    operator_file: str | None = None,
    offline: bool = False,
    revision: str = "",
    cluster: SettingsSource | None = None,
    istio_version: str | None = None,
) -> Settings:
    """Every piece of settings, or a one-line ConfigError naming the file and the fix.
    `istio_version` (`1.28`, ...) picks the built-in settings and the Go behaviour of that release."""
    chosen = named_release(istio_version) if istio_version else None
    builtin = chosen or newest()
    op_values, op_mesh = _operator(operator_file)
    sources: dict[str, str] = {}
    # A built-in inject config is read once the release is known (reading it cannot fail): with
    # --offline and a values file for 1.28, the built-in pieces are 1.28's, not the newest's.
    config_text, sources["config"] = (
        ("", "built-in")
        if offline and not inject_config_file
        else _piece("config", inject_config_file, offline, cluster, builtin)
    )
    if op_values is not None:
        values_text, sources["values"] = op_values, f"--operatorFileName {operator_file}"
    else:
        values_text, sources["values"] = _piece("values", values_file, offline, cluster, builtin)
    # The release decides which template functions exist, so it is known before the templates parse;
    # a values error is still reported after any inject config error, as before.
    values_problem: ConfigError | None = None
    values: ValuesConfig | None = None
    try:
        values = _values(values_text, sources["values"])
    except ConfigError as err:
        values_problem = err
    notes: list[str] = []
    if chosen is not None:
        found = chosen
    elif all(source.startswith("built-in") for source in sources.values()) or values is None:
        found = builtin
    else:
        found, note = detect(values.as_map)
        if note:
            notes.append(note)
        builtin = found
    if sources["config"] == "built-in":
        config_text, sources["config"] = _piece("config", None, offline, cluster, builtin)
    inject_config = _inject_config(config_text, sources["config"], found)
    if values_problem is not None or values is None:
        raise values_problem or ConfigError(f"{sources['values']}: no values")
    if op_mesh is not None:
        sources["mesh"] = f"--operatorFileName {operator_file}"
        mesh = _mesh(op_mesh, sources["mesh"], found, notes)
    else:
        mesh_text, sources["mesh"] = _piece("mesh", mesh_config_file, offline, cluster, builtin)
        mesh = _mesh(_yaml(mesh_text, sources["mesh"]), sources["mesh"], found, notes)
    return Settings(inject_config, values, mesh, revision, sources, found, notes)


_FLAGS = {"config": "--injectConfigFile", "values": "--valuesFile", "mesh": "--meshConfigFile"}


def _piece(
    piece: str, path: str | None, offline: bool, cluster: SettingsSource | None, builtin: Release
) -> tuple[str, str]:
    """(text, source description) of one piece of settings; `builtin` is the release whose
    built-in settings --offline uses."""
    if path:
        return read_file(path, _FLAGS[piece]), f"{_FLAGS[piece]} {path}"
    if offline:
        return builtin_text(piece, builtin), f"built-in {builtin.version}/{DEFAULT_FILES[piece]}"
    if cluster is not None:
        reader = {"config": cluster.inject_template, "values": cluster.inject_values, "mesh": cluster.mesh_config}
        return reader[piece](), f"cluster {piece}"
    raise ConfigError(f"no {_FLAGS[piece]} given: pass {_FLAGS[piece]} FILE, or --offline for the built-in settings")


def builtin_text(piece: str, release: Release) -> str:
    """One built-in settings file of a release (sidecarctl/defaults/<version>/)."""
    import importlib.resources  # only here: it costs ~5 ms of startup (pathlib, urllib)

    folder = importlib.resources.files(DEFAULTS_PACKAGE).joinpath(release.defaults)
    return folder.joinpath(DEFAULT_FILES[piece]).read_text("utf-8")


def read_file(path: str, flag: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return f.read()
    except FileNotFoundError:
        raise ConfigError(f"{flag} {path}: open {path}: no such file or directory; check the path") from None
    except IsADirectoryError:
        raise ConfigError(f"{flag} {path}: read {path}: is a directory; give a file") from None
    except OSError as err:
        raise ConfigError(f"{flag} {path}: {err.strerror or err}; check the file can be read") from None


def _operator(path: str | None) -> tuple[str | None, Any]:
    if not path:
        return None, None
    from sidecarctl.config.operator import OperatorError, read_operator

    text = read_file(path, "--operatorFileName")
    try:
        op = read_operator(text)
    except OperatorError as err:
        raise ConfigError(f"--operatorFileName {path}: {err}; fix the IstioOperator file") from None
    return op.values_json, op.mesh_config


def _inject_config(text: str, source: str, release: Release | None = None) -> InjectConfig:
    try:
        config = parse_inject_config(text, release)
    except InjectConfigError as err:
        at = f" (line {err.line}, column {err.column})" if err.line and err.column else ""
        where = f'template "{err.template}"{at}: ' if err.template else ""
        raise ConfigError(f"{source}: {where}{err}; {_template_fix(str(err), release)}") from None
    _check_selectors(config, source)
    return config


def _template_fix(message: str, release: Release | None) -> str:
    """The advice for a template that does not parse: a function a later release added names the
    release the templates are for (istioctl of the older release fails on them just the same)."""
    for feature, since in FEATURES.items():
        if release is not None and not release.has(feature) and f'function "{feature}" not defined' in message:
            later = f"{since[0]}.{since[1]}"
            return (
                f"these templates are for Istio {later} or later, injecting as Istio {release.name}: "
                f"pass --istio-version {later}, or use Istio {release.name}'s templates"
            )
    return "fix the injection template"


def _check_selectors(config: InjectConfig, source: str) -> None:
    """An invalid selector would silently never match in Istio's webhook: refuse it up front."""
    from sidecarctl.config.strict import selector_problem

    if source.startswith("cluster"):  # the cluster's own config is read as Istio reads it
        return
    for name, selectors in (
        ("neverInjectSelector", config.never_inject_selector),
        ("alwaysInjectSelector", config.always_inject_selector),
    ):
        for i, selector in enumerate(selectors):
            problem = selector_problem(selector)
            if problem:
                raise ConfigError(f"{source}: {name}[{i}]: {problem}; fix the label selector")


def _values(text: str, source: str) -> ValuesConfig:
    try:
        return parse_values(text)
    except ValuesError as err:
        raise ConfigError(f"{source}: {err}; give the injector values as JSON or YAML") from None


def _yaml(text: str, source: str) -> Any:
    """The mesh config text decoded; Istio's ApplyYAML reports YAML errors as proto errors."""
    try:
        return load_yaml(text)
    except YamlTextError as err:
        raise ConfigError(f"{source}: failed to convert to proto. {err}; fix the mesh config YAML") from None


def _mesh(data: Any, source: str, release: Release | None = None, notes: list[str] | None = None) -> Message:
    if release is not None:  # an older release ignores the fields its Istio does not know
        data, dropped = for_release(data, release)
        if dropped and notes is not None:
            notes.append(
                f"note: {source}: {', '.join(dropped)} not known to Istio {release.name}; ignored as "
                f"Istio {release.name} ignores {'it' if len(dropped) == 1 else 'them'}"
            )
    if source.startswith("--"):  # a file the user gave: a misspelt field is a mistake, not forward compatibility
        from sidecarctl.config.mesh import MESH
        from sidecarctl.config.strict import unknown_field

        problem = unknown_field(MESH, data)
        if problem:
            raise ConfigError(f"{source}: {problem}; fix the mesh config")
    try:
        return apply_mesh_config(data)
    except MeshError as err:
        raise ConfigError(f"{source}: {err}; fix the mesh config") from None
