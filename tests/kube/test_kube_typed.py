"""The typed round trip: what json.Marshal(typed) holds after sigs.k8s.io/yaml.Unmarshal(doc, &typed)."""

from __future__ import annotations

from typing import Any

import pytest

from sidecarctl.kube import (
    KubeTypeError,
    is_supported,
    kind_of,
    normalize,
    normalize_as,
)


def pod(spec: dict, **top: Any) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec, **top}


def pod_spec(doc: dict) -> dict:
    return normalize(doc)["spec"]


# --- structure: structs always, omitempty zeros gone, pointers keep zeros -------------------------


def test_minimal_deployment_gains_its_struct_fields() -> None:
    got = normalize({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}})
    assert got == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        # selector is a pointer without omitempty; template/strategy/status are structs
        "spec": {"selector": None, "template": {"metadata": {}, "spec": {"containers": None}}, "strategy": {}},
        "status": {},
    }


def test_pod_container_keeps_name_and_resources() -> None:
    got = normalize(pod({"containers": [{"name": "a"}]}, metadata={"creationTimestamp": None}))
    # creationTimestamp is omitzero since k8s 1.34: no `creationTimestamp: null`
    assert got == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {},
        "spec": {"containers": [{"name": "a", "resources": {}}]},
        "status": {},
    }


def test_container_without_name_gets_empty_name() -> None:
    assert pod_spec(pod({"containers": [{"image": "x"}]}))["containers"] == [
        {"name": "", "image": "x", "resources": {}}
    ]


OMIT_CASES = [
    # (spec given, key, expected: value or "absent")
    ({"hostNetwork": False}, "hostNetwork", "absent"),  # bool omitempty
    ({"hostNetwork": True}, "hostNetwork", True),
    ({"dnsPolicy": ""}, "dnsPolicy", "absent"),  # string omitempty
    ({"nodeSelector": {}}, "nodeSelector", "absent"),  # empty map omitempty
    ({"initContainers": []}, "initContainers", "absent"),  # empty slice omitempty
    ({"containers": []}, "containers", []),  # no omitempty: empty stays
    ({"volumes": None}, "volumes", "absent"),
    ({"terminationGracePeriodSeconds": 0}, "terminationGracePeriodSeconds", 0),  # *int64 keeps 0
    ({"automountServiceAccountToken": False}, "automountServiceAccountToken", False),  # *bool
    ({"securityContext": {}}, "securityContext", {}),  # non-nil pointer to an empty struct
    ({"securityContext": None}, "securityContext", "absent"),
    ({"overhead": {"cpu": "1000m"}}, "overhead", {"cpu": "1"}),
    ({"priority": 0}, "priority", 0),
    ({"bogus": 1}, "bogus", "absent"),  # unknown field
]


@pytest.mark.parametrize(("spec", "key", "want"), OMIT_CASES)
def test_omitempty_and_pointers(spec: dict, key: str, want: Any) -> None:
    got = pod_spec(pod({"containers": [], **spec}))
    if want == "absent":
        assert key not in got
    else:
        assert got[key] == want


def test_nested_zero_values() -> None:
    c = pod_spec(
        pod(
            {
                "containers": [
                    {
                        "name": "a",
                        "ports": [{"containerPort": 0, "hostPort": 0, "protocol": ""}],
                        "securityContext": {"privileged": False, "runAsUser": 0, "capabilities": {"add": []}},
                        "livenessProbe": {"httpGet": {"path": "/"}},
                    }
                ]
            }
        )
    )["containers"][0]
    assert c["ports"] == [{"containerPort": 0}]  # containerPort has no omitempty
    assert c["securityContext"] == {"privileged": False, "runAsUser": 0, "capabilities": {}}
    assert c["livenessProbe"] == {"httpGet": {"path": "/", "port": 0}}  # IntOrString port is a struct


