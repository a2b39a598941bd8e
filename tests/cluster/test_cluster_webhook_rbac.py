"""The RBAC that `sidecarctl webhook manifests` grants is exactly what the webhook asks the API for.

The server loads its settings (and, in `auto` mode, the nodes' kubelet versions) from a fake API
server; every request it makes must be allowed by the printed Role and ClusterRole, and every
permission they grant must have been used: least privilege, checked against the real client.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from cluster_fakeapi import FakeCluster

from sidecarctl.webhook.engine import EngineInjector, SettingsFlags
from sidecarctl.webhook.manifests import InstallOptions, install_manifests

SETTINGS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "istio-1.30.3" / "settings" / "default"
pytestmark = pytest.mark.skipif(not SETTINGS.is_dir(), reason=f"conformance settings not found at {SETTINGS}")

Permission = tuple[str, str, str, str]  # verb, resource, namespace ("" = cluster scope), name ("" = any)


def request_permission(path: str) -> Permission:
    """The RBAC attributes of a GET the client sent (get one object, or list a collection)."""
    parts = [unquote(p) for p in urlsplit(path).path.strip("/").split("/")]
    assert parts[:2] == ["api", "v1"], path
    rest = parts[2:]
    namespace = ""
    if rest[0] == "namespaces" and len(rest) > 2:
        namespace, rest = rest[1], rest[2:]
    return ("get", rest[0], namespace, rest[1]) if len(rest) == 2 else ("list", rest[0], namespace, "")


def granted(objects: list[dict[str, Any]]) -> set[Permission]:
    """Every (verb, resource, namespace, name) the Roles and ClusterRoles allow, resourceNames expanded."""
    out: set[Permission] = set()
    for obj in objects:
        if obj["kind"] not in ("Role", "ClusterRole"):
            continue
        namespace = obj["metadata"].get("namespace", "")
        for rule in obj["rules"]:
            assert rule["apiGroups"] == [""]
            out |= {
                (verb, resource, namespace, name)
                for verb in rule["verbs"]
                for resource in rule["resources"]
                for name in rule.get("resourceNames") or [""]
            }
    return out


def allowed(permission: Permission, grants: set[Permission]) -> bool:
    verb, resource, namespace, name = permission
    return any(v == verb and r == resource and ns in ("", namespace) and n in ("", name) for v, r, ns, n in grants)


@pytest.mark.parametrize(
    ("opts", "configmaps"),
    [
        pytest.param(InstallOptions(image="i", ca_bundle=b""), ("istio-sidecar-injector", "istio"), id="default"),
        pytest.param(
            InstallOptions(image="i", namespace="mesh", revision="canary"),
            ("istio-sidecar-injector-canary", "istio-canary"),
            id="revision",
        ),
        pytest.param(
            InstallOptions(image="i", inject_configmap="inj", mesh_configmap="m", revision="c"),
            ("inj", "m"),
            id="configmap-names",
        ),
    ],
)
def test_rbac_allows_exactly_what_the_server_reads(
    cluster: FakeCluster, kubeconfig: Path, opts: InstallOptions, configmaps: tuple[str, str]
) -> None:
    inject_cm, mesh_cm = configmaps
    cluster.add_configmap(
        opts.namespace,
        inject_cm,
        {
            "config": (SETTINGS / "inject-config.yaml").read_text(),
            "values": (SETTINGS / "inject-values.yaml").read_text(),
        },
    )
    cluster.add_configmap(opts.namespace, mesh_cm, {"mesh": (SETTINGS / "mesh-config.yaml").read_text()})
    cluster.set_nodes(["v1.33.0"])
    opts = InstallOptions(**{**opts.__dict__, "ca_bundle": b"-----BEGIN CERTIFICATE-----\n"})
    grants = granted(install_manifests(opts))

    # the server's settings flags, as the Deployment's args give them (plus how to reach the fake API)
    flags = SettingsFlags(
        revision=opts.revision,
        istio_namespace=opts.namespace,
        kubeconfig=str(kubeconfig),
        inject_configmap_name=opts.inject_configmap,
        mesh_configmap_name=opts.mesh_configmap,
        detect_native_sidecars=True,
    )
    injector = EngineInjector.load(flags)
    assert injector.native_sidecars is True

    used = {request_permission(path) for path, _, _ in cluster.requests}
    assert used and all(allowed(p, grants) for p in used), (used, grants)
    assert grants == used


def test_the_permission_check_sees_a_missing_grant() -> None:
    grants = {("get", "configmaps", "istio-system", "istio")}
    assert allowed(("get", "configmaps", "istio-system", "istio"), grants)
    assert not allowed(("get", "configmaps", "istio-system", "other"), grants)
    assert not allowed(("list", "configmaps", "istio-system", ""), grants)
    assert not allowed(("get", "configmaps", "kube-system", "istio"), grants)
