#!/usr/bin/env python3
"""Istio releases for sidecarctl: render a release's injection settings from its chart, and add a release.

    python3 hack/istio_release.py add 1.31.0 --istio-git DIR     # everything a new release needs
    python3 hack/istio_release.py defaults [RELEASE ...]          # regenerate sidecarctl/defaults/<release>/
    python3 hack/istio_release.py suite RELEASE --istio-git DIR   # regenerate tests/conformance/istio-<release>/
    python3 hack/istio_release.py render RELEASE --out DIR [--profile test|default] [--set PATH=VALUE ...]
                                                  [-f IOP.yaml] [--mesh-config JSON]

Run it with the venv's Python (it imports sidecarctl). DIR is a git directory or clone of
github.com/istio/istio holding the release's tag.

How a release's settings are made (what `istioctl install` and Istio's injection test do, in Go):
  1. the IstioOperator inputs are merged as operator/pkg/render.MergeInputs merges them: the `default`
     profile (plus the named one), the compiled-in hub/tag (a release build: docker.io/istio and the
     release's tag; Istio's test binary has none), the user's files and --set paths; then spec.hub/tag/
     meshConfig/revision become Helm values and components.{pilot,cni}.enabled become
     values.pilot.enabled / values.pilot.cni.enabled;
  2. the istio-discovery chart is rendered with those values (hack/helmchart.py: Helm over sidecarctl's
     Go template engine);
  3. the settings are the ConfigMap texts a cluster would hold: `config` and `values` of
     istio-sidecar-injector, `mesh` of istio (written as kubectl's jsonpath prints them: no final newline).

Profiles: `default` is a default install of the release (the built-in --offline settings); `test` is what
pkg/kube/inject's TestInjection uses (profile=empty, components.pilot.enabled=true, the profile's
registry.istio.io/testing or gcr.io/istio-testing hub and tag `latest`).

The pinned inputs live in hack/istio-charts/<release>/ (the chart files and profiles this reads, copied
byte for byte from the tag, with Istio's LICENSE and a PROVENANCE.md), so the defaults and the test of
this generator need no Istio checkout.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from helmchart import ChartError, render_chart  # noqa: E402

from sidecarctl.yamlio import load_document, split_documents  # noqa: E402

CHARTS = HERE / "istio-charts"
DEFAULTS = ROOT / "sidecarctl" / "defaults"
SUITES = ROOT / "tests" / "conformance"
RELEASES_MODULE = ROOT / "sidecarctl" / "releases" / "__init__.py"
CHART = "manifests/charts/istio-control/istio-discovery"
PROFILES = "manifests/profiles"
# What is pinned of a release: the chart's settings templates, its files and values, two profiles.
CHART_TEMPLATES = (
    "_helpers.tpl",
    "configmap.yaml",
    "istiod-injector-configmap.yaml",
    "zzy_descope_legacy.yaml",
    "zzz_profile.yaml",
)
PINNED_PROFILES = ("default.yaml", "empty.yaml")
RELEASE_HUB = "docker.io/istio"  # the hub of Istio's release builds (istioctl's compiled-in hub)
SETTINGS_FILES = {"config": "inject-config.yaml", "values": "inject-values.yaml", "mesh": "mesh-config.yaml"}
DEFAULTS_FILES = {"config": "inject-config.yaml", "values": "values.json", "mesh": "mesh-config.yaml"}
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


class ReleaseError(Exception):
    """A one-line reason the command cannot go on, with what to do."""


# --- the operator's input merging (operator/pkg/render/manifest.go, operator/pkg/values) ---------------

_ALWAYS_STRING = (
    "spec.values.compatibilityVersion",
    "spec.tag",
    "spec.values.global.tag",
    "spec.meshConfig.defaultConfig.proxyMetadata.",
    "spec.values.meshConfig.defaultConfig.proxyMetadata.",
    "spec.compatibilityVersion",
)


def parse_value(text: str) -> Any:
    """values.parseValue: Go's Atoi, then ParseFloat, then ParseBool, else the string (`\\,` -> `,`)."""
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity|nan)", text, re.IGNORECASE):
            return float(text)
    except ValueError:
        pass
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return text.replace("\\,", ",")


