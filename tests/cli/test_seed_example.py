"""The example of Istio's "Installing the Sidecar" guide, shipped under samples/: a legacy
`policy` + `template:` config applied to the sleep Deployment gives `--serviceCluster sleep`."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from sidecarctl.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["kube-inject", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def deployment(docs: list[dict]) -> dict:
    return next(d for d in docs if d["kind"] == "Deployment")


def test_legacy_template_injects_the_seed_proxy() -> None:
    docs = run(
        "--offline",
        "--injectConfigFile",
        str(ROOT / "samples/legacy-config/inject-config.yaml"),
        "-f",
        str(ROOT / "samples/sleep/sleep.yaml"),
    )
    containers = deployment(docs)["spec"]["template"]["spec"]["containers"]
    proxy = next(c for c in containers if c["name"] == "istio-proxy")
    assert proxy["image"] == "istio.io/proxy:0.5.0"
    args = proxy["args"]
    assert args[args.index("--serviceCluster") + 1] == "sleep"
    assert args[args.index("--binaryPath") + 1] == "/usr/local/bin/envoy"
    assert [c["name"] for c in containers] == ["sleep", "istio-proxy"]


def test_offline_defaults_inject_sleep_and_pass_other_documents_through() -> None:
    docs = run("--offline", "-f", str(ROOT / "samples/sleep/sleep.yaml"))
    assert [d["kind"] for d in docs] == ["ServiceAccount", "Service", "Deployment"]
    pod = deployment(docs)["spec"]["template"]
    names = [c["name"] for c in pod["spec"]["containers"]]
    assert names == ["sleep", "istio-proxy"]
    assert [c["name"] for c in pod["spec"]["initContainers"]] == ["istio-init"]
    assert pod["metadata"]["labels"]["service.istio.io/canonical-name"] == "sleep"
    proxy = pod["spec"]["containers"][1]
    assert proxy["image"] == "docker.io/istio/proxyv2:1.30.3"


def test_annotation_opt_out_is_respected() -> None:
    result = CliRunner().invoke(cli, ["kube-inject", "--offline", "-f", str(ROOT / "samples/ignored.yaml")])
    assert result.exit_code == 0
    pod = deployment([d for d in yaml.safe_load_all(result.stdout) if d])["spec"]["template"]
    assert [c["name"] for c in pod["spec"]["containers"]] == ["ignored"]
    assert "sidecar injection disabled" in result.stderr