def test_deployment_config_and_status_fields() -> None:
    got = normalize({"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "spec": {}})
    assert got["spec"] == {"strategy": {"resources": {}}, "triggers": None, "replicas": 0, "test": False}
    assert got["status"] == {
        "latestVersion": 0,
        "observedGeneration": 0,
        "replicas": 0,
        "updatedReplicas": 0,
        "availableReplicas": 0,
        "unavailableReplicas": 0,
    }
    assert got["metadata"] == {}


def test_job_and_cronjob_templates() -> None:
    cj = normalize({"apiVersion": "batch/v1", "kind": "CronJob", "spec": {"schedule": "* * * * *"}})
    assert cj["spec"] == {
        "schedule": "* * * * *",
        "jobTemplate": {"metadata": {}, "spec": {"template": {"metadata": {}, "spec": {"containers": None}}}},
    }
    assert normalize({"kind": "Job"})["spec"] == {"template": {"metadata": {}, "spec": {"containers": None}}}


def test_replication_controller_template_is_a_pointer() -> None:
    assert normalize({"kind": "ReplicationController"})["spec"] == {}


# --- values ------------------------------------------------------------------------------------


def test_scalars_coerced_to_strings_where_go_wants_a_string() -> None:
    doc = pod(
        {
            "containers": [
                {"name": 5, "image": 1.10, "args": [1, 2.5, True, None], "env": [{"name": "PORT", "value": 15020}]}
            ]
        },
        metadata={"labels": {"version": 1.0, "n": 5, "b": True, "big": 100000000.0}},
    )
    got = normalize(doc)
    assert got["metadata"]["labels"] == {"version": "1", "n": "5", "b": "true", "big": "1e+08"}
    c = got["spec"]["containers"][0]
    assert (c["name"], c["image"], c["args"]) == ("5", "1.1", ["1", "2.5", "true", ""])  # null into a string is a no-op
    assert c["env"] == [{"name": "PORT", "value": "15020"}]


def test_quantities_canonical() -> None:
    c = pod_spec(
        pod(
            {
                "containers": [
                    {
                        "name": "a",
                        "resources": {
                            "limits": {"cpu": "2000m", "memory": "1024Mi"},
                            "requests": {"cpu": 0.5, "memory": 1000, "x": None},
                        },
                    }
                ]
            }
        )
    )
    assert c["containers"][0]["resources"] == {
        "limits": {"cpu": "2", "memory": "1Gi"},
        "requests": {"cpu": "500m", "memory": "1k", "x": "0"},
    }


def test_int_or_string_keeps_its_kind() -> None:
    got = normalize(
        {"kind": "Deployment", "spec": {"strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}}}}
    )
    assert got["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": 1}
    probe = pod_spec(pod({"containers": [{"name": "a", "readinessProbe": {"tcpSocket": {"port": "http"}}}]}))
    assert probe["containers"][0]["readinessProbe"] == {"tcpSocket": {"port": "http"}}


def test_integral_floats_are_ints() -> None:
    got = normalize({"kind": "Deployment", "spec": {"replicas": 3.0}})
    assert got["spec"]["replicas"] == 3 and isinstance(got["spec"]["replicas"], int)


def test_time_is_utc_rfc3339() -> None:
    meta = normalize(pod({}, metadata={"creationTimestamp": "2020-01-01T10:00:00.5+02:00", "deletionTimestamp": None}))[
        "metadata"
    ]
    assert meta == {"creationTimestamp": "2020-01-01T08:00:00Z"}
    zero = normalize(pod({}, metadata={"creationTimestamp": "0001-01-01T00:00:00Z"}))["metadata"]
    assert zero == {}


def test_keys_match_case_insensitively() -> None:
    got = normalize({"Kind": "Deployment", "Spec": {"Replicas": 2}, "METADATA": {"Name": "x"}})
    assert got["kind"] == "Deployment"
    assert got["spec"]["replicas"] == 2 and got["metadata"] == {"name": "x"}


def test_duplicate_keys_decode_into_each_other_in_key_order() -> None:
    # "Spec" sorts before "spec": the second decodes into what the first left
    got = normalize({"kind": "Deployment", "spec": {"replicas": 3}, "Spec": {"replicas": 2, "paused": True}})
    assert got["spec"]["replicas"] == 3 and got["spec"]["paused"] is True


def test_non_string_keys_become_strings() -> None:
    got = normalize(pod({}, metadata={"labels": {2: "a", True: "b", 1.5: "c"}}))
    assert got["metadata"]["labels"] == {"2": "a", "true": "b", "1.5": "c"}


def test_list_items_by_their_own_kind_or_raw() -> None:
    doc = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {"kind": "Service", "spec": {"ports": [{"port": 80.0, "x": 1.5}]}},
            {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 1}},
            None,
        ],
    }
    got = normalize(doc)
    assert got["metadata"] == {}
    assert got["items"][0] == {"kind": "Service", "spec": {"ports": [{"port": 80, "x": 1.5}]}}
    assert got["items"][1]["spec"]["strategy"] == {} and got["items"][1]["status"] == {}
    assert got["items"][2] is None


def test_kind_dispatch() -> None:
    assert kind_of({"Kind": 5}) == "5"
    assert is_supported({"kind": "StatefulSet", "apiVersion": "whatever/v9"})
    assert not is_supported({"kind": "Service"})
    with pytest.raises(KeyError):
        normalize({"kind": "Service"})


@pytest.mark.parametrize("name", ["v1.PodSpec", "core.PodSpec", "PodSpec"])
def test_normalize_as_names(name: str) -> None:
    assert normalize_as({"containers": [], "hostNetwork": False}, name) == {"containers": []}


def test_normalize_as_plain_json_does_not_coerce() -> None:
    assert normalize_as({"name": "a", "value": "1"}, "v1.EnvVar", coerce=False) == {"name": "a", "value": "1"}
    with pytest.raises(KubeTypeError) as exc:
        normalize_as({"name": "a", "value": 1}, "v1.EnvVar", coerce=False)
    assert str(exc.value) == "json: cannot unmarshal number into Go struct field EnvVar.value of type string"


def test_raw_managed_fields_kept() -> None:
    meta = normalize(pod({}, metadata={"managedFields": [{"manager": "m", "fieldsV1": {"f:a": {}, "n": 2.0}}]}))
    assert meta["metadata"]["managedFields"] == [{"manager": "m", "fieldsV1": {"f:a": {}, "n": 2}}]


# --- errors: Go's text ---------------------------------------------------------------------------

DEPLOY_ERRORS = [
    ({"spec": "x"}, "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec"),
    (
        {"spec": {"replicas": "3"}},
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
    ),
    (
        {"spec": {"replicas": 1.5}},
        "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32",
    ),
    (
        {"spec": {"template": {"spec": {"containers": "x"}}}},
        (
            "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers "
            "of type []v1.Container"
        ),
    ),
    (
        {"spec": {"template": {"spec": {"containers": [{"ports": [{"containerPort": "80"}]}]}}}},
        (
            "json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports."
            "containerPort of type int32"
        ),
    ),
    (
        {"spec": {"template": {"spec": {"containers": [{"ports": [{"containerPort": 3000000000}]}]}}}},
        (
            "json: cannot unmarshal number 3000000000 into Go struct field ContainerPort.spec.template.spec."
            "containers.ports.containerPort of type int32"
        ),
    ),
    (
        {"spec": {"template": {"spec": {"containers": [{"ports": [{"protocol": [1]}]}]}}}},
        (
            "json: cannot unmarshal array into Go struct field ContainerPort.spec.template.spec.containers.ports."
            "protocol of type v1.Protocol"
        ),
    ),
    (
        {"spec": {"template": {"spec": {"hostNetwork": "true"}}}},
        "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.hostNetwork of type bool",
    ),
    (
        {"spec": {"template": {"spec": {"containers": [{"livenessProbe": "x"}]}}}},
        (
            "json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers."
            "livenessProbe of type v1.Probe"
        ),
    ),
    (
        {"metadata": {"labels": ["a"]}},
        "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string",
    ),
    (
        {"spec": {"template": {"spec": {"containers": [{"resources": {"limits": {"cpu": "abc"}}}]}}}},
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ),
    (
        {"metadata": {"creationTimestamp": "yesterday"}},
        'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    ),
    (
        {"metadata": {"creationTimestamp": "2020-13-01T00:00:00Z"}},
        'parsing time "2020-13-01T00:00:00Z": month out of range',
    ),
    (
        {"metadata": {"creationTimestamp": 5}},
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string",
    ),
    # IntOrString fails inside its own UnmarshalJSON; the error names the int32 it tried
    (
        {"spec": {"strategy": {"rollingUpdate": {"maxSurge": 1.5}}}},
        (
            "json: cannot unmarshal number 1.5 into Go struct field RollingUpdateDeployment.spec.strategy."
            "rollingUpdate.maxSurge of type int32"
        ),
    ),
    (
        {"spec": {"strategy": {"rollingUpdate": {"maxSurge": True}}}},
        (
            "json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy."
            "rollingUpdate.maxSurge of type int32"
        ),
    ),
]


@pytest.mark.parametrize(("body", "message"), DEPLOY_ERRORS)
def test_type_errors(body: dict, message: str) -> None:
    with pytest.raises(KubeTypeError) as exc:
        normalize({"apiVersion": "apps/v1", "kind": "Deployment", **body})
    assert exc.value.go_message == message
    assert exc.value.yaml_message() == "error unmarshaling JSON: while decoding JSON: " + message


def test_embedded_struct_names_appear_in_the_path() -> None:
    doc = pod({"containers": [{"name": "a", "livenessProbe": {"httpGet": {"port": 1.5}}}]})
    with pytest.raises(KubeTypeError) as exc:
        normalize(doc)
    assert str(exc.value) == (
        "json: cannot unmarshal number 1.5 into Go struct field HTTPGetAction.spec."
        "containers.livenessProbe.ProbeHandler.httpGet.port of type int32"
    )


def test_promoted_fields_are_not_coerced() -> None:
    # sigs.k8s.io/yaml converts a promoted field against the embedded struct, so 123 stays a number
    doc = pod({"volumes": [{"name": 7, "configMap": {"name": 123}}]})
    with pytest.raises(KubeTypeError) as exc:
        normalize(doc)
    assert str(exc.value) == (
        "json: cannot unmarshal number into Go struct field ConfigMapVolumeSource.spec."
        "volumes.VolumeSource.configMap.LocalObjectReference.name of type string"
    )
    ok = normalize(pod({"volumes": [{"name": 7, "configMap": {"name": "cm"}}]}))
    assert ok["spec"]["volumes"] == [{"name": "7", "configMap": {"name": "cm"}}]


def test_first_error_in_key_order_wins() -> None:
    doc = pod({"hostNetwork": "x", "containers": "y"})
    with pytest.raises(KubeTypeError) as exc:
        normalize(doc)
    assert "PodSpec.spec.containers of type []v1.Container" in str(exc.value)


def test_aborting_error_beats_an_earlier_saved_one() -> None:
    doc = pod({"affinity": "x", "containers": [{"name": "a", "livenessProbe": {"tcpSocket": {"port": []}}}]})
    with pytest.raises(KubeTypeError) as exc:
        normalize(doc)
    assert str(exc.value) == (
        "json: cannot unmarshal array into Go struct field TCPSocketAction.spec."
        "containers.livenessProbe.ProbeHandler.tcpSocket.port of type int32"
    )


def test_top_level_mismatch_has_no_field() -> None:
    with pytest.raises(KubeTypeError) as exc:
        normalize_as([1], "v1.Pod")
    assert str(exc.value) == "json: cannot unmarshal array into Go value of type v1.Pod"


def test_nan_fails_in_the_conversion_step() -> None:
    with pytest.raises(KubeTypeError) as exc:
        normalize({"kind": "Deployment", "spec": {"replicas": float("nan")}})
    assert exc.value.stage == "convert"
    assert exc.value.yaml_message() == "error converting YAML to JSON: json: unsupported value: NaN"


def test_unmarshaler_error_stops_the_decoder() -> None:
    # containers (sorted first) holds a bad quantity; hostNetwork's type error comes later
    doc = pod({"hostNetwork": "x", "containers": [{"name": "a", "resources": {"limits": {"cpu": "1Mx"}}}]})
    with pytest.raises(KubeTypeError) as exc:
        normalize(doc)
    assert str(exc.value).startswith("quantities must match")
    # an earlier type error does not hide it either
    doc = pod({"affinity": "x", "containers": [{"name": "a", "resources": {"limits": {"cpu": "1Mx"}}}]})
    with pytest.raises(KubeTypeError) as exc:
        normalize(doc)
    assert str(exc.value).startswith("quantities must match")


def test_resolved_timestamps_are_text_again() -> None:
    import datetime

    got = normalize(
        pod(
            {},
            metadata={
                "labels": {"day": datetime.date(2020, 1, 2)},
                "creationTimestamp": datetime.datetime(2020, 1, 2, 3, 4, 5),
            },
        )
    )
    assert got["metadata"] == {"labels": {"day": "2020-01-02"}, "creationTimestamp": "2020-01-02T03:04:05Z"}


def test_list_items_that_are_not_objects() -> None:
    with pytest.raises(KubeTypeError) as exc:
        normalize({"kind": "List", "items": ["x"]})
    assert str(exc.value) == "json: cannot unmarshal string into Go value of type v1.TypeMeta"
