"""The container image: built from this checkout, it runs the webhook, and the webhook passes Istio
1.30.3's injection goldens (the cases marked `webhook: true`) answered from inside the image.

Runs where buildah is installed. The image is `$SIDECARCTL_TEST_IMAGE` when set (hack/image-conformance.sh
builds one and sets it); otherwise the test builds it with `hack/build-image.sh --local-base`, which
needs mmdebstrap and Debian's and PyPI's package servers (about 1 to 4 minutes here). Each settings
folder of the suite gets one server, started with `buildah run` (chroot isolation, host network:
the server listens on 127.0.0.1) exactly as the Deployment starts it: the image's user, `webhook
serve` with the TLS files and the settings mounted read-only. One more test starts the container
exactly as the printed Deployment does, with settings read through a fake API server.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webhook_certs import CertPair, make_ca, make_server_cert, openssl_available
from webhook_conformance import (
    comparable,
    injectable_docs,
    load_cases,
    object_to_pod,
)
from webhook_support import Client, client_context, review_of

from shared_suite import ABSENT, SUITE
from sidecarctl.webhook.jsonpatch import apply_patch
from sidecarctl.webhook.manifests import TLS_DIR, InstallOptions, install_manifests

ROOT = Path(__file__).resolve().parents[2]
CASES = [c for c in load_cases() if "expected_error" not in c]
ERROR_CASES = [c for c in load_cases() if "expected_error" in c]
BUILDAH = shutil.which("buildah")
STORAGE = ["--storage-driver", os.environ.get("STORAGE_DRIVER", "vfs")]
TEST_TAG = "localhost/sidecarctl:image-test"

pytestmark = [
    pytest.mark.skipif(BUILDAH is None, reason="buildah is not installed (apt-get install buildah)"),
    pytest.mark.skipif(not CASES, reason=ABSENT),
]


def buildah(*args: str, timeout: float = 120) -> str:
    done = subprocess.run([str(BUILDAH), *STORAGE, *args], capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"buildah {' '.join(args)}: {done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    given = os.environ.get("SIDECARCTL_TEST_IMAGE")
    if given:
        yield given
        return
    if shutil.which("mmdebstrap") is None:
        pytest.skip("no SIDECARCTL_TEST_IMAGE and no mmdebstrap to build a base image without a registry")
    build = subprocess.run(
        [str(ROOT / "hack" / "build-image.sh"), "--local-base", "--tag", TEST_TAG],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    yield TEST_TAG
    # Clean-up, not a check: --force also removes a working container another run (or a test whose
    # container is still being torn down) holds on the image, which made a plain rmi fail the run.
    subprocess.run(
        [str(BUILDAH), *STORAGE, "rmi", "--force", TEST_TAG, "localhost/sidecarctl-base:bookworm"],
        capture_output=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def container(image: str) -> Iterator[str]:
    name = buildah("from", "--pull-never", image).strip()
    yield name
    buildah("rm", name)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> CertPair:
    if not openssl_available():
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("image-tls")
    certs = make_server_cert(folder, make_ca(folder))
    # the image's user (1337) reads them through a bind mount of the folder
    folder.chmod(0o755)
    for path in (certs.cert, certs.key):
        path.chmod(0o644)
    return certs


def run_in(container: str, *command: str) -> str:
    return buildah("run", "--isolation", "chroot", container, "--", *command)


def test_image_runs_sidecarctl_as_a_non_root_user(image: str, container: str) -> None:
    config = json.loads(buildah("inspect", "--type", "image", image))["OCIv1"]["config"]
    assert config["Entrypoint"] == ["/opt/sidecarctl/bin/sidecarctl"]
    assert config["User"] == "1337:1337"
    assert run_in(container, "id", "-u").strip() == "1337"
    assert run_in(container, "/opt/sidecarctl/bin/sidecarctl", "--version").startswith("sidecarctl, version")


def test_image_injects_offline(container: str) -> None:
    """`kube-inject` works in the image (the built-in settings ship as package data)."""
    injected = run_in(
        container,
        "/bin/sh",
        "-c",
        "printf 'apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}\\n"
        "spec: {containers: [{name: a, image: nginx}]}\\n' | sidecarctl kube-inject --offline -f -",
    )
    assert "name: istio-proxy" in injected


def _fake_api() -> Any:
    """tests/cluster's fake API server (its module is not on this folder's import path)."""
    folder = str(ROOT / "tests" / "cluster")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import cluster_fakeapi

    return cluster_fakeapi


class ImageServer:
    """`sidecarctl webhook serve` inside the image, on a free loopback port."""

    def __init__(
        self,
        container: str,
        pair: CertPair,
        args: list[str],
        mounts: dict[Path, str],
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = _free_port()
        command = [str(BUILDAH), *STORAGE, "run", "--isolation", "chroot", "--network", "host"]
        for host, inside in mounts.items():
            command += ["-v", f"{host}:{inside}:ro"]
        for name, value in (env or {}).items():
            command += ["--env", f"{name}={value}"]
        # a first review renders cold, and this machine may be loaded: the review deadline (tested
        # with the server) must not turn slowness into a refused pod here
        command += [
            container,
            "--",
            "/opt/sidecarctl/bin/sidecarctl",
            *args,
            "--address=127.0.0.1",
            f"--port={self.port}",
            "--request-timeout=60",
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.client = Client(f"https://127.0.0.1:{self.port}", client_context(pair.ca))
        self._wait_ready()

    @classmethod
    def for_settings(cls, container: str, pair: CertPair, settings: str, native: bool) -> ImageServer:
        """A server on one settings folder of the suite, mounted read-only as files."""
        args = [
            "webhook",
            "serve",
            f"--tls-cert-file=/tls/{pair.cert.name}",
            f"--tls-key-file=/tls/{pair.key.name}",
            "--injectConfigFile=/settings/inject-config.yaml",
            "--valuesFile=/settings/inject-values.yaml",
            "--meshConfigFile=/settings/mesh-config.yaml",
            "--native-sidecars" if native else "--no-native-sidecars",
        ]
        return cls(container, pair, args, {pair.cert.parent: "/tls", SUITE / "settings" / settings: "/settings"})

    def _wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.process.stdout.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if self.client.request("/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        self.stop()
        raise AssertionError(f"server on port {self.port} not ready within {seconds}s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def servers(container: str, pair: CertPair) -> Iterator[dict[tuple[str, bool], ImageServer]]:
    """One server per (settings, native sidecars) the cases use, started on first use."""
    running: dict[tuple[str, bool], ImageServer] = {}

    class Pool(dict[tuple[str, bool], ImageServer]):
        def __missing__(self, key: tuple[str, bool]) -> ImageServer:
            for server in running.values():  # one at a time: the machine is shared
                server.stop()
            running.clear()
            self.clear()
            running[key] = self[key] = ImageServer.for_settings(container, pair, *key)
            return self[key]

    yield Pool()
    for server in running.values():
        server.stop()


# where the kubelet mounts the token; /var/run is a link to /run in the image, and buildah's bind
# mounts do not follow links
SERVICE_ACCOUNT_DIR = "/run/secrets/kubernetes.io/serviceaccount"


def test_deployment_from_the_manifests_runs_in_the_image(container: str, pair: CertPair, tmp_path: Path) -> None:
    """The Deployment's container, as `webhook manifests` prints it (args, env, TLS mount path),
    started from the image with what the kubelet would give it: the TLS Secret at its mount path and
    a service account whose API server is a fake one holding Istio's ConfigMaps and one 1.33 node.
    It loads its settings through the API, detects native sidecars, and injects."""
    fake = _fake_api()
    api = fake.FakeCluster(fake.Certs(_world_readable(tmp_path / "api")).make()).start()
    try:
        api.load_settings(SUITE / "settings" / "default")
        api.set_nodes(["v1.33.0"])
        manifests = install_manifests(InstallOptions(image="unused", ca_bundle=pair.ca.read_bytes()))
        spec = next(o for o in manifests if o["kind"] == "Deployment")["spec"]["template"]["spec"]
        webhook = spec["containers"][0]
        tls = _world_readable(tmp_path / "tls")
        shutil.copy(pair.cert, tls / "tls.crt")
        shutil.copy(pair.key, tls / "tls.key")
        account = _world_readable(tmp_path / "serviceaccount")
        (account / "token").write_text("good-token")
        shutil.copy(api.certs.ca_crt, account / "ca.crt")
        for path in [*tls.iterdir(), *account.iterdir()]:
            path.chmod(0o644)
        port = api.url.rsplit(":", 1)[1]
        env = {e["name"]: e["value"] for e in webhook["env"]}
        env |= {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port}
        assert webhook["volumeMounts"][0]["mountPath"] == TLS_DIR
        server = ImageServer(container, pair, webhook["args"], {tls: TLS_DIR, account: SERVICE_ACCOUNT_DIR}, env)
        try:
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "sleep", "namespace": "default"},
                "spec": {"containers": [{"name": "sleep", "image": "curlimages/curl"}]},
            }
            response = server.client.review(review_of(pod, uid="deployment"))["response"]
        finally:
            server.stop()
    finally:
        api.stop()
    assert response["allowed"] is True and response["uid"] == "deployment"
    patched = apply_patch(pod, json.loads(base64.b64decode(response["patch"])))
    # native sidecars, detected from the node's kubelet: istio-proxy is an init container
    assert "istio-proxy" in [c["name"] for c in patched["spec"].get("initContainers", [])]
    paths = {path.split("?")[0] for path, _, _ in api.requests}
    assert paths == {
        "/api/v1/namespaces/istio-system/configmaps/istio-sidecar-injector",
        "/api/v1/namespaces/istio-system/configmaps/istio",
        "/api/v1/nodes",
    }


def _world_readable(folder: Path) -> Path:
    folder.mkdir()
    folder.chmod(0o755)
    return folder


def _normalize(pod: dict[str, Any]) -> dict[str, Any]:
    from sidecarctl.kube import normalize_as

    return normalize_as(pod, "v1.Pod")  # type: ignore[no-any-return]


def _answer(client: Client, doc: dict[str, Any], uid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    pod = _normalize(object_to_pod(doc))
    namespace = (doc.get("metadata") or {}).get("namespace", "")
    response = client.review(review_of(pod, uid=uid, namespace=namespace))["response"]
    assert response["uid"] == uid
    return pod, response


def _by_settings(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cases grouped by server, so each server starts once."""
    return sorted(cases, key=lambda c: (c["settings"], c["native_sidecars"], c["name"]))


