"""Where each kind keeps its pod template, and how istioctl names the workload."""

from __future__ import annotations

import pytest

from sidecarctl.errors import InjectionError
from sidecarctl.inject import workloads


def deployment(kind: str = "Deployment", **template: object) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}, **template}},
    }


@pytest.mark.parametrize(
    "kind", ["Deployment", "DaemonSet", "ReplicaSet", "StatefulSet", "Job", "ReplicationController", "DeploymentConfig"]
)
def test_template_kinds_use_spec_template(kind: str) -> None:
    obj = deployment(kind)
    found = workloads.locate(obj)
    assert found.metadata is obj["spec"]["template"]["metadata"]
    assert found.spec is obj["spec"]["template"]["spec"]
    assert found.deploy_meta == {"name": "web", "namespace": "shop"}
    assert found.type_meta == {"apiVersion": "apps/v1", "kind": kind}
    assert found.full_name == "shop/web"


def test_cronjob_metadata_is_the_job_templates() -> None:
    obj = {
        "kind": "CronJob",
        "apiVersion": "batch/v1",
        "metadata": {"name": "nightly"},
        "spec": {
            "jobTemplate": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {"template": {"metadata": {"labels": {"x": "y"}}, "spec": {"containers": [{"name": "c"}]}}},
            }
        },
    }
    found = workloads.locate(obj)
    assert found.metadata == {"labels": {"a": "b"}}
    assert found.spec == {"containers": [{"name": "c"}]}


@pytest.mark.parametrize("kind", ["ReplicationController", "DeploymentConfig"])
def test_pointer_templates_are_required(kind: str) -> None:
    obj = {"kind": kind, "metadata": {"name": "x"}, "spec": {}}
    with pytest.raises(InjectionError, match="spec.template is required value"):
        workloads.locate(obj)


def test_value_templates_may_be_missing() -> None:
    obj = {"kind": "Deployment", "metadata": {"name": "x"}, "spec": {}}
    found = workloads.locate(obj)
    assert found.spec == {} and obj["spec"]["template"] == {"metadata": {}, "spec": {}}


def test_full_name_prefers_the_template_name_and_omits_empty_namespace() -> None:
    obj = deployment()
    obj["spec"]["template"]["metadata"]["name"] = "tmpl"
    assert workloads.locate(obj).full_name == "shop/tmpl"
    obj["metadata"].pop("namespace")
    assert workloads.locate(obj).full_name == "tmpl"


def test_write_back_replaces_metadata_and_spec() -> None:
    obj = deployment()
    found = workloads.locate(obj)
    workloads.write_back(obj, found, {"metadata": {"name": "n"}, "spec": {"containers": [{"name": "a"}]}})
    assert obj["spec"]["template"] == {"metadata": {"name": "n"}, "spec": {"containers": [{"name": "a"}]}}


@pytest.mark.parametrize(
    "kind,injectable",
    [("Pod", True), ("List", True), ("CronJob", True), ("Service", False), ("pod", False), (None, False), (3, False)],
)
def test_injectable_kinds_match_by_exact_kind(kind: object, injectable: bool) -> None:
    assert workloads.is_injectable(kind) is injectable


def owned(kind: str, name: str, labels: dict | None = None) -> dict:
    return {
        "name": "",
        "generateName": "g-",
        "namespace": "ns",
        "labels": labels or {},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": name, "controller": True}],
    }


@pytest.mark.parametrize(
    "metadata,deploy,type_meta",
    [
        pytest.param(
            {"name": "p", "namespace": "ns"},
            {"name": "p", "namespace": "ns"},
            {"apiVersion": "v1", "kind": "Pod"},
            id="plain-pod",
        ),
        pytest.param(
            owned("ReplicaSet", "web-5d4f", {"pod-template-hash": "5d4f"}),
            {"name": "web", "namespace": "ns"},
            {"apiVersion": "apps/v1", "kind": "Deployment"},
            id="deployment-from-replicaset",
        ),
        pytest.param(
            owned("ReplicaSet", "web-5d4f", {"rollouts-pod-template-hash": "5d4f"}),
            {"name": "web", "namespace": "ns"},
            {"apiVersion": "v1alpha1", "kind": "Rollout"},
            id="rollout",
        ),
        pytest.param(
            owned("ReplicationController", "dc-1", {"deploymentconfig": "dc"}),
            {"name": "dc", "namespace": "ns"},
            {"apiVersion": "apps/v1", "kind": "DeploymentConfig"},
            id="deploymentconfig",
        ),
        pytest.param(
            owned("Job", "nightly-27800000"),
            {"name": "nightly", "namespace": "ns"},
            {"apiVersion": "batch/v1", "kind": "CronJob"},
            id="cronjob-from-job",
        ),
        pytest.param(
            owned("Job", "once"),
            {"name": "once", "namespace": "ns"},
            {"apiVersion": "apps/v1", "kind": "Job"},
            id="plain-job",
        ),
    ],
)
def test_deploy_meta_from_pod(metadata: dict, deploy: dict, type_meta: dict) -> None:
    assert workloads.deploy_meta_from_pod(metadata) == (deploy, type_meta)