def merge_from(base: dict[str, Any], other: dict[str, Any]) -> None:
    """values.Map.MergeFrom: maps merge key by key, anything else (lists, nulls) overwrites."""
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge_from(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def set_path(tree: dict[str, Any], flag: str) -> None:
    """values.Map.SetPaths for one `a.b.c=value` (the value typed unless the path is always a string)."""
    path, sep, raw = flag.partition("=")
    if not sep:
        raise ReleaseError(f"--set {flag}: want PATH=VALUE")
    path, raw = path.strip(), raw.strip()
    if "[" in path:
        raise ReleaseError(f"--set {flag}: list paths are not supported; use an IstioOperator file (-f)")
    value = raw if any(path.startswith(p) for p in _ALWAYS_STRING) else parse_value(raw)
    keys = [k for k in path.split(".") if k]
    node = tree
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value


def _yaml_map(text: str, where: str) -> dict[str, Any]:
    value = load_document(text)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ReleaseError(f"{where}: not a YAML map; give an IstioOperator file")
    return value


def merge_inputs(
    profiles_dir: Path, iop_files: Sequence[Path], set_flags: Sequence[str], hub_tag: tuple[str, str] | None
) -> dict[str, Any]:
    """render.MergeInputs: the merged IstioOperator, with its values translated for Helm (the profile is
    the user's `spec.profile`, from a file or `--set profile=NAME`, else `default`)."""
    user: dict[str, Any] = {
        "apiVersion": "install.istio.io/v1alpha1",
        "kind": "IstioOperator",
        "metadata": {},
        "spec": {},
    }
    for path in iop_files:
        doc = _yaml_map(path.read_text(encoding="utf-8"), str(path))
        if doc.get("spec") is None:
            doc.pop("spec", None)
        merge_from(user, doc)
    for flag in set_flags:
        set_path(user, "spec." + flag)
    profile = str(user["spec"].get("profile") or "default")
    user_values = copy.deepcopy(user["spec"].get("values"))
    base = _profile(profiles_dir, "default")
    if profile != "default":
        merge_from(base, _profile(profiles_dir, profile))
    if hub_tag is not None:
        set_path(base, f"spec.hub={hub_tag[0]}")
        set_path(base, f"spec.tag={hub_tag[1]}")
    merge_from(base, user)
    spec = base.setdefault("spec", {})
    values = spec.setdefault("values", {})
    for src, dst in (
        ("hub", "global.hub"),
        ("tag", "global.tag"),
        ("revision", "revision"),
        ("meshConfig", "meshConfig"),
        ("compatibilityVersion", "compatibilityVersion"),
    ):
        if src not in spec:
            continue
        if isinstance(spec[src], dict):
            merge_from(values, {dst: spec[src]})
        else:
            set_path(base, f"spec.values.{dst}={_go_v(spec[src])}")
    components = spec.get("components") or {}
    set_path(base, f"spec.values.pilot.enabled={_go_v(_enabled(components, 'pilot'))}")
    set_path(base, f"spec.values.pilot.cni.enabled={_go_v(_enabled(components, 'cni'))}")
    if user_values is not None:
        merge_from(base, {"spec": {"values": user_values}})
    return base


def _enabled(components: Any, name: str) -> bool:
    """GetPathBool("spec.components.NAME.enabled"): true only for a boolean true."""
    component = components.get(name) if isinstance(components, dict) else None
    return isinstance(component, dict) and component.get("enabled") is True


def _go_v(value: Any) -> str:
    """fmt's %v of a decoded value, as SetSpecPaths receives it back."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _profile(profiles_dir: Path, name: str) -> dict[str, Any]:
    path = profiles_dir / f"{name}.yaml"
    if not path.is_file():
        raise ReleaseError(f"profile {name!r} not found in {profiles_dir}; pin it or choose another")
    return _yaml_map(path.read_text(encoding="utf-8"), str(path))


# --- settings ---------------------------------------------------------------------------------------


def render_settings(
    release_dir: Path,
    profile: str = "test",
    set_flags: Sequence[str] = (),
    iop_files: Sequence[Path] = (),
    mesh_config: dict[str, Any] | None = None,
    release: str | None = None,
) -> dict[str, str]:
    """The three ConfigMap texts {config, values, mesh} of one install of a pinned release."""
    if profile == "test":  # getInjectionSettings: these flags after the case's; no compiled-in hub/tag
        flags, hub_tag = [*set_flags, "profile=empty", "components.pilot.enabled=true"], None
    elif profile == "default":  # istioctl install of a release build
        flags, hub_tag = list(set_flags), (RELEASE_HUB, release or release_dir.name)
    else:
        raise ReleaseError(f"profile {profile!r}: want test or default")
    merged = merge_inputs(release_dir / PROFILES, iop_files, flags, hub_tag)
    if mesh_config:  # what spec.meshConfig becomes: values.meshConfig
        merge_from(merged["spec"].setdefault("values", {}), {"meshConfig": mesh_config})
    values = merged["spec"].get("values") or {}
    namespace = values.get("global", {}).get("istioNamespace") or "istio-system"
    try:
        out = render_chart(release_dir / CHART, values, namespace=namespace)
    except ChartError as err:
        raise ReleaseError(f"{release_dir / CHART}: {err}") from None
    found: dict[str, str] = {}
    for text in out.values():
        for doc in split_documents(text):
            obj = load_document(doc)
            if not isinstance(obj, dict) or obj.get("kind") != "ConfigMap":
                continue
            name, data = (obj.get("metadata") or {}).get("name"), obj.get("data") or {}
            if name == "istio-sidecar-injector":
                found["config"], found["values"] = data["config"], data["values"]
            elif name == "istio":
                found["mesh"] = data["mesh"]
    missing = sorted(set(SETTINGS_FILES) - set(found))
    if missing:
        raise ReleaseError(f"{release_dir}: the chart rendered no {', '.join(missing)}; check the pinned chart")
    return found


def write_settings(settings: dict[str, str], out: Path, names: dict[str, str] = SETTINGS_FILES) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for piece, name in names.items():
        (out / name).write_text(settings[piece], encoding="utf-8")


# --- pinning a release's inputs -----------------------------------------------------------------------


def git_show(git_dir: Path, tag: str, path: str) -> bytes:
    args = ["git", f"--git-dir={_git_dir(git_dir)}", "show", f"{tag}:{path}"]
    done = subprocess.run(args, capture_output=True)
    if done.returncode:
        raise ReleaseError(f"{git_dir}: no {path} at tag {tag}: {done.stderr.decode().strip()}; fetch the tag")
    return done.stdout


def git_ls(git_dir: Path, tag: str, path: str) -> list[str]:
    args = ["git", f"--git-dir={_git_dir(git_dir)}", "ls-tree", "--name-only", f"{tag}:{path}"]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode:
        raise ReleaseError(f"{git_dir}: no {path} at tag {tag}: {done.stderr.strip()}; fetch the tag")
    return done.stdout.split()


def git_commit(git_dir: Path, tag: str) -> str:
    done = subprocess.run(
        ["git", f"--git-dir={_git_dir(git_dir)}", "rev-list", "-n1", tag], capture_output=True, text=True
    )
    if done.returncode:
        raise ReleaseError(f"{git_dir}: no tag {tag}; fetch it (git fetch --tags)")
    return done.stdout.strip()


def _git_dir(path: Path) -> Path:
    return path / ".git" if (path / ".git").exists() else path


def pin_chart(git_dir: Path, release: str) -> Path:
    """Copy the release's chart inputs byte for byte into hack/istio-charts/<release>/."""
    dest = CHARTS / release
    if dest.exists():
        shutil.rmtree(dest)
    wanted = [f"{CHART}/values.yaml", f"{CHART}/Chart.yaml"]
    wanted += [f"{CHART}/templates/{name}" for name in CHART_TEMPLATES]
    wanted += [f"{CHART}/files/{name}" for name in git_ls(git_dir, release, f"{CHART}/files")]
    wanted += [f"{PROFILES}/{name}" for name in PINNED_PROFILES]
    for path in wanted:
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(git_show(git_dir, release, path))
    (dest / "LICENSE").write_bytes(git_show(git_dir, release, "LICENSE"))
    commit = git_commit(git_dir, release)
    (dest / "PROVENANCE.md").write_text(
        f"# Istio {release} chart inputs (data, not code of sidecarctl)\n\n"
        f"Copied byte for byte from https://github.com/istio/istio, tag `{release}`, commit `{commit}`, by\n"
        f"`python3 hack/istio_release.py add {release} --istio-git DIR`. Istio is licensed under the Apache License\n"
        "2.0 (Copyright Istio Authors); `LICENSE` here is the upstream licence file, unchanged.\n\n"
        "Only what the settings generator reads is kept: the istio-discovery chart's `values.yaml`, `Chart.yaml`,\n"
        f"`files/` and the templates {', '.join(CHART_TEMPLATES)}, and the\n"
        f"profiles {', '.join(PINNED_PROFILES)}.\n",
        encoding="utf-8",
    )
    return dest


# --- built-in defaults ----------------------------------------------------------------------------------


def generate_defaults(release: str) -> Path:
    """sidecarctl/defaults/<release>/: a default install's settings, rendered from the pinned chart."""
    release_dir = CHARTS / release
    if not release_dir.is_dir():
        raise ReleaseError(f"no pinned chart for {release} in {CHARTS}; run `add {release} --istio-git DIR` first")
    settings = render_settings(release_dir, profile="default", release=release)
    out = DEFAULTS / release
    write_settings(settings, out, DEFAULTS_FILES)
    shutil.copyfile(release_dir / "LICENSE", out / "LICENSE")
    (out / "PROVENANCE.md").write_text(
        f"# Built-in settings of Istio {release} (`--offline --istio-version {_minor(release)}`)\n\n"
        f"Generated by `python3 hack/istio_release.py defaults {release}` from the chart pinned in\n"
        f"`hack/istio-charts/{release}/` (see its PROVENANCE.md): what a default install (`istioctl install`,\n"
        f"profile `default`, hub `{RELEASE_HUB}`, tag `{release}`) puts in its ConfigMaps, as\n"
        "`kubectl get configmap -o jsonpath` prints them:\n\n"
        "* `inject-config.yaml`: `data.config` of `istio-sidecar-injector` (Istio's injection templates);\n"
        "* `values.json`: `data.values` of `istio-sidecar-injector`;\n"
        "* `mesh-config.yaml`: `data.mesh` of `istio`.\n\n"
        "Istio is licensed under the Apache License 2.0 (Copyright Istio Authors); `LICENSE` is its licence file.\n"
        "Do not edit by hand: `tests/releases/test_generator.py` checks these files are what the generator writes.\n",
        encoding="utf-8",
    )
    return out


def _minor(release: str) -> str:
    return ".".join(release.split(".")[:2])


# --- conformance suites -----------------------------------------------------------------------------------

# TestInjection's `mesh: func(m)` mutations, each as the meshConfig an install would carry to the same effect
# (Istio applies them after mesh.ApplyMeshConfig; proxy config fields merge, extension providers append).
# Keyed by the function body with all white space removed; a new release's unknown mutation stops `suite`.
MESH_MUTATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "m.DefaultConfig.InterceptionMode=meshapi.ProxyConfig_TPROXY": (
        "interception-mode-tproxy",
        {"defaultConfig": {"interceptionMode": "TPROXY"}},
    ),
    "m.DefaultConfig.DrainDuration=durationpb.New(time.Second*23)": (
        "drain-duration-23s",
        {"defaultConfig": {"drainDuration": "23s"}},
    ),
    "ifm.DefaultConfig.ProxyMetadata==nil{m.DefaultConfig.ProxyMetadata=map[string]string{}}"
    'm.DefaultConfig.ProxyMetadata["ISTIO_META_TLS_CLIENT_KEY"]="/etc/identity/client/keys/client-key.pem"': (
        "proxy-metadata-tls-client-key",
        {"defaultConfig": {"proxyMetadata": {"ISTIO_META_TLS_CLIENT_KEY": "/etc/identity/client/keys/client-key.pem"}}},
    ),
    "m.DefaultConfig.Tracing=&meshapi.Tracing{}": ("tracing-empty", {"defaultConfig": {"tracing": {}}}),
    "m.InboundTrafficPolicy=&meshapi.MeshConfig_InboundTrafficPolicy{"
    "Mode:meshapi.MeshConfig_InboundTrafficPolicy_LOCALHOST,}": (
        "inbound-traffic-localhost",
        {"inboundTrafficPolicy": {"mode": "LOCALHOST"}},
    ),
    'm.ExtensionProviders=append(m.ExtensionProviders,&meshapi.MeshConfig_ExtensionProvider{Name:"otel",'
    "Provider:&meshapi.MeshConfig_ExtensionProvider_Opentelemetry{"
    "Opentelemetry:&meshapi.MeshConfig_ExtensionProvider_OpenTelemetryTracingProvider{"
    'Service:"otel-collector.observability.svc.cluster.local",Port:4317,'
    "ServiceAttributeEnrichment:meshapi.MeshConfig_ExtensionProvider_OTEL_SEMANTIC_CONVENTIONS,},},})": (
        "otel-semconv",
        {
            "extensionProviders": [
                {
                    "name": "otel",
                    "opentelemetry": {
                        "service": "otel-collector.observability.svc.cluster.local",
                        "port": 4317,
                        "serviceAttributeEnrichment": "OTEL_SEMANTIC_CONVENTIONS",
                    },
                }
            ]
        },
    ),
}

