"""The kustomize sample and the KRM function with the real clients: kubectl's kustomize (every
kubectl.1.NN found) and kpt, found on PATH or in the folder the `kubectl` on PATH links into."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from beyond_support import REPO, run

from real_tools import find_tool, kubectl_versions

BIN = Path(sys.executable).parent
SAMPLE = REPO / "samples" / "kustomize"
PLUGINS = SAMPLE / "plugins"
VERSIONS = kubectl_versions()
KPT = find_tool("kpt")
needs_entry_points = pytest.mark.skipif(not (BIN / "sidecarctl").exists(), reason="sidecarctl is not installed")


def environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SIDECARCTL_", "KUSTOMIZE_"))}
    return {**env, "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", "ENABLE_NATIVE_SIDECARS": "false", **extra}


def containers(stream: str) -> dict[str, list[str]]:
    out = {}
    for doc in yaml.safe_load_all(stream):
        if doc and doc.get("kind") == "Deployment":
            out[doc["metadata"]["name"]] = [c["name"] for c in doc["spec"]["template"]["spec"]["containers"]]
    return out


# --- the exec-plugin protocol, in-process ---------------------------------------------------------


def test_exec_plugin_mode_injects_a_stream_and_keeps_kustomize_annotations(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text((SAMPLE / "sidecar-injection.yaml").read_text())
    stream = (
        (SAMPLE / "deployment.yaml")
        .read_text()
        .replace(
            "  name: web\n  namespace: shop\nspec:\n  selector",
            "  name: web\n  namespace: shop\n  annotations:\n    kustomize.config.k8s.io/id: x\nspec:\n  selector",
            1,
        )
    )
    result = run("krm-fn", str(config), stdin=stream)
    assert result.exit_code == 0, result.stderr
    docs = list(yaml.safe_load_all(result.stdout))
    assert [doc["kind"] for doc in docs] == ["Deployment", "Service"]
    assert docs[0]["metadata"]["annotations"]["kustomize.config.k8s.io/id"] == "x"
    assert containers(result.stdout) == {"web": ["web", "istio-proxy"]}
    assert '"revision":"canary"' in result.stdout


def test_exec_plugin_mode_fails_in_one_line(tmp_path: Path) -> None:
    result = run("krm-fn", str(tmp_path / "missing.yaml"), stdin="kind: Pod\n")
    assert result.exit_code == 1 and result.stdout == ""
    assert (
        result.stderr.startswith("Error: ") and "missing.yaml" in result.stderr and len(result.stderr.splitlines()) == 1
    )


# --- kubectl kustomize --enable-alpha-plugins, every version --------------------------------------


@needs_entry_points
@pytest.mark.skipif(not VERSIONS, reason="kubectl not found on PATH")
@pytest.mark.parametrize("version", list(VERSIONS), ids=list(VERSIONS) or None)
def test_kubectl_kustomize_runs_the_sample_plugin(version: str) -> None:
    kubectl = str(VERSIONS[version])
    env = environment(KUSTOMIZE_PLUGIN_HOME=str(PLUGINS))
    result = subprocess.run(
        [kubectl, "kustomize", "--enable-alpha-plugins", str(SAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert containers(result.stdout) == {"web": ["web", "istio-proxy"]}
    assert '"revision":"canary"' in result.stdout
    assert "kustomize.config.k8s.io/id" not in result.stdout, "kustomize took its bookkeeping back"


@needs_entry_points
@pytest.mark.skipif(not VERSIONS, reason="kubectl not found on PATH")
@pytest.mark.parametrize(
    "args,env,message",
    [
        pytest.param([], {"KUSTOMIZE_PLUGIN_HOME": str(PLUGINS)}, "external plugins disabled", id="no-alpha-plugins"),
        pytest.param(
            ["--enable-alpha-plugins"],
            {"KUSTOMIZE_PLUGIN_HOME": "/nonexistent"},
            "unable to find plugin root",
            id="plugin-not-found",
        ),
        pytest.param(
            ["--enable-alpha-plugins"],
            {"KUSTOMIZE_PLUGIN_HOME": str(PLUGINS), "PATH": "/usr/bin:/bin"},
            "sidecarctl",
            id="sidecarctl-not-on-path",
        ),
    ],
)
def test_kubectl_kustomize_fails_loudly_without_the_plugin(args: list[str], env: dict[str, str], message: str) -> None:
    """Never a build that exits 0 without the sidecar."""
    kubectl = str(VERSIONS[list(VERSIONS)[-1]])
    result = subprocess.run(
        [kubectl, "kustomize", *args, str(SAMPLE)],
        capture_output=True,
        text=True,
        env=environment(**env),
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and result.stdout == ""
    assert message in result.stderr


# --- kpt fn eval --exec ---------------------------------------------------------------------------


@needs_entry_points
@pytest.mark.skipif(KPT is None, reason="kpt not found (PATH, or the folder kubectl links into)")
@pytest.mark.parametrize(
    "exec_args",
    [
        pytest.param(
            [
                "--exec",
                str(PLUGINS / "sidecarctl.dev/v1/sidecarinjection/SidecarInjection"),
                "--fn-config",
                str(SAMPLE / "sidecar-injection.yaml"),
            ],
            id="sample-program-and-config",
        ),
        pytest.param(["--exec", "sidecarctl krm-fn"], id="command-line"),
    ],
)
def test_kpt_fn_eval_runs_the_function(exec_args: list[str], tmp_path: Path) -> None:
    package = tmp_path / "k8s"
    package.mkdir()
    (package / "deployment.yaml").write_text((SAMPLE / "deployment.yaml").read_text())
    result = subprocess.run(
        [str(KPT), "fn", "eval", str(package), *exec_args, "-o", "stdout"],
        capture_output=True,
        text=True,
        env=environment(HOME=str(tmp_path)),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    items = yaml.safe_load(result.stdout)["items"]
    assert containers(yaml.safe_dump_all(items)) == {"web": ["web", "istio-proxy"]}
    assert ('"revision":"canary"' in result.stdout) is ("--fn-config" in exec_args)


@needs_entry_points
@pytest.mark.skipif(KPT is None, reason="kpt not found (PATH, or the folder kubectl links into)")
def test_kpt_reports_a_function_error(tmp_path: Path) -> None:
    package = tmp_path / "k8s"
    package.mkdir()
    (package / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
        "    traffic.sidecar.istio.io/includeInboundPorts: bad\nspec:\n  containers:\n"
        "  - name: app\n    image: nginx\n"
    )
    result = subprocess.run(
        [str(KPT), "fn", "eval", str(package), "--exec", "sidecarctl krm-fn"],
        capture_output=True,
        text=True,
        env=environment(HOME=str(tmp_path)),
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert "items[0]" in result.stderr
    assert "istio-proxy" not in (package / "pod.yaml").read_text(), "nothing half-written"


# --- the committed --patch sample is what kube-inject writes now ----------------------------------


@pytest.mark.parametrize(
    "args,committed",
    [
        pytest.param(["--patch"], "overlays/mesh/sidecar-patch.yaml", id="strategic"),
        pytest.param(
            ["--patch-format", "json6902"], "overlays/mesh-json6902/sidecar/kustomization.yaml", id="json6902"
        ),
    ],
)
def test_patch_sample_is_current(args: list[str], committed: str) -> None:
    sample = REPO / "samples" / "kustomize-patch"
    result = run("kube-inject", "--offline", "-q", *args, "-f", str(sample / "base" / "deployment.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (sample / committed).read_text(), "regenerate it (see the overlay's kustomization.yaml)"


@needs_entry_points
@pytest.mark.skipif(KPT is None, reason="kpt not found (PATH, or the folder kubectl links into)")
@pytest.mark.parametrize("allow_exec", [pytest.param(True, id="allow-exec"), pytest.param(False, id="refused")])
def test_kpt_fn_render_runs_the_sample_pipeline(allow_exec: bool, tmp_path: Path) -> None:
    package = tmp_path / "kpt"
    package.mkdir()
    for name in ("Kptfile", "deployment.yaml"):
        (package / name).write_text((REPO / "samples" / "kpt" / name).read_text())
    flags = ["--allow-exec"] if allow_exec else []
    result = subprocess.run(
        [str(KPT), "fn", "render", str(package), *flags],
        capture_output=True,
        text=True,
        env=environment(HOME=str(tmp_path)),
        timeout=300,
        check=False,
    )
    rendered = (package / "deployment.yaml").read_text()
    if allow_exec:
        assert result.returncode == 0, result.stderr
        assert containers(rendered) == {"web": ["web", "istio-proxy"]} and '"revision":"canary"' in rendered
    else:
        assert result.returncode != 0 and "--allow-exec" in result.stderr
        assert "istio-proxy" not in rendered
