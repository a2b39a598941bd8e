"""Which cluster and which credentials: kubeconfig resolution as kubectl does it."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from cluster_fakeapi import Certs, FakeCluster, cert_user, cluster_entry, token_user, write_kubeconfig

from sidecarctl.config.cluster import ClusterSource
from sidecarctl.errors import ConfigError


def two_clusters(make_cluster: Callable[[str], FakeCluster]) -> tuple[FakeCluster, FakeCluster]:
    one, two = make_cluster("one"), make_cluster("two")
    one.add_configmap("istio-system", "istio", {"mesh": "cluster: one"})
    two.add_configmap("istio-system", "istio", {"mesh": "cluster: two"})
    return one, two


def test_context_picks_the_cluster(make_cluster: Callable[[str], FakeCluster], certs: Certs, tmp_path: Path) -> None:
    one, two = two_clusters(make_cluster)
    path = write_kubeconfig(
        tmp_path / "config",
        {"one": (cluster_entry(one.url, certs), token_user()), "two": (cluster_entry(two.url, certs), token_user())},
        current="one",
    )
    assert ClusterSource(kubeconfig=str(path)).mesh_config() == "cluster: one"
    assert ClusterSource(kubeconfig=str(path), context="two").mesh_config() == "cluster: two"
    assert ClusterSource(kubeconfig=str(path), context="one").mesh_config() == "cluster: one"
    assert len(one.requests) == 2 and len(two.requests) == 1


def test_kubeconfig_env_merges_several_files(
    make_cluster: Callable[[str], FakeCluster], certs: Certs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = two_clusters(make_cluster)
    first = write_kubeconfig(tmp_path / "first", {"one": (cluster_entry(one.url, certs), token_user())}, current="two")
    second = write_kubeconfig(
        tmp_path / "second",
        {"two": (cluster_entry(two.url, certs), token_user()), "one": (cluster_entry(two.url, certs), token_user())},
        current="one",
    )
    missing = tmp_path / "missing"  # kubectl skips files that do not exist
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(map(str, [missing, first, second])))
    # current-context: the first file that sets one wins ("two", defined only in the second file)
    assert ClusterSource().mesh_config() == "cluster: two"
    # same-named entries: the first file wins ("one" -> cluster one, not the second file's)
    assert ClusterSource(context="one").mesh_config() == "cluster: one"


def test_kubeconfig_flag_beats_env(
    make_cluster: Callable[[str], FakeCluster], certs: Certs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = two_clusters(make_cluster)
    env_file = write_kubeconfig(tmp_path / "env", {"a": (cluster_entry(one.url, certs), token_user())}, current="a")
    flag_file = write_kubeconfig(tmp_path / "flag", {"b": (cluster_entry(two.url, certs), token_user())}, current="b")
    monkeypatch.setenv("KUBECONFIG", str(env_file))
    assert ClusterSource(kubeconfig=str(flag_file)).mesh_config() == "cluster: two"


def test_home_kube_config(cluster: FakeCluster, certs: Certs, clean_env: Path) -> None:
    cluster.add_configmap("istio-system", "istio", {"mesh": "home: true"})
    (clean_env / ".kube").mkdir()
    write_kubeconfig(clean_env / ".kube" / "config", {"h": (cluster_entry(cluster.url, certs), token_user())}, "h")
    assert ClusterSource().mesh_config() == "home: true"


def test_empty_file_in_kubeconfig_list_is_skipped(
    cluster: FakeCluster, kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster.add_configmap("istio-system", "istio", {"mesh": "ok: 1"})
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(empty), str(kubeconfig)]))
    assert ClusterSource().mesh_config() == "ok: 1"


# --- credentials and trust -----------------------------------------------------------------------


def test_client_certificate_auth(cluster: FakeCluster, certs: Certs, tmp_path: Path) -> None:
    cluster.add_configmap("istio-system", "istio", {"mesh": "x: 1"})
    path = write_kubeconfig(tmp_path / "config", {"c": (cluster_entry(cluster.url, certs), cert_user(certs))}, "c")
    assert ClusterSource(kubeconfig=str(path)).mesh_config() == "x: 1"
    assert cluster.requests[-1][1:] == ("cert-user", "certificate")


def test_inline_ca_and_client_certificate_data(cluster: FakeCluster, certs: Certs, tmp_path: Path) -> None:
    import base64

    cluster.add_configmap("istio-system", "istio", {"mesh": "x: 1"})
    user = {
        "client-certificate-data": base64.b64encode(certs.client_crt.read_bytes()).decode(),
        "client-key-data": base64.b64encode(certs.client_key.read_bytes()).decode(),
    }
    path = write_kubeconfig(tmp_path / "config", {"c": (cluster_entry(cluster.url, certs, inline_ca=True), user)}, "c")
    assert ClusterSource(kubeconfig=str(path)).mesh_config() == "x: 1"
    assert cluster.requests[-1][1] == "cert-user"


def test_relative_paths_are_relative_to_the_kubeconfig(
    cluster: FakeCluster, certs: Certs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster.add_configmap("istio-system", "istio", {"mesh": "x: 1"})
    folder = tmp_path / "kube"
    folder.mkdir()
    (folder / "ca.pem").write_bytes(certs.ca_crt.read_bytes())
    (folder / "token").write_text("good-token\n")
    entry = {"server": cluster.url, "certificate-authority": "ca.pem"}
    path = write_kubeconfig(folder / "config", {"c": (entry, {"tokenFile": "token"})}, "c")
    monkeypatch.chdir(tmp_path)
    assert ClusterSource(kubeconfig=str(path)).mesh_config() == "x: 1"
    assert cluster.requests[-1][1:] == ("token-user", "token")


def exec_plugin(tmp_path: Path, body: str) -> dict[str, object]:
    script = tmp_path / "plugin.py"
    script.write_text(body)
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sys.executable,
            "args": [str(script)],
            "interactiveMode": "Never",
        }
    }


def test_exec_credential_plugin(cluster: FakeCluster, certs: Certs, tmp_path: Path) -> None:
    cluster.add_configmap("istio-system", "istio", {"mesh": "x: 1"})
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"token": "good-token"},
    }
    user = exec_plugin(tmp_path, f"import json\nprint(json.dumps({credential!r}))\n")
    path = write_kubeconfig(tmp_path / "config", {"c": (cluster_entry(cluster.url, certs), user)}, "c")
    assert ClusterSource(kubeconfig=str(path)).mesh_config() == "x: 1"
    assert cluster.requests[-1][1:] == ("token-user", "token")


def test_exec_credential_plugin_failure(cluster: FakeCluster, certs: Certs, tmp_path: Path) -> None:
    user = exec_plugin(tmp_path, "import sys\nsys.stderr.write('please run: cloud login\\n')\nsys.exit(3)\n")
    path = write_kubeconfig(tmp_path / "config", {"c": (cluster_entry(cluster.url, certs), user)}, "c")
    with pytest.raises(ConfigError) as err:
        ClusterSource(kubeconfig=str(path)).mesh_config()
    message = str(err.value)
    assert "exec credential plugin" in message and "failed" in message and "please run: cloud login" in message
    assert "c-user" in message and "\n" not in message
    assert cluster.requests == []


def test_exec_credential_plugin_not_installed(cluster: FakeCluster, certs: Certs, tmp_path: Path) -> None:
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "no-such-credential-plugin",
            "installHint": "install it with: cloud components install no-such-credential-plugin",
        }
    }
    path = write_kubeconfig(tmp_path / "config", {"c": (cluster_entry(cluster.url, certs), user)}, "c")
    message = error_of(ClusterSource(kubeconfig=str(path)))
    assert "exec credential plugin 'no-such-credential-plugin' failed" in message
    assert "install it with: cloud components install" in message


def test_insecure_skip_tls_verify(cluster: FakeCluster, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    cluster.add_configmap("istio-system", "istio", {"mesh": "x: 1"})
    entry = {"server": cluster.url, "insecure-skip-tls-verify": True}
    path = write_kubeconfig(tmp_path / "config", {"a": (entry, token_user())}, "a")
    assert ClusterSource(kubeconfig=str(path)).mesh_config() == "x: 1"
    assert "InsecureRequestWarning" not in capfd.readouterr().err  # the user chose it; no nagging


def test_server_without_scheme(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", {"a": ({"server": "10.0.0.1:6443"}, token_user())}, "a")
    message = error_of(ClusterSource(kubeconfig=str(path)))
    assert "has no scheme" in message and "https://10.0.0.1:6443" in message


def test_in_cluster_service_account(
    cluster: FakeCluster, certs: Certs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kubernetes.config import incluster_config  # the test's own import, to point at temp files

    cluster.add_configmap("istio-system", "istio", {"mesh": "in: cluster"})
    token = tmp_path / "token"
    token.write_text("good-token")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(certs.ca_crt))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", cluster.url.rsplit(":", 1)[1])
    assert ClusterSource().mesh_config() == "in: cluster"
    assert cluster.requests[-1][1:] == ("token-user", "token")


def test_kubeconfig_is_preferred_over_in_cluster(
    cluster: FakeCluster, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster.add_configmap("istio-system", "istio", {"mesh": "from: kubeconfig"})
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "1")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    assert ClusterSource().mesh_config() == "from: kubeconfig"


# --- kubeconfig errors ---------------------------------------------------------------------------


def error_of(source: ClusterSource) -> str:
    with pytest.raises(ConfigError) as err:
        source.mesh_config()
    message = str(err.value)
    assert "\n" not in message
    return message


def test_no_kubeconfig_anywhere() -> None:
    message = error_of(ClusterSource())
    assert "no kubeconfig" in message and "--kubeconfig" in message and "--offline" in message


def test_kubeconfig_flag_file_missing(tmp_path: Path) -> None:
    message = error_of(ClusterSource(kubeconfig=str(tmp_path / "nope")))
    assert "nope" in message and "does not exist" in message


def test_unknown_context(kubeconfig: Path) -> None:
    message = error_of(ClusterSource(kubeconfig=str(kubeconfig), context="prod"))
    assert "context 'prod' not found" in message and "main" in message


def test_no_current_context(cluster: FakeCluster, certs: Certs, tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", {"a": (cluster_entry(cluster.url, certs), token_user())})
    message = error_of(ClusterSource(kubeconfig=str(path)))
    assert "no current-context" in message and "--context" in message and "a" in message


def test_kubeconfig_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("clusters: [\n")
    message = error_of(ClusterSource(kubeconfig=str(path)))
    assert "cannot read kubeconfig" in message and str(path) in message


def test_missing_ca_file(cluster: FakeCluster, tmp_path: Path) -> None:
    entry = {"server": cluster.url, "certificate-authority": str(tmp_path / "no-ca.pem")}
    path = write_kubeconfig(tmp_path / "config", {"a": (entry, token_user())}, "a")
    message = error_of(ClusterSource(kubeconfig=str(path)))
    assert "context 'a'" in message and "no-ca.pem" in message


def test_untrusted_server_certificate(cluster: FakeCluster, certs: Certs, tmp_path: Path) -> None:
    entry = {"server": cluster.url, "certificate-authority": str(certs.other_ca_crt)}
    path = write_kubeconfig(tmp_path / "config", {"a": (entry, token_user())}, "a")
    message = error_of(ClusterSource(kubeconfig=str(path)))
    assert "cannot verify the TLS certificate" in message and cluster.url in message
    assert "certificate-authority" in message


def test_kubeconfig_yaml_written_by_tests_is_plain(kubeconfig: Path) -> None:
    # Guard for the tests themselves: a real kubeconfig shape, readable by kubectl.
    doc = yaml.safe_load(kubeconfig.read_text())
    assert doc["kind"] == "Config" and doc["current-context"] == "main"
    assert json.dumps(doc)