_GO_STRING = r'"(?:[^"\\]|\\.)*"|`[^`]*`'


def _go_unquote(token: str) -> str:
    return token[1:-1] if token.startswith("`") else json.loads(token)


def _balanced(text: str, start: int) -> int:
    """Index just past the brace block opening at text[start] == '{' (strings and runes skipped)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c in "\"`'":
            m = re.compile(_GO_STRING + r"|'(?:[^'\\]|\\.)*'").match(text, i)
            i = m.end() if m else i + 1
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ReleaseError("inject_test.go: unbalanced braces in TestInjection's table; update the parser")


def test_injection_table(source: str) -> list[dict[str, Any]]:
    """The explicit `cases := []testCase{...}` entries of TestInjection, as dicts of their fields."""
    source = "\n".join(line for line in source.splitlines() if not line.strip().startswith("//"))
    head = source.find("func TestInjection(")
    start = source.find("cases := []testCase{", head)
    if head < 0 or start < 0:
        raise ReleaseError("inject_test.go: no TestInjection case table; update the parser for this release")
    brace = source.index("{", start + len("cases := []testCase"))
    end = _balanced(source, brace) - 1
    i, entries = brace + 1, []
    while True:
        j = source.find("{", i, end)
        if j < 0:
            break
        k = _balanced(source, j)
        entries.append(_entry(source[j + 1 : k - 1]))
        i = k
    return entries


def _entry(body: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for field in ("in", "want", "inFilePath", "expectedError", "expectedLog"):
        m = re.search(rf"\b{field}:\s*({_GO_STRING})", body)
        if m:
            entry[field] = _go_unquote(m.group(1))
    for field in ("skipWebhook", "skipInjection"):
        entry[field] = bool(re.search(rf"\b{field}:\s*true\b", body))
    m = re.search(r"\bsetFlags:\s*\[\]string\{", body)
    if m:
        block = body[m.end() - 1 : _balanced(body, m.end() - 1)]
        entry["setFlags"] = [_go_unquote(t) for t in re.findall(_GO_STRING, block)]
    m = re.search(r"\bmesh:\s*func\([^)]*\)\s*\{", body)
    if m:
        entry["mesh"] = re.sub(r"\s+", "", body[m.end() : _balanced(body, m.end() - 1) - 1])
    m = re.search(r"\bsetup:\s*func\([^)]*\)\s*\{", body)
    if m:
        setup = body[m.end() : _balanced(body, m.end() - 1) - 1]
        entry["nativeDisabled"] = "NativeSidecarModeDisabled" in setup
        entry["setupOther"] = re.sub(r"\s+", "", setup) if "NativeSidecarModeDisabled" not in setup else ""
    return entry


def _variant(entry: dict[str, Any]) -> tuple[str, tuple[str, ...], str, dict[str, Any] | None]:
    """(settings name, setFlags, iop file, meshConfig) of a case."""
    flags = tuple(entry.get("setFlags") or ())
    iop = entry.get("inFilePath", "")
    mesh: dict[str, Any] | None = None
    parts: list[str] = []
    if iop:
        parts.append(iop.removesuffix(".iop.yaml"))
    for flag in flags:
        path, _, value = flag.partition("=")
        path = re.sub(r"^(values\.|components\.)(global\.)?(proxy\.)?", "", path)
        parts.append(f"{path}-{value}")
    if "mesh" in entry:
        known = MESH_MUTATIONS.get(entry["mesh"])
        if known is None:
            raise ReleaseError(
                f"TestInjection case {entry.get('want') or entry.get('in')}: its mesh mutation "
                f"{entry['mesh']!r} is not in hack/istio_release.py MESH_MUTATIONS; add it "
                "there as the meshConfig an install would carry"
            )
        parts.append(known[0])
        mesh = known[1]
    if not parts:
        return "default", flags, iop, mesh
    name = re.sub(r"[^a-z0-9.]+", "-", "_".join(parts).lower()).strip("-")
    if len(name) > 60:
        name = name[:50].rstrip("-") + "-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return name, flags, iop, mesh


def build_suite(git_dir: Path, release: str, out: Path | None = None) -> dict[str, Any]:
    """tests/conformance/istio-<release>/ in the shared suite's format; returns counts for the README.
    Built beside it and swapped in only when complete: a failure leaves the suite as it was (a half
    folder would break the tests that read every suite)."""
    out = out or SUITES / f"istio-{release}"
    building = out.with_name(f".{out.name}.building")
    if building.exists():
        shutil.rmtree(building)
    try:
        counts = _build_suite(git_dir, release, building)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    building.rename(out)
    return counts


def _build_suite(git_dir: Path, release: str, out: Path) -> dict[str, Any]:
    (out / "cases").mkdir(parents=True)
    testdata = "pkg/kube/inject/testdata/inject"
    names = git_ls(git_dir, release, testdata)
    for name in names:
        (out / "cases" / name).write_bytes(git_show(git_dir, release, f"{testdata}/{name}"))
    (out / "LICENSE").write_bytes(git_show(git_dir, release, "LICENSE"))
    table = test_injection_table(git_show(git_dir, release, "pkg/kube/inject/inject_test.go").decode())
    tested = {e.get("want") or e["in"] + ".injected" for e in table}
    for name in names:  # TestInjection adds every other X.yaml with golden X.yaml.injected and default settings
        if name.endswith(".yaml") and not name.endswith(".iop.yaml") and name + ".injected" not in tested:
            table.append({"in": name, "want": name + ".injected", "skipWebhook": False, "skipInjection": False})
    release_dir = CHARTS / release
    cases: dict[str, dict[str, Any]] = {}
    variants: dict[str, tuple[tuple[str, ...], str, dict[str, Any] | None]] = {}
    skipped: list[str] = []
    for entry in table:
        if entry.get("skipInjection"):
            skipped.append(entry.get("want") or entry["in"])
            continue
        if entry.get("setupOther"):
            raise ReleaseError(
                f"TestInjection case {entry.get('want')}: setup {entry['setupOther']!r} is not "
                "understood; extend hack/istio_release.py _entry"
            )
        settings, flags, iop, mesh = _variant(entry)
        variants[settings] = (flags, iop, mesh)
        native = not entry.get("nativeDisabled", False)
        error = entry.get("expectedError")
        name = entry["in"] if error else entry["want"].removesuffix(".injected")
        if not native and any(
            (e.get("want") or e["in"]) == (entry.get("want") or entry["in"]) and not e.get("nativeDisabled")
            for e in table
        ):
            name += "[native-sidecars-disabled]"
        case: dict[str, Any] = {"name": name, "input": entry["in"]}
        if not error:
            case["golden"] = entry["want"]
        case.update(settings=settings, native_sidecars=native)
        if error:
            case["expected_error"] = error
        if entry.get("expectedLog"):
            case["expected_log"] = entry["expectedLog"]
        case["webhook"] = not entry.get("skipWebhook", False)
        if name in cases and cases[name] != case:
            raise ReleaseError(f"TestInjection: two different cases named {name}; give them distinct names")
        cases[name] = case
    for settings, (flags, iop, mesh) in sorted(variants.items()):
        files = [out / "cases" / iop] if iop else []
        write_settings(render_settings(release_dir, "test", flags, files, mesh), out / "settings" / settings)
    commit = git_commit(git_dir, release)
    _write_cases(out, release, commit, [cases[k] for k in sorted(cases)])
    counts = {
        "cases": len(cases),
        "settings": len(variants),
        "skipped": skipped,
        "errors": sum(1 for c in cases.values() if "expected_error" in c),
        "native_off": sum(1 for c in cases.values() if not c["native_sidecars"]),
    }
    _write_suite_readme(out, release, commit, counts, variants)
    return counts


def _write_cases(out: Path, release: str, commit: str, cases: list[dict[str, Any]]) -> None:
    lines = [
        f"# kube-inject conformance cases reconstructed from istio/istio tag {release} (commit {commit}),",
        "# pkg/kube/inject/inject_test.go TestInjection, by hack/istio_release.py. Paths are relative to cases/",
        "# and settings/. The fields mean what ../shared/conformance/istio-1.30.3/README.md says.",
    ]
    for case in cases:
        first = True
        for key, value in case.items():
            lead = "- " if first else "  "
            first = False
            lines.append(f"{lead}{key}: {_yaml_scalar(value)}")
    (out / "cases.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _yaml_scalar(value: Any) -> str:
    """A plain scalar where YAML reads it back as the same string, else a JSON (YAML double-quoted) one."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._/\-\[\]]*", text) and not text.endswith(" ")
    if plain and text.lower() not in ("true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"):
        return text
    return json.dumps(text)


