"""`sidecarctl check`: the webhook's decision and the rule behind it, from files and from a cluster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from beyond_support import one_error_line, run

from sidecarctl.inject import explain, policy

CONFIG = """policy: {policy}
neverInjectSelector:
- matchLabels: {{tier: batch}}
alwaysInjectSelector:
- matchExpressions: [{{key: mesh, operator: Exists}}]
templates:
  sidecar: |
    spec:
      containers:
      - name: istio-proxy
        image: proxy
"""


def workload(name: str, namespace: str = "", labels: str = "{}", annotations: str = "{}", extra: str = "") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}{ns}\nspec:\n  template:\n"
        f"    metadata:\n      labels: {labels}\n      annotations: {annotations}\n    spec:\n{extra}"
        "      containers: [{name: app, image: nginx}]\n"
    )


def namespace(name: str, labels: str) -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels: {labels}\n"


# (title, policy, documents, expected (name, inject, rule, reason fragment))
FILE_CASES = [
    ("default policy enabled", "enabled", [workload("a")], ("a", True, policy.RULE_DEFAULT_POLICY, "policy enabled")),
    ("default policy disabled", "disabled", [workload("a")], ("a", False, policy.RULE_DEFAULT_POLICY, "disabled")),
    (
        "pod annotation false",
        "enabled",
        [workload("a", annotations="{sidecar.istio.io/inject: 'false'}")],
        ("a", False, policy.RULE_POD_ANNOTATION, "annotation sidecar.istio.io/inject=false"),
    ),
    (
        "pod label beats policy",
        "disabled",
        [workload("a", labels="{sidecar.istio.io/inject: 'true'}")],
        ("a", True, policy.RULE_POD_LABEL, "label sidecar.istio.io/inject=true"),
    ),
    (
        "neverInjectSelector",
        "enabled",
        [workload("a", labels="{tier: batch}")],
        ("a", False, policy.RULE_NEVER_SELECTOR, "neverInjectSelector"),
    ),
    (
        "alwaysInjectSelector",
        "disabled",
        [workload("a", labels="{mesh: x}")],
        ("a", True, policy.RULE_ALWAYS_SELECTOR, "alwaysInjectSelector"),
    ),
    (
        "never beats always",
        "enabled",
        [workload("a", labels="{mesh: x, tier: batch}")],
        ("a", False, policy.RULE_NEVER_SELECTOR, "neverInjectSelector"),
    ),
    (
        "host networking",
        "enabled",
        [workload("a", extra="      hostNetwork: true\n")],
        ("a", False, policy.RULE_HOST_NETWORK, "hostNetwork"),
    ),
    (
        "ignored namespace",
        "enabled",
        [workload("a", namespace="kube-system")],
        ("a", False, policy.RULE_IGNORED_NAMESPACE, "kube-system"),
    ),
    (
        "namespace label enables",
        "enabled",
        [namespace("shop", "{istio-injection: enabled}"), workload("a", "shop")],
        ("a", True, explain.RULE_NAMESPACE_LABEL, "istio-injection=enabled"),
    ),
    (
        "namespace label disables",
        "enabled",
        [namespace("shop", "{istio-injection: disabled}"), workload("a", "shop")],
        ("a", False, explain.RULE_NAMESPACE_LABEL, "istio-injection=disabled"),
    ),
    (
        "unlabelled namespace",
        "enabled",
        [namespace("shop", "{}"), workload("a", "shop")],
        ("a", False, explain.RULE_NAMESPACE_LABEL, "no istio-injection"),
    ),
    (
        "unlabelled namespace, pod opts in",
        "enabled",
        [namespace("shop", "{}"), workload("a", "shop", labels="{sidecar.istio.io/inject: 'true'}")],
        ("a", True, policy.RULE_POD_LABEL, "label sidecar.istio.io/inject=true"),
    ),
    (
        "revision label of another revision",
        "enabled",
        [namespace("shop", "{istio.io/rev: canary}"), workload("a", "shop")],
        ("a", False, explain.RULE_NAMESPACE_LABEL, "istio.io/rev=canary, not default"),
    ),
    (
        "namespace enabled, policy disabled",
        "disabled",
        [namespace("shop", "{istio-injection: enabled}"), workload("a", "shop")],
        ("a", False, policy.RULE_DEFAULT_POLICY, "policy disabled"),
    ),
]


def settings_files(tmp_path: Path, policy_name: str) -> list[str]:
    config = tmp_path / "inject-config.yaml"
    config.write_text(CONFIG.format(policy=policy_name))
    return ["--injectConfigFile", str(config), "--offline"]


@pytest.mark.parametrize("title,policy_name,docs,expected", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_check_files(tmp_path: Path, title: str, policy_name: str, docs: list[str], expected: tuple[Any, ...]) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text("---\n".join(docs))
    result = run("check", *settings_files(tmp_path, policy_name), "-f", str(manifest), "-o", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 1, rows
    row = rows[0]
    name, inject, rule, fragment = expected
    assert (row["name"], row["inject"], row["rule"]) == (name, inject, rule), title
    assert fragment in row["reason"], row


def test_table_has_the_columns_and_lists_every_workload(tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    items = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: []}}\n"
    )
    manifest.write_text(workload("a") + "---\n" + items + "---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    result = run("check", *settings_files(tmp_path, "enabled"), "-f", str(manifest))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == list(explain.COLUMNS)
    assert [line.split()[:2] for line in lines[1:]] == [["Deployment", "a"], ["Pod", "p"]]


ERRORS = [
    (["check", "--offline", "-f", "x.yaml", "-n", "shop"], 2, "not both"),
    (["check", "--offline", "-n", "a", "--all-namespaces"], 2, "not both"),
    (["check", "--offline", "-f", "/nonexistent.yaml"], 1, "open /nonexistent.yaml"),
    (["check", "-f", "-"], 1, "no cluster to read settings from"),
]


@pytest.mark.parametrize("args,code,text", ERRORS, ids=[" ".join(a) for a, _, _ in ERRORS])
def test_check_errors_are_one_line(args: list[str], code: int, text: str) -> None:
    result = run(*args, stdin=workload("a"))
    assert result.exit_code == code
    assert text in one_error_line(result)


# --- cluster ------------------------------------------------------------------------------------


def api_pod(name: str, ns: str, labels: dict[str, str] | None = None, host_network: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "app", "image": "nginx"}]}
    if host_network:
        spec["hostNetwork"] = True
    return {"metadata": {"name": name, "namespace": ns, "labels": labels or {}}, "spec": spec}


@pytest.fixture
def populated(fake_cluster: Any) -> Any:
    fake_cluster.add_namespace("shop", {"istio-injection": "enabled"})
    fake_cluster.add_namespace("plain")
    fake_cluster.add_namespace("canary", {"istio.io/rev": "canary"})
    fake_cluster.add_pod(api_pod("web", "shop"))
    fake_cluster.add_pod(api_pod("opt-out", "shop", {"sidecar.istio.io/inject": "false"}))
    fake_cluster.add_pod(api_pod("hostnet", "shop", host_network=True))
    fake_cluster.add_pod(api_pod("lonely", "plain"))
    fake_cluster.add_pod(api_pod("rev", "canary"))
    fake_cluster.list_page_size = 2  # the client must follow `continue`
    return fake_cluster


CLUSTER_EXPECTED = {
    ("shop", "web"): (True, explain.RULE_NAMESPACE_LABEL),
    ("shop", "opt-out"): (False, policy.RULE_POD_LABEL),
    ("shop", "hostnet"): (False, policy.RULE_HOST_NETWORK),
    ("plain", "lonely"): (False, explain.RULE_NAMESPACE_LABEL),
    ("canary", "rev"): (False, explain.RULE_NAMESPACE_LABEL),
}


@pytest.mark.parametrize("scope", [["--all-namespaces"], ["-n", "shop"]])
def test_check_cluster_pods(populated: Any, kubeconfig: Path, tmp_path: Path, scope: list[str]) -> None:
    result = run("check", *settings_files(tmp_path, "enabled"), "--kubeconfig", str(kubeconfig), *scope, "-o", "json")
    assert result.exit_code == 0, result.stderr
    got = {(r["namespace"], r["name"]): (r["inject"], r["rule"]) for r in json.loads(result.stdout)}
    want = {k: v for k, v in CLUSTER_EXPECTED.items() if scope[0] != "-n" or k[0] == "shop"}
    assert got == want


def test_check_cluster_revision(populated: Any, kubeconfig: Path, tmp_path: Path) -> None:
    config = tmp_path / "inject-config.yaml"
    config.write_text(CONFIG.format(policy="enabled"))
    values = tmp_path / "values.json"
    values.write_text("{}")
    mesh = tmp_path / "mesh.yaml"
    mesh.write_text("")
    result = run(
        "check",
        "--injectConfigFile",
        str(config),
        "--valuesFile",
        str(values),
        "--meshConfigFile",
        str(mesh),
        "-r",
        "canary",
        "--kubeconfig",
        str(kubeconfig),
        "-n",
        "canary",
        "-o",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert [(r["name"], r["inject"], r["rule"]) for r in json.loads(result.stdout)] == [
        ("rev", True, explain.RULE_NAMESPACE_LABEL)
    ]


def test_check_cluster_resolves_revision_tags(populated: Any, kubeconfig: Path, tmp_path: Path) -> None:
    from cluster_fakeapi import webhook

    populated.webhooks.append(webhook("istio-revision-tag-prod", {"istio.io/tag": "prod", "istio.io/rev": "canary"}))
    populated.webhooks.append(
        webhook("istio-revision-tag-default", {"istio.io/tag": "default", "istio.io/rev": "canary"})
    )
    populated.add_namespace("tagged", {"istio.io/rev": "prod"})
    populated.add_pod(api_pod("via-tag", "tagged"))
    config = tmp_path / "inject-config.yaml"
    config.write_text(CONFIG.format(policy="enabled"))
    flags = ["--injectConfigFile", str(config), "--offline", "-r", "canary", "--kubeconfig", str(kubeconfig)]
    result = run("check", *flags, "--all-namespaces", "-o", "json")
    assert result.exit_code == 0, result.stderr
    got = {r["name"]: (r["inject"], r["rule"], r["reason"]) for r in json.loads(result.stdout)}
    assert got["via-tag"][:2] == (True, explain.RULE_NAMESPACE_LABEL)
    assert "tag of revision canary" in got["via-tag"][2]
    assert got["web"][:2] == (True, explain.RULE_NAMESPACE_LABEL)  # istio-injection=enabled: the default tag's
    assert got["rev"][:2] == (True, explain.RULE_NAMESPACE_LABEL)


def test_check_cluster_forbidden_is_one_line(populated: Any, kubeconfig: Path, tmp_path: Path) -> None:
    populated.forbidden.add(("list", "pods", "shop"))
    result = run("check", *settings_files(tmp_path, "enabled"), "--kubeconfig", str(kubeconfig), "-n", "shop")
    assert result.exit_code == 1
    assert "forbidden" in one_error_line(result) and "list pods" in result.stderr


# The webhook's decision and check's explanation are one implementation.
SHARED = [
    ({}, {}, "enabled"),
    ({}, {}, "disabled"),
    ({}, {}, "bogus"),
    ({}, {"hostNetwork": True}, "enabled"),
    ({"namespace": "kube-public"}, {}, "enabled"),
    ({"labels": {"sidecar.istio.io/inject": "true"}}, {}, "disabled"),
    ({"labels": {"sidecar.istio.io/inject": "true"}}, {}, "bogus"),
    ({"annotations": {"sidecar.istio.io/inject": "false"}}, {}, "enabled"),
    ({"annotations": {"sidecar.istio.io/inject": "maybe"}}, {}, "disabled"),
    ({"labels": {"tier": "batch"}}, {}, "enabled"),
    ({"labels": {"mesh": "1"}}, {}, "disabled"),
]


@pytest.mark.parametrize("metadata,spec,policy_name", SHARED)
def test_explanation_agrees_with_the_webhook(metadata: dict[str, Any], spec: dict[str, Any], policy_name: str) -> None:
    never = [{"matchLabels": {"tier": "batch"}}]
    always = [{"matchExpressions": [{"key": "mesh", "operator": "Exists"}]}]
    decision = policy.inject_required(metadata, spec, policy_name, never, always)
    inject, rule, detail = policy.explain_required(metadata, spec, policy_name, never, always)
    assert (inject, detail) == (decision.inject, decision.why)
    assert rule in policy.RULES
