"""The package's layers, checked on every import the code makes: at module top, inside functions,
under TYPE_CHECKING, and the module names given to the lazy loaders (`lazy_module("...")`,
`importlib.import_module("...")`). A module may import its own package and any layer below its own,
never one above or beside it; the shared modules at the package root may be imported by all.

Lowest first (README's Layout says what each package is for):
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sidecarctl"

LAYERS: list[set[str]] = [
    {"golang"},
    {"gotemplate", "yamlio"},
    {"kube", "config"},
    {"inject"},
    {"workflow", "webhook"},
    {"commands"},
    {"cli"},
    {"__main__"},
]
# Root modules every layer may use: the error types, input limits, the on-disk cache, the supported
# Istio releases, the version.
SHARED = {"errors", "limits", "diskcache", "releases", "__init__"}
# Third-party packages only some places may import.
RESTRICTED = {
    "click": {"commands", "cli"},
    "kubernetes": {"config.cluster"},
}
# Modules that import click although they are below commands/: shared option builders that have not
# moved to commands/ yet. The list may only shrink (test_click_debt_is_not_stale).
CLICK_DEBT = {
    "sidecarctl.workflow.inputs",
    "sidecarctl.workflow.outputs",
    "sidecarctl.workflow.progname",
    "sidecarctl.workflow.settings",
}
# Pairs kept apart although the layers would allow them: the object model does not run templates.
APART = {("kube", "gotemplate")}
LAZY_LOADERS = {"lazy_module", "import_module"}
# Upward imports with a reason; the list may only shrink (test_upward_exceptions_are_not_stale).
UPWARD = {
    ("sidecarctl.commands.completion", "sidecarctl.cli"): "shell completion walks the whole command tree",
}


class Edge(NamedTuple):
    module: str
    target: str
    where: str


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name).is_dir()


def _targets(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = _resolve(module, is_package, node.level, node.module) if node.level else (node.module or "")
        # `from sidecarctl import gotemplate` imports the subpackage; `import __version__`, the root
        return [
            f"{base}.{alias.name}" if base == "sidecarctl" and _is_module(alias.name) else base for alias in node.names
        ]
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in LAZY_LOADERS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return [first.value]
            if isinstance(first, ast.JoinedStr):  # f"sidecarctl.commands.{name}": its fixed prefix counts
                head = first.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    return [head.value.rstrip(".")]
    return []


def _edges() -> list[Edge]:
    edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            for target in _targets(node, module, path.name == "__init__.py"):
                where = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"
                edges.append(Edge(module, target, where))
    return edges


EDGES = _edges()


def _unit(module: str) -> str:
    """The package (or root module) a sidecarctl module belongs to: `gotemplate`, `errors`, `cli`."""
    parts = module.split(".")
    if parts == ["sidecarctl"]:
        return "__init__"
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(unit: str) -> int | None:
    for index, layer in enumerate(LAYERS):
        if unit in layer:
            return index
    return None


def test_every_package_has_a_layer() -> None:
    units = {_unit(_module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert sorted(u for u in units if _layer(u) is None and u not in SHARED) == []


def _layer_violations() -> list[str]:
    bad = []
    for edge in EDGES:
        if not edge.target.startswith("sidecarctl.") or edge.target == "sidecarctl":
            continue
        source, target = _unit(edge.module), _unit(edge.target)
        if source == target or target in SHARED:
            continue
        if source in SHARED:
            if target not in SHARED:
                bad.append(f"{edge.where}: shared module {edge.module} imports {edge.target}")
            continue
        if (edge.module, edge.target) in UPWARD:
            continue
        source_layer, target_layer = _layer(source), _layer(target)
        if source_layer is None or target_layer is None or target_layer >= source_layer:
            bad.append(
                f"{edge.where}: {edge.module} ({source}) imports {edge.target} ({target}), which is not below it"
            )
    return bad


def test_layers_import_only_downwards() -> None:
    assert _layer_violations() == []


def _allowed(module: str, places: set[str]) -> bool:
    rest = module.removeprefix("sidecarctl.")
    return any(rest == place or rest.startswith(place + ".") for place in places)


@pytest.mark.parametrize("package", sorted(RESTRICTED))
def test_restricted_third_party_imports(package: str) -> None:
    bad = [
        f"{e.where}: {e.module} imports {e.target}"
        for e in EDGES
        if e.target.split(".")[0] == package
        and not _allowed(e.module, RESTRICTED[package])
        and not (package == "click" and e.module in CLICK_DEBT)
    ]
    assert bad == []


def test_upward_exceptions_are_not_stale() -> None:
    made = {(e.module, e.target) for e in EDGES}
    assert sorted(set(UPWARD) - made) == []


def test_click_debt_is_not_stale() -> None:
    importing = {e.module for e in EDGES if e.target.split(".")[0] == "click"}
    assert sorted(CLICK_DEBT - importing) == []


@pytest.mark.parametrize("source,target", sorted(APART))
def test_packages_kept_apart(source: str, target: str) -> None:
    bad = [
        f"{e.where}: {e.target}"
        for e in EDGES
        if _unit(e.module) == source and e.target.startswith("sidecarctl.") and _unit(e.target) == target
    ]
    assert bad == []


def test_golang_imports_nothing_else_from_sidecarctl() -> None:
    bad = [
        f"{e.where}: {e.target}"
        for e in EDGES
        if _unit(e.module) == "golang" and e.target.startswith("sidecarctl.") and _unit(e.target) != "golang"
    ]
    assert bad == []


def test_the_checker_sees_a_violation() -> None:
    """The checker itself: an upward import in a made-up module is reported."""
    tree = ast.parse("from sidecarctl.inject import pipeline\n")
    targets = [t for node in ast.walk(tree) for t in _targets(node, "sidecarctl.kube.typed", False)]
    assert targets == ["sidecarctl.inject"]
    assert _layer(_unit("sidecarctl.inject")) > _layer(_unit("sidecarctl.kube.typed"))  # type: ignore[operator]