def _write_suite_readme(
    out: Path,
    release: str,
    commit: str,
    counts: dict[str, Any],
    variants: dict[str, tuple[tuple[str, ...], str, dict[str, Any] | None]],
) -> None:
    rows = []
    for name, (flags, iop, mesh) in sorted(variants.items()):
        how = []
        if iop:
            how.append(f"inFilePath `{iop}` (copied in cases/)")
        if flags:
            how.append("setFlags " + ", ".join(f"`{f}`" for f in flags))
        if mesh:
            how.append(f"mesh mutation, rendered as if installed with `meshConfig: {json.dumps(mesh)}`")
        rows.append(f"| `{name}` | {'; '.join(how) or 'none (profile=empty, components.pilot.enabled=true)'} |")
    skipped = (
        "\n".join(
            f"* `{name}`: Istio's test sets `skipInjection: true` (webhook path only)." for name in counts["skipped"]
        )
        or "* none"
    )
    text = f"""# Istio {release} `kube-inject` conformance fixtures

Istio's own golden tests of tag `{release}` for `istioctl kube-inject`, in the format of
`../shared/conformance/istio-1.30.3/` (its README explains every field, how the runner calls the tool, the
native-sidecar setting and the two comparisons), so that
`python3 ../shared/conformance/run_conformance.py --suite tests/conformance/istio-{release} --cmd 'sidecarctl kube-inject'`
runs it unchanged.

## Provenance

* Upstream: https://github.com/istio/istio, tag `{release}`, commit `{commit}`. Istio is licensed under the
  Apache License 2.0 (Copyright Istio Authors); `LICENSE` is the upstream licence file, copied unchanged.
* `cases/`: every file of `pkg/kube/inject/testdata/inject/` at that tag (inputs, `*.injected` goldens,
  `*.iop.yaml`), copied byte for byte.
* `cases.yaml`: `TestInjection` of `pkg/kube/inject/inject_test.go` at that tag, read by
  `hack/istio_release.py suite {release}`: its explicit table plus every other `X.yaml` (golden `X.yaml.injected`,
  default settings), as the test adds them. Case ids and flags as in the 1.30.3 suite.
* `settings/`: **rendered, not captured from a cluster**, by sidecarctl's generator (`hack/istio_release.py`,
  Helm's engine over sidecarctl's Go template engine) from the tag's `istio-discovery` chart and profiles
  (pinned in `hack/istio-charts/{release}/`), the way `getInjectionSettings` in `pkg/kube/inject/webhook_test.go`
  builds them: `profile=empty`, `components.pilot.enabled=true`, plus the case's `setFlags` / `inFilePath`; no
  compiled-in hub/tag. The same generator reproduces `../shared/conformance/istio-1.30.3/settings/default` byte
  for byte (`tests/releases/test_generator.py`). Mesh mutations of the test (`mesh: func(m)`) are rendered as the
  equivalent install `meshConfig` (table `MESH_MUTATIONS` in the generator).

This suite: {counts["cases"]} cases ({counts["errors"]} error cases, {counts["native_off"]} with native sidecars
disabled), {counts["settings"]} settings variants.

| settings | how Istio's test produced it |
| --- | --- |
{chr(10).join(rows)}

## Skipped cases

{skipped}

Regenerate with `python3 hack/istio_release.py suite {release} --istio-git DIR` (DIR: a clone of istio/istio).
"""
    (out / "README.md").write_text(text, encoding="utf-8")


