"""Strategic merge patch with corev1.Pod's struct tags, as Istio applies its injection template."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sidecarctl.kube import (
    KubeTypeError,
    StrategicMergeError,
    apply_overlay,
    normalize_as,
    strategic_merge,
)


def spec(**kw: Any) -> dict:
    return {"spec": kw}


def names(items: list[dict], key: str = "name") -> list[Any]:
    return [i[key] for i in items]


# --- merge keys and the order of merged lists ---------------------------------------------------

ORDER_CASES = [
    # (original names, patch names, merged order)
    (["app"], ["istio-proxy"], ["istio-proxy", "app"]),  # new patch items do not wait
    (["a", "b"], ["x", "b"], ["x", "a", "b"]),
    (["a", "b"], ["b", "x"], ["a", "b", "x"]),
    (["a", "b", "c"], ["c", "a"], ["b", "c", "a"]),  # b stood before c in the original
    (["a", "b", "c"], ["b"], ["a", "b", "c"]),
    ([], ["x", "y"], ["x", "y"]),
    (
        ["data"],
        ["workload-socket", "istio-envoy", "istio-token"],
        ["workload-socket", "istio-envoy", "istio-token", "data"],
    ),
]


@pytest.mark.parametrize(("orig", "patch", "want"), ORDER_CASES)
def test_merged_list_order(orig: list[str], patch: list[str], want: list[str]) -> None:
    got = strategic_merge(
        spec(volumes=[{"name": n, "o": 1} for n in orig]), spec(volumes=[{"name": n, "p": 1} for n in patch])
    )
    assert names(got["spec"]["volumes"]) == want
    both = [v for v in got["spec"]["volumes"] if v["name"] in orig and v["name"] in patch]
    assert all(v == {"name": v["name"], "o": 1, "p": 1} for v in both)


def test_containers_merge_by_name_recursively() -> None:
    orig = spec(
        containers=[
            {
                "name": "app",
                "image": "a",
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "ports": [{"containerPort": 80, "name": "http"}],
                "volumeMounts": [{"name": "v", "mountPath": "/v"}],
                "args": ["x", "y"],
            }
        ]
    )
    patch = spec(
        containers=[
            {
                "name": "app",
                "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}],
                "ports": [{"containerPort": 80.0, "protocol": "TCP"}, {"containerPort": 81}],
                "volumeMounts": [{"name": "w", "mountPath": "/v", "readOnly": True}],
                "args": ["z"],
            }
        ]
    )
    c = strategic_merge(orig, patch)["spec"]["containers"][0]
    assert c["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}, {"name": "C", "value": "4"}]
    # ports merge by containerPort (JSON numbers: 80 and 80.0 are the same float64)
    assert c["ports"] == [{"containerPort": 80, "name": "http", "protocol": "TCP"}, {"containerPort": 81}]
    assert c["volumeMounts"] == [{"name": "w", "mountPath": "/v", "readOnly": True}]
    assert c["args"] == ["z"]  # no patch strategy: replaced
    assert c["image"] == "a"


def test_lists_without_merge_strategy_are_replaced() -> None:
    got = strategic_merge(spec(tolerations=[{"key": "a"}], containers=[]), spec(tolerations=[{"key": "b", "x": None}]))
    assert got["spec"]["tolerations"] == [{"key": "b", "x": None}]  # taken verbatim


def test_proxy_container_mounts_keep_user_ones_last() -> None:
    """proxy-override: the user's istio-proxy (moved to initContainers) merged with the template."""
    orig = spec(
        containers=[{"name": "hello"}],
        initContainers=[
            {"name": "istio-proxy", "image": "auto", "volumeMounts": [{"name": "certs", "mountPath": "/etc/certs"}]}
        ],
    )
    template = spec(
        containers=[],
        initContainers=[
            {"name": "istio-init", "image": "proxy"},
            {
                "name": "istio-proxy",
                "image": "proxy",
                "volumeMounts": [
                    {"name": "workload-socket", "mountPath": "/var/run/secrets/workload-spiffe-uds"},
                    {"name": "istio-envoy", "mountPath": "/etc/istio/proxy"},
                ],
            },
        ],
    )
    got = strategic_merge(orig, template)["spec"]
    assert names(got["initContainers"]) == ["istio-init", "istio-proxy"]
    assert names(got["initContainers"][1]["volumeMounts"]) == ["workload-socket", "istio-envoy", "certs"]
    assert names(got["containers"]) == ["hello"]  # an empty patch list merges nothing


