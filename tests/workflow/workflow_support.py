"""Shared helpers for the workflow tests: run the CLI in-process, and the conformance suite in place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cli_runner import Result, run_cli  # noqa: F401 - Result is used by the tests
from shared_suite import SUITE, conformance_cases

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: nginx\n"
HOST_POD = POD.replace("name: p\n", "name: h\n") + "  hostNetwork: true\n"
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n"


invoke = run_cli


def inject(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    return invoke("kube-inject", "--offline", *args, stdin=stdin, env=env)


def cases() -> list[dict[str, Any]]:
    """The public conformance cases with a golden file (read in place; empty when absent)."""
    return conformance_cases(golden=True)


def case_injector(case: dict[str, Any]) -> Any:
    """A KubeInject with the case's settings, as the conformance runner's flags give them."""
    from sidecarctl.inject.pipeline import KubeInject
    from sidecarctl.workflow.settings import SettingsSource, load_settings

    folder = SUITE / "settings" / case["settings"]
    source = SettingsSource(
        inject_config_file=str(folder / "inject-config.yaml"),
        mesh_config_file=str(folder / "mesh-config.yaml"),
        values_file=str(folder / "inject-values.yaml"),
        operator_file=None,
        offline=True,
        revision="",
        istio_namespace="istio-system",
        kubeconfig=None,
        context=None,
        mesh_configmap="istio",
        inject_configmap="istio-sidecar-injector",
        webhook_config="istio-sidecar-injector",
        kubeclient_timeout="15s",
    )
    return KubeInject(settings=load_settings(source, ""), native_sidecars=bool(case["native_sidecars"]))