# --- the release table ------------------------------------------------------------------------------------


def register_release(release: str) -> bool:
    """Add the release to SUPPORTED in sidecarctl/releases/__init__.py (replacing an older patch of the
    same minor); True when the file changed."""
    text = RELEASES_MODULE.read_text(encoding="utf-8")
    m = re.search(r"^SUPPORTED: tuple\[str, \.\.\.\] = \(([^)]*)\)", text, re.MULTILINE)
    if not m:
        raise ReleaseError(f"{RELEASES_MODULE}: no `SUPPORTED: tuple[str, ...] = (...)` line; restore it")
    current = re.findall(r'"([^"]+)"', m.group(1))
    _refuse_older_patch(release, current)
    kept = [r for r in current if _minor(r) != _minor(release)] + [release]
    kept.sort(key=lambda r: tuple(int(p) for p in r.split(".")))
    new = "SUPPORTED: tuple[str, ...] = (" + ", ".join(f'"{r}"' for r in kept) + ")"
    if new == m.group(0):
        return False
    RELEASES_MODULE.write_text(text[: m.start()] + new + text[m.end() :], encoding="utf-8")
    return True


def _refuse_older_patch(release: str, current: list[str]) -> None:
    """One patch per minor is supported: adding an older patch than the one there would replace the
    newer release's support with its predecessor's."""

    def key(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split("."))

    for there in current:
        if _minor(there) == _minor(release) and key(there) > key(release):
            raise ReleaseError(
                f"release {release}: {there} is newer and already supported; add a later patch "
                f"of {_minor(release)}, or none"
            )