# --- maps, nulls, directives --------------------------------------------------------------------


def test_null_deletes_and_unmatched_nulls_vanish() -> None:
    orig = {"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"containers": [{"name": "c"}]}}
    patch = {
        "metadata": {"labels": {"a": None, "c": "3"}, "annotations": {"x": None, "y": "1"}},
        "spec": {"containers": [{"name": "c", "image": None}], "dnsConfig": {"options": None, "nameservers": ["1"]}},
    }
    got = strategic_merge(orig, patch)
    assert got["metadata"] == {"labels": {"b": "2", "c": "3"}, "annotations": {"y": "1"}}
    assert got["spec"]["dnsConfig"] == {"nameservers": ["1"]}
    assert got["spec"]["containers"] == [{"name": "c"}]


def test_type_change_replaces() -> None:
    got = strategic_merge(spec(containers=[{"name": "a"}]), spec(containers={"name": "b"}))
    assert got["spec"]["containers"] == {"name": "b"}


def test_patch_replace_and_delete_on_maps() -> None:
    orig = spec(securityContext={"runAsUser": 0, "fsGroup": 1}, affinity={"nodeAffinity": {}})
    patch = spec(securityContext={"$patch": "replace", "runAsUser": 5}, affinity={"$patch": "delete"})
    got = strategic_merge(orig, patch)["spec"]
    assert got["securityContext"] == {"runAsUser": 5}
    assert got["affinity"] == {}


def test_patch_delete_and_replace_in_lists() -> None:
    orig = spec(containers=[{"name": "a"}, {"name": "b"}, {"name": "c"}])
    got = strategic_merge(orig, spec(containers=[{"name": "b", "$patch": "delete"}, {"name": "d"}]))
    assert names(got["spec"]["containers"]) == ["d", "a", "c"]
    got = strategic_merge(orig, spec(containers=[{"$patch": "replace"}, {"name": "x"}]))
    assert got["spec"]["containers"] == [{"name": "x"}]


def test_directives_dropped_from_new_values() -> None:
    got = strategic_merge({}, spec(securityContext={"seLinuxOptions": {"$patch": "delete"}, "runAsUser": 1}))
    assert got == {"spec": {"securityContext": {"runAsUser": 1}}}


def test_retain_keys() -> None:
    orig = spec(volumes=[{"name": "data", "emptyDir": {}}])
    patch = spec(volumes=[{"name": "data", "$retainKeys": ["name", "hostPath"], "hostPath": {"path": "/x"}}])
    assert strategic_merge(orig, patch)["spec"]["volumes"] == [{"name": "data", "hostPath": {"path": "/x"}}]
    with pytest.raises(StrategicMergeError) as exc:
        strategic_merge(orig, spec(volumes=[{"name": "data", "$retainKeys": ["name"], "hostPath": {}}]))
    assert str(exc.value) == "invalid patch format of retainKeys"


def test_scalar_merge_list_and_delete_from_primitive_list() -> None:
    orig = {"metadata": {"finalizers": ["a", "b"]}}
    assert strategic_merge(orig, {"metadata": {"finalizers": ["c", "a"]}})["metadata"]["finalizers"] == ["c", "a", "b"]
    got = strategic_merge(orig, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}})
    assert got["metadata"]["finalizers"] == ["b"]
    with pytest.raises(StrategicMergeError) as exc:
        strategic_merge(orig, {"metadata": {"$deleteFromPrimitiveListfinalizers": ["a"]}})
    assert str(exc.value) == "invalid patch format of primitive list"


