"""Integrations through the installed entry points: Helm post-renderer, KRM function, kubectl plugin,
shell completion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from workflow_support import HOST_POD, POD, SAMPLES, SERVICE, invoke

from sidecarctl.releases import newest

BIN = Path(sys.executable).parent
SIDECARCTL, PLUGIN = BIN / "sidecarctl", BIN / "kubectl-sidecar"
needs_entry_points = pytest.mark.skipif(
    not (SIDECARCTL.exists() and PLUGIN.exists()), reason="entry points not installed in this environment"
)


def run(
    executable: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SIDECARCTL_", "_SIDECARCTL"))}
    full_env.update({"ENABLE_NATIVE_SIDECARS": "false", **(env or {})})
    return subprocess.run(
        [str(executable), *args], input=stdin, capture_output=True, text=True, env=full_env, timeout=120, check=False
    )


# --- Helm post-renderer: args fixed, manifests on stdin, settings from the environment ----------


@needs_entry_points
@pytest.mark.parametrize(
    "args,env",
    [
        pytest.param(["kube-inject", "--offline"], {}, id="flags"),
        pytest.param(["kube-inject"], {"SIDECARCTL_OFFLINE": "1"}, id="environment"),
    ],
)
def test_helm_post_renderer(args: list[str], env: dict[str, str]) -> None:
    result = run(SIDECARCTL, *args, stdin=SERVICE + "---\n" + POD, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(SERVICE + "---\n") and "istio-proxy" in result.stdout


# --- KRM function -------------------------------------------------------------------------------


def _resource_list(items: list[dict[str, object]], config: dict[str, object] | None = None) -> str:
    value: dict[str, object] = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
    if config is not None:
        value["functionConfig"] = config
    return yaml.safe_dump(value)


@pytest.mark.parametrize(
    "config,revision",
    [
        pytest.param(None, "default", id="no-function-config"),
        pytest.param(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"revision": "canary"}},
            "canary",
            id="configmap-data",
        ),
        pytest.param(
            {
                "apiVersion": "example.com/v1",
                "kind": "SidecarInjection",
                "metadata": {"name": "c"},
                "spec": {"revision": "blue"},
            },
            "blue",
            id="custom-kind-spec",
        ),
    ],
)
def test_krm_function_injects_items_and_keeps_function_config(config: dict[str, object] | None, revision: str) -> None:
    items = [yaml.safe_load(POD), yaml.safe_load(HOST_POD), yaml.safe_load(SERVICE)]
    result = invoke("krm-fn", stdin=_resource_list(items, config))
    assert result.exit_code == 0, result.stderr
    out = yaml.safe_load(result.stdout)
    assert out["kind"] == "ResourceList" and out.get("functionConfig") == config
    names = [[c["name"] for c in item["spec"].get("containers", [])] for item in out["items"][:2]]
    assert names == [["app", "istio-proxy"], ["app"]]
    assert out["items"][2] == items[2]
    assert f'"revision":"{revision}"' in out["items"][0]["metadata"]["annotations"]["sidecar.istio.io/status"]
    assert out["results"] == [
        {
            "message": "sidecar injection skipped: host networking",
            "severity": "info",
            "resourceRef": {"apiVersion": "v1", "kind": "Pod", "name": "h"},
        }
    ]


def test_krm_function_inline_settings() -> None:
    import json

    import sidecarctl

    values = json.loads((Path(sidecarctl.__file__).parent / "defaults" / newest().defaults / "values.json").read_text())
    values["global"].update(hub="registry.example.com", tag="9.9")
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
        "data": {"values": json.dumps(values)},
    }
    result = invoke("krm-fn", stdin=_resource_list([yaml.safe_load(POD)], config))
    assert result.exit_code == 0, result.stderr
    assert "registry.example.com/proxyv2:9.9" in result.stdout


@pytest.mark.parametrize(
    "stdin,code,in_stdout",
    [
        pytest.param("kind: Pod\n", 1, None, id="not-a-resource-list"),
        pytest.param(
            _resource_list(
                [
                    yaml.safe_load(
                        POD.replace(
                            "metadata:\n",
                            "metadata:\n  annotations:\n    traffic.sidecar.istio.io/includeInboundPorts: bad\n",
                        )
                    )
                ]
            ),
            1,
            "severity: error",
            id="error-result",
        ),
    ],
)
def test_krm_function_errors(stdin: str, code: int, in_stdout: str | None) -> None:
    result = invoke("krm-fn", stdin=stdin)
    assert result.exit_code == code
    if in_stdout is None:
        assert result.stdout == "" and result.stderr.startswith("Error: stdin: expected")
    else:
        assert in_stdout in result.stdout and "items[0]" in result.stdout


def test_krm_sample() -> None:
    result = invoke("krm-fn", stdin=(SAMPLES / "gitops" / "resource-list.yaml").read_text())
    assert result.exit_code == 0, result.stderr
    out = yaml.safe_load(result.stdout)
    assert out["items"][0]["metadata"]["annotations"]["internal.config.kubernetes.io/path"] == "web.yaml"


# --- kubectl plugin -----------------------------------------------------------------------------


@needs_entry_points
@pytest.mark.parametrize(
    "args,stream,expected",
    [
        pytest.param(["kube-inject", "--help"], "stdout", "Usage: kubectl sidecar kube-inject [OPTIONS]", id="help"),
        pytest.param(["kube-inject", "--no-such-flag"], "stderr", "kubectl sidecar kube-inject", id="usage-error"),
    ],
)
def test_kubectl_plugin_names_itself(args: list[str], stream: str, expected: str) -> None:
    result = run(PLUGIN, *args)
    assert expected in getattr(result, stream)
    assert "sidecarctl kube-inject" not in result.stdout + result.stderr


@needs_entry_points
def test_kubectl_plugin_injects() -> None:
    result = run(PLUGIN, "kube-inject", "--offline", "-q", "-f", "-", stdin=POD)
    assert result.returncode == 0 and "istio-proxy" in result.stdout


# --- shell completion ---------------------------------------------------------------------------


@needs_entry_points
@pytest.mark.parametrize(
    "shell,marker",
    [
        pytest.param("bash", "_SIDECARCTL_COMPLETE=bash_complete", id="bash"),
        pytest.param("zsh", "#compdef sidecarctl", id="zsh"),
        pytest.param("fish", "_SIDECARCTL_COMPLETE=fish_complete", id="fish"),
    ],
)
def test_completion_script(shell: str, marker: str) -> None:
    result = run(SIDECARCTL, "completion", shell)
    assert result.returncode == 0 and marker in result.stdout


@needs_entry_points
@pytest.mark.parametrize(
    "words,cword,expected",
    [
        pytest.param("sidecarctl kube", "1", "plain,kube-inject", id="command"),
        pytest.param("sidecarctl kube-inject --preserve", "2", "plain,--preserve-formatting", id="option"),
    ],
)
def test_completion_round_trip(words: str, cword: str, expected: str) -> None:
    result = run(SIDECARCTL, env={"_SIDECARCTL_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": cword})
    assert result.returncode == 0
    assert expected in result.stdout.splitlines()


def test_completion_rejects_other_shells() -> None:
    assert invoke("completion", "powershell").exit_code == 2


# kpt and kubectl kustomize with the samples: tests/beyond/test_real_clients.py

KUBECTL = __import__("shutil").which("kubectl")


@needs_entry_points
@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
def test_kubectl_finds_the_plugin_on_path() -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "ENABLE_NATIVE_SIDECARS": "false"}
    result = subprocess.run(
        [str(KUBECTL), "sidecar", "kube-inject", "--offline", "-f", "-"],
        input=POD,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "istio-proxy" in result.stdout and result.stderr == "1 workload: 1 injected, 0 skipped\n"
    usage = subprocess.run(
        [str(KUBECTL), "sidecar", "kube-inject", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert usage.stdout.startswith("Usage: kubectl sidecar kube-inject [OPTIONS]")


BASH = __import__("shutil").which("bash")


@needs_entry_points
@pytest.mark.skipif(BASH is None, reason="bash not installed")
def test_bash_completion_script_completes_in_bash() -> None:
    script = (
        "source <(sidecarctl completion bash) && COMP_WORDS=(sidecarctl kube-inject --out) && COMP_CWORD=2 "
        '&& _sidecarctl_completion sidecarctl && echo "${COMPREPLY[@]}"'
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [str(BASH), "-c", script], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["--output", "--output-format"]