def ratchet_list(release: str) -> str:
    """Run the new suite with the shared runner and this venv's sidecarctl, and write the passing cases
    to tests/conformance_passing_<release>.txt (the ratchet CI keeps); what happened, in one line."""
    runner = ROOT.parent / "shared" / "conformance" / "run_conformance.py"
    listing = ROOT / "tests" / f"conformance_passing_{release}.txt"
    if not runner.is_file():
        return (
            f"ratchet: {runner} is absent; run the suite with it and list the passing cases in "
            f"{listing.relative_to(ROOT)}"
        )
    sidecarctl = Path(sys.executable).parent / "sidecarctl"
    results = ROOT / "tests" / f".conformance-{release}.json"
    subprocess.run(
        [
            sys.executable,
            str(runner),
            "--suite",
            str(SUITES / f"istio-{release}"),
            "--cmd",
            f"{sidecarctl} kube-inject",
            "--json",
            str(results),
        ],
        capture_output=True,
    )
    try:
        rows = json.loads(results.read_text(encoding="utf-8"))
    finally:
        results.unlink(missing_ok=True)
    passing = sorted(row["name"] for row in rows if row["passed"])
    listing.write_text(
        f"# Istio {release} kube-inject golden tests (tests/conformance/istio-{release}) that pass; "
        ".ci/ratchet.py keeps them passing.\n" + "".join(name + "\n" for name in passing),
        encoding="utf-8",
    )
    byte = sum(1 for row in rows if row.get("byte_identical"))
    compared = sum(1 for row in rows if row.get("byte_identical") is not None)
    return (
        f"suite run: {len(passing)} of {len(rows)} pass, {byte} of {compared} byte-identical; "
        f"listed in {listing.relative_to(ROOT)}"
    )


