"""--istio-version and the Go behaviour of each supported release (sidecarctl.releases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cli_runner import run_cli
from sidecarctl.config import load_settings
from sidecarctl.errors import ConfigError
from sidecarctl.releases import SUPPORTED, detect, newest, release
from sidecarctl.webhook.engine import EngineInjector, SettingsFlags

REPO = Path(__file__).resolve().parents[2]
SLEEP = str(REPO / "samples" / "sleep" / "sleep.yaml")
DEFAULTS = REPO / "sidecarctl" / "defaults"


@pytest.mark.parametrize(
    "text,want",
    [
        ("1.28", "1.28.10"),
        ("1.28.10", "1.28.10"),
        ("1.28.3", "1.28.10"),
        ("v1.29", "1.29.6"),
        ("1.30", "1.30.3"),
    ],
    ids=["minor", "full", "other-patch", "v-prefix", "newest"],
)
def test_release_names(text: str, want: str) -> None:
    assert release(text).version == want


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("1.27", "Istio 1.27 is not supported by this sidecarctl (supported: 1.28, 1.29, 1.30)"),
        ("2.0.0", "Istio 2.0 is not supported"),
        ("latest", "not an Istio version; give one of 1.28, 1.29, 1.30"),
        ("1.28-x", "not an Istio version"),
    ],
    ids=["too-old", "unknown-major", "word", "suffix"],
)
def test_unsupported_releases_are_refused_in_one_line(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        release(text)
    assert fragment in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    "values,want,note",
    [
        ({"global": {"tag": "1.28.10"}}, "1.28.10", None),
        ({"global": {"tag": "1.29.6-distroless"}}, "1.29.6", None),
        ({"global": {"tag": "latest", "proxy": {"image": "my.registry/proxyv2:1.28.2"}}}, "1.28.10", None),
        ({"global": {"tag": "latest"}}, SUPPORTED[-1], "cannot tell the Istio release of the settings"),
        ({}, SUPPORTED[-1], "values global.tag 'unset'"),
        (
            {"global": {"tag": "1.27.1"}},
            SUPPORTED[-1],
            "Istio 1.27 (values global.tag '1.27.1'), which this sidecarctl does not support",
        ),
    ],
    ids=["tag", "tag-with-variant", "image-tag", "latest", "no-tag", "unsupported"],
)
def test_the_release_settings_are_for(values: dict, want: str, note: str | None) -> None:
    found, said = detect(values)
    assert found.version == want
    if note is None:
        assert said is None
    else:
        assert said is not None and note in said and "\n" not in said


# --- built-in settings ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", SUPPORTED)
def test_offline_injects_each_release_with_its_own_image(version: str) -> None:
    minor = ".".join(version.split(".")[:2])
    result = run_cli("kube-inject", "--offline", "--istio-version", minor, "-f", SLEEP)
    assert result.exit_code == 0, result.stderr
    images = [line.split("image: ")[1] for line in result.stdout.splitlines() if "image: docker.io/istio" in line]
    assert images == [f"docker.io/istio/proxyv2:{version}"] * 2  # istio-proxy and istio-init


def test_offline_1_28_is_the_1_28_default_install_given_as_files() -> None:
    """Built-in settings of 1.28 = the files a 1.28.10 default install holds, so the output is the same."""
    folder = DEFAULTS / "1.28.10"
    builtin = run_cli("kube-inject", "--offline", "--istio-version", "1.28", "-f", SLEEP)
    files = run_cli(
        "kube-inject",
        "--injectConfigFile",
        str(folder / "inject-config.yaml"),
        "--valuesFile",
        str(folder / "values.json"),
        "--meshConfigFile",
        str(folder / "mesh-config.yaml"),
        "-f",
        SLEEP,
    )
    assert builtin.exit_code == files.exit_code == 0
    assert builtin.stdout == files.stdout
    assert "note:" not in files.stderr  # global.tag 1.28.10 tells the release


def test_the_default_is_the_newest_release() -> None:
    settings = load_settings(offline=True)
    assert settings.release == newest() and json.loads(settings.values.raw)["global"]["tag"] == newest().version
    assert settings.notes == []


# --- Go behaviour: interface names in annotations ---------------------------------------------------


def _pod(annotation: str, value: str) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "annotations": {annotation: value}},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]},
        }
    )


INTERFACE_ANNOTATIONS = [
    "traffic.sidecar.istio.io/excludeInterfaces",
    "traffic.sidecar.istio.io/kubevirtInterfaces",
    "istio.io/reroute-virtual-interfaces",
]


@pytest.mark.parametrize("annotation", INTERFACE_ANNOTATIONS)
def test_1_30_rejects_an_invalid_interface_name(annotation: str) -> None:
    result = run_cli(
        "kube-inject", "--offline", "--istio-version", "1.30", "-f", "-", stdin=_pod(annotation, "eth0,bad!name")
    )
    assert result.exit_code == 1
    # Istio 1.30.3: validateAnnotations -> ValidateExcludeInterfaces -> netutil.ValidateInterfaceNames
    assert (
        f"invalid value 'eth0,bad!name' for annotation '{annotation}': "
        'interface name "bad!name" contains invalid characters'
    ) in result.stderr


@pytest.mark.parametrize(
    "value,why",
    [
        ("eth0,,eth1", "empty interface name"),
        ("averyveryverylongname", 'interface name "averyveryverylongname" too long (max 15 chars)'),
    ],
    ids=["empty", "too-long"],
)
def test_1_30_interface_messages(value: str, why: str) -> None:
    result = run_cli(
        "kube-inject", "--offline", "-f", "-", stdin=_pod("traffic.sidecar.istio.io/excludeInterfaces", value)
    )
    assert result.exit_code == 1 and why in result.stderr


@pytest.mark.parametrize("version", ["1.28", "1.29"])
@pytest.mark.parametrize("annotation", INTERFACE_ANNOTATIONS)
def test_1_28_and_1_29_accept_any_interface_name(version: str, annotation: str) -> None:
    result = run_cli(
        "kube-inject", "--offline", "--istio-version", version, "-f", "-", stdin=_pod(annotation, "eth0,bad!name")
    )
    assert result.exit_code == 0, result.stderr
    assert "bad!name" in result.stdout


def test_settings_files_of_1_28_choose_1_28_behaviour_without_the_flag() -> None:
    folder = DEFAULTS / "1.28.10"
    args = [
        "kube-inject",
        "--injectConfigFile",
        str(folder / "inject-config.yaml"),
        "--valuesFile",
        str(folder / "values.json"),
        "--meshConfigFile",
        str(folder / "mesh-config.yaml"),
        "-f",
        "-",
    ]
    accepted = run_cli(*args, stdin=_pod("traffic.sidecar.istio.io/excludeInterfaces", "bad!name"))
    assert accepted.exit_code == 0, accepted.stderr
    overridden = run_cli(
        *args, "--istio-version", "1.30", stdin=_pod("traffic.sidecar.istio.io/excludeInterfaces", "bad!name")
    )
    assert overridden.exit_code == 1 and "contains invalid characters" in overridden.stderr


def test_settings_of_an_unknown_release_get_a_note_and_the_newest_behaviour(tmp_path: Path) -> None:
    values = json.loads((DEFAULTS / newest().version / "values.json").read_text())
    values["global"]["tag"] = "latest"
    path = tmp_path / "values.json"
    path.write_text(json.dumps(values))
    result = run_cli(
        "kube-inject",
        "--offline",
        "--valuesFile",
        str(path),
        "-f",
        "-",
        stdin=_pod("traffic.sidecar.istio.io/excludeInterfaces", "bad!name"),
    )
    assert result.exit_code == 1 and "contains invalid characters" in result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: cannot tell the Istio release of the settings (values global.tag 'latest'); "
        f"injecting as Istio {newest().name} does; pass --istio-version to choose"
    ]


# --- Go behaviour: template functions ------------------------------------------------------------------


def test_otel_resource_attributes_exists_from_1_30_only(tmp_path: Path) -> None:
    config = tmp_path / "inject-config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "templates": {
                    "sidecar": (
                        "metadata:\n  annotations:\n    otel: '{{ otelResourceAttributes .MeshConfig .ObjectMeta.Annotations "
                        ".ObjectMeta.Labels .DeploymentMeta.Namespace .Spec.Containers }}'\n"
                    )
                }
            }
        )
    )
    new = run_cli("kube-inject", "--offline", "--injectConfigFile", str(config), "--istio-version", "1.30", "-f", SLEEP)
    assert new.exit_code == 0, new.stderr
    old = run_cli("kube-inject", "--offline", "--injectConfigFile", str(config), "--istio-version", "1.29", "-f", SLEEP)
    assert old.exit_code == 1
    assert 'function "otelResourceAttributes" not defined' in old.stderr


# --- the webhook -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", SUPPORTED)
def test_webhook_serves_the_chosen_release(version: str) -> None:
    injector = EngineInjector.load(SettingsFlags(offline=True, istio_version=".".join(version.split(".")[:2])))
    assert injector.settings.release.version == version
    assert json.loads(injector.settings.values.raw)["global"]["tag"] == version


def test_webhook_manifests_run_the_server_as_the_chosen_release(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    result = run_cli(
        "webhook",
        "manifests",
        "--ca-bundle-file",
        str(ca),
        "--image",
        "registry.example/sidecarctl:test",
        "--offline",
        "--istio-version",
        "1.28.10",
    )
    assert result.exit_code == 0, result.stderr
    deployment = next(d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "Deployment")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[-2:] == ["--offline", "--istio-version=1.28"]
    refused = run_cli(
        "webhook",
        "manifests",
        "--ca-bundle-file",
        str(ca),
        "--image",
        "registry.example/sidecarctl:test",
        "--istio-version",
        "1.27",
    )
    assert refused.exit_code == 1 and "Istio 1.27 is not supported" in refused.stderr


def test_the_krm_function_takes_the_release_from_its_function_config() -> None:
    def resource_list(version: str) -> str:
        return yaml.safe_dump(
            {
                "apiVersion": "config.kubernetes.io/v1",
                "kind": "ResourceList",
                "items": [yaml.safe_load(_pod("traffic.sidecar.istio.io/excludeInterfaces", "bad!n"))],
                "functionConfig": {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "f"},
                    "data": {"istioVersion": version},
                },
            }
        )

    old = run_cli("krm-fn", stdin=resource_list("1.28"))
    assert old.exit_code == 0, old.stdout + old.stderr
    assert "docker.io/istio/proxyv2:1.28.10" in old.stdout
    new = run_cli("krm-fn", stdin=resource_list("1.30"))
    assert new.exit_code == 1 and "contains invalid characters" in new.stdout


# --- Go behaviour: the mesh and proxy config fields a release knows ----------------------------------


def _proxy_config_env(stdout: str) -> str:
    lines = [line.strip() for line in stdout.splitlines()]
    at = lines.index("- name: PROXY_CONFIG")
    return lines[at + 2]


@pytest.mark.parametrize(
    "version,want,noted",
    [
        ("1.28", "{}", True),
        ("1.29", '{"fileFlushInterval":"7s"}', False),
        ("1.30", '{"fileFlushInterval":"7s"}', False),
    ],
    ids=["1.28-ignores", "1.29-knows", "1.30-knows"],
)
def test_proxy_config_fields_a_release_lacks_are_ignored(tmp_path: Path, version: str, want: str, noted: bool) -> None:
    mesh = tmp_path / "mesh.yaml"
    mesh.write_text("defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n  fileFlushInterval: 7s\n")
    result = run_cli("kube-inject", "--offline", "--istio-version", version, "--meshConfigFile", str(mesh), "-f", SLEEP)
    assert result.exit_code == 0, result.stderr
    assert _proxy_config_env(result.stdout) == want
    note = (
        f"note: --meshConfigFile {mesh}: defaultConfig.fileFlushInterval not known to Istio 1.28; "
        "ignored as Istio 1.28 ignores it"
    )
    assert (note in result.stderr.splitlines()) is noted


@pytest.mark.parametrize("version,want", [("1.28", "{}"), ("1.29", '{"statsCompression":false}')])
def test_the_pod_proxy_config_annotation_as_each_release_reads_it(version: str, want: str) -> None:
    pod = _pod("proxy.istio.io/config", "statsCompression: false\n")
    result = run_cli("kube-inject", "--offline", "--istio-version", version, "-f", "-", stdin=pod)
    assert result.exit_code == 0, result.stderr
    assert _proxy_config_env(result.stdout) == want


def test_mesh_fields_only_1_28_has_are_accepted_for_1_28(tmp_path: Path) -> None:
    mesh = tmp_path / "mesh.yaml"
    mesh.write_text("fileFlushInterval: 5s\nfileFlushMinSize: 10\n")
    assert (
        run_cli(
            "kube-inject", "--offline", "--istio-version", "1.28", "--meshConfigFile", str(mesh), "-f", SLEEP
        ).exit_code
        == 0
    )
    refused = run_cli("kube-inject", "--offline", "--istio-version", "1.30", "--meshConfigFile", str(mesh), "-f", SLEEP)
    assert refused.exit_code == 1 and 'unknown field "fileFlushInterval"' in refused.stderr


@pytest.mark.parametrize("version,code", [("1.28", 0), ("1.29", 1)])
def test_a_bad_value_of_a_field_the_release_lacks_is_not_checked(version: str, code: int) -> None:
    pod = _pod("proxy.istio.io/config", "statsCompression: sometimes\n")
    result = run_cli("kube-inject", "--offline", "--istio-version", version, "-f", "-", stdin=pod)
    assert result.exit_code == code, result.stderr
    if code:
        assert "could not parse proxy config: json: cannot unmarshal string into Go value of type bool" in result.stderr