@pytest.mark.parametrize("case", _by_settings(CASES), ids=lambda c: str(c["name"]))
def test_golden_from_the_image(case: dict[str, Any], servers: dict[tuple[str, bool], ImageServer]) -> None:
    client = servers[(case["settings"], case["native_sidecars"])].client
    inputs = injectable_docs((SUITE / "cases" / case["input"]).read_text())
    wants = injectable_docs((SUITE / "cases" / case["golden"]).read_text())
    assert len(inputs) == len(wants) and inputs
    for i, (doc, want_doc) in enumerate(zip(inputs, wants)):
        pod, response = _answer(client, doc, "image")
        assert response["allowed"] is True, response.get("status")
        got = pod
        if "patch" in response:
            got = _normalize(apply_patch(pod, json.loads(base64.b64decode(response["patch"]))))
        want = _normalize(object_to_pod(want_doc))
        assert comparable(got, got=True) == comparable(want, got=False), f"yamlPart[{i}]"


@pytest.mark.parametrize("case", _by_settings(ERROR_CASES), ids=lambda c: str(c["name"]))
def test_error_denies_from_the_image(case: dict[str, Any], servers: dict[tuple[str, bool], ImageServer]) -> None:
    client = servers[(case["settings"], case["native_sidecars"])].client
    for doc in injectable_docs((SUITE / "cases" / case["input"]).read_text()):
        _, response = _answer(client, doc, "err")
        assert response["allowed"] is False
        assert case["expected_error"] in response["status"]["message"].lower()