# --- command line ---------------------------------------------------------------------------------------


def _check_release(release: str) -> str:
    if not _VERSION.match(release):
        raise ReleaseError(f"release {release!r}: give a full Istio version such as 1.31.0")
    return release


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="istio_release.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="pin a release's chart, generate its defaults and golden suite, register it")
    add.add_argument("release")
    add.add_argument("--istio-git", required=True, type=Path, help="git directory or clone of istio/istio")
    defaults = sub.add_parser("defaults", help="regenerate sidecarctl/defaults/<release>/ from the pinned charts")
    defaults.add_argument("releases", nargs="*")
    suite = sub.add_parser("suite", help="regenerate tests/conformance/istio-<release>/")
    suite.add_argument("release")
    suite.add_argument("--istio-git", required=True, type=Path)
    suite.add_argument("--out", type=Path)
    render = sub.add_parser("render", help="render one install's three settings files")
    render.add_argument("release")
    render.add_argument("--out", required=True, type=Path)
    render.add_argument("--profile", default="test", choices=("test", "default"))
    render.add_argument("--set", dest="set_flags", action="append", default=[], metavar="PATH=VALUE")
    render.add_argument("-f", dest="iop_files", action="append", default=[], type=Path, metavar="IOP.yaml")
    render.add_argument("--mesh-config", help="meshConfig of the install, as JSON")
    render.add_argument("--chart-root", type=Path, help="the release's pinned inputs (default hack/istio-charts/R)")
    args = parser.parse_args(argv)
    try:
        if args.command == "add":
            release = _check_release(args.release)
            from sidecarctl.releases import SUPPORTED

            _refuse_older_patch(release, list(SUPPORTED))  # before anything is written
            pinned = pin_chart(args.istio_git, release)
            print(f"pinned chart inputs: {pinned.relative_to(ROOT)}")
            print(f"defaults: {generate_defaults(release).relative_to(ROOT)}")
            counts = build_suite(args.istio_git, release)
            print(f"suite: tests/conformance/istio-{release} ({counts['cases']} cases, {counts['settings']} settings)")
            if register_release(release):
                print(f"registered {release} in {RELEASES_MODULE.relative_to(ROOT)}")
            print(ratchet_list(release))
            print(f"next: review what Istio {release} changed in Go (docs/releases.md), then commit")
        elif args.command == "defaults":
            from sidecarctl.releases import SUPPORTED

            for release in args.releases or SUPPORTED:
                print(generate_defaults(_check_release(release)).relative_to(ROOT))
        elif args.command == "suite":
            counts = build_suite(args.istio_git, _check_release(args.release), args.out)
            print(f"{counts['cases']} cases, {counts['settings']} settings")
        else:
            mesh = json.loads(args.mesh_config) if args.mesh_config else None
            root = args.chart_root or CHARTS / args.release
            settings = render_settings(root, args.profile, args.set_flags, args.iop_files, mesh, args.release)
            write_settings(settings, args.out)
    except ReleaseError as err:
        print(f"istio_release.py: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