def test_set_element_order() -> None:
    orig = spec(containers=[{"name": "a"}, {"name": "b"}])
    patch = spec(
        containers=[{"name": "a", "image": "x"}], **{"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}
    )
    assert strategic_merge(orig, patch)["spec"]["containers"] == [{"name": "b"}, {"name": "a", "image": "x"}]


def test_errors_have_apimachinery_text() -> None:
    with pytest.raises(StrategicMergeError) as exc:
        strategic_merge(spec(containers=[{"name": "a"}]), spec(containers=[{"image": "x"}]))
    assert str(exc.value) == "map: map[image:x] does not contain declared merge key: name"
    with pytest.raises(StrategicMergeError) as exc:
        strategic_merge(spec(containers=[{"name": "a"}]), spec(containers=[{"name": "a", "$patch": "foo"}]))
    assert str(exc.value) == "unknown patch type: foo in map: map[$patch:foo name:a]"
    with pytest.raises(StrategicMergeError) as exc:
        strategic_merge(spec(containers=[{"name": "a"}]), spec(containers=[{"name": "a", "$patch": "merge"}]))
    assert str(exc.value) == "merging lists cannot yet be specified in the patch"


def test_inputs_are_not_modified() -> None:
    orig = spec(containers=[{"name": "a", "env": [{"name": "X"}]}])
    patch = spec(containers=[{"name": "a", "env": [{"name": "Y"}]}, {"name": "b", "x": None}])
    o, p = copy.deepcopy(orig), copy.deepcopy(patch)
    strategic_merge(orig, patch)
    assert (orig, patch) == (o, p)


# --- Istio's applyOverlay -----------------------------------------------------------------------


def test_apply_overlay_decodes_the_result_again() -> None:
    pod = normalize_as({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]}}, "v1.Pod")
    got = apply_overlay(
        pod,
        {
            "spec": {
                "containers": [{"name": "istio-proxy", "resources": {"limits": {"cpu": "2000m"}}}],
                "initContainers": [{"name": "istio-init"}],
            }
        },
    )
    assert got["spec"]["containers"] == [
        {"name": "istio-proxy", "resources": {"limits": {"cpu": "2"}}},
        {"name": "app", "resources": {}},
    ]
    assert got["spec"]["initContainers"] == [{"name": "istio-init", "resources": {}}]
    assert got["status"] == {} and got["metadata"] == {"name": "p"}


def test_apply_overlay_errors_carry_istio_prefixes() -> None:
    pod = normalize_as({"spec": {"containers": [{"name": "app"}]}}, "v1.Pod")
    with pytest.raises(KubeTypeError) as exc:
        apply_overlay(pod, {"spec": {"containers": [{"name": "app", "env": [{"name": "P", "value": 1}]}]}})
    assert str(exc.value) == (
        "unmarshal patched pod: json: cannot unmarshal number into Go struct field "
        "EnvVar.spec.containers.env.value of type string"
    )
    with pytest.raises(StrategicMergeError) as exc2:
        apply_overlay(pod, {"spec": {"containers": [{"image": "x"}]}})
    assert str(exc2.value).startswith("strategic merge: map: map[image:x] does not contain")


def test_orders_istio_goldens_show() -> None:
    """hello-multiple-image-secrets and statefulset-old-version: template items land before the user's."""
    got = strategic_merge(
        spec(imagePullSecrets=[{"name": "fooSecret"}]), spec(imagePullSecrets=[{"name": "barSecret"}])
    )
    assert names(got["spec"]["imagePullSecrets"]) == ["barSecret", "fooSecret"]
    template = [
        "workload-socket",
        "credential-socket",
        "workload-certs",
        "istio-envoy",
        "istio-data",
        "istio-podinfo",
        "istio-token",
        "istiod-ca-cert",
        "istio-ca-crl",
    ]
    got = strategic_merge(
        spec(volumes=[{"name": "data", "hostPath": {"path": "/mnt/disks/ssd0"}}]),
        spec(volumes=[{"name": n, "emptyDir": {}} for n in template]),
    )
    assert names(got["spec"]["volumes"]) == template + ["data"]
