"""Decoding rendered templates and workloads from an earlier document of the same shape
(yamlio.read.DocumentMemo, which render.decode_overlay and the kube-inject pipeline use).

Every case decodes a first document, then a second one that differs from it, and wants exactly
what a fresh load_document gives for the second (value or error). Cases marked `reused` must take
the shortcut: the second value then shares an unchanged part with the first.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sidecarctl.yamlio import YamlError, load_document
from sidecarctl.yamlio.read import DocumentMemo

POD = """\
metadata:
  annotations: {
    istio.io/rev: "default",
    kubectl.kubernetes.io/default-container: "hello",
  }
spec:
  containers:
  - name: istio-proxy
    args:
    - proxy
    - "15001"
    env:
    - name: ISTIO_META_WORKLOAD_NAME
      value: "hello-0"
    - name: ISTIO_META_OWNER
      value: kubernetes://apis/apps/v1/namespaces/default/deployments/hello-0
    - name: PORTS
      value: {a: x, b: "y"}
    ports:
    - containerPort: 15090
  volumes:
  - name: istio-envoy
    emptyDir: {}
"""


def _with(line: str, new: str) -> str:
    assert POD.count(line) == 1, line
    return POD.replace(line, new)


CASES = [
    # the shortcut: one value scalar changed, the text around it not
    pytest.param(_with('value: "hello-0"', 'value: "hello-42"'), True, id="quoted"),
    pytest.param(_with("deployments/hello-0", "deployments/other"), True, id="plain"),
    pytest.param(_with("containerPort: 15090", "containerPort: 15091"), True, id="plain-int-trailing-spaces"),
    pytest.param(_with('default-container: "hello"', 'default-container: "web"'), True, id="quoted-in-flow"),
    pytest.param(_with('b: "y"}', 'b: "z"}'), True, id="quoted-last-in-flow"),
    pytest.param(_with("- proxy", "- --proxy"), True, id="plain-item-dash"),
    pytest.param(_with('- "15001"', '- "15002"'), True, id="quoted-item"),
    pytest.param(
        _with('value: "hello-0"', 'value: "hello-42"').replace("deployments/hello-0", "deployments/x"),
        True,
        id="two-lines",
    ),
    pytest.param(_with("deployments/hello-0", "true"), True, id="plain-becomes-bool"),
    pytest.param(_with("deployments/hello-0", "~"), True, id="plain-becomes-null"),
    pytest.param(_with("deployments/hello-0", "0x1F"), True, id="plain-hex-int"),
    # parsed in full: the line could read differently
    pytest.param(_with("deployments/hello-0", "1.5"), False, id="plain-becomes-float"),
    pytest.param(_with("deployments/hello-0", ".nan"), False, id="plain-nan"),
    pytest.param(_with("deployments/hello-0", "a: b"), False, id="plain-becomes-mapping"),
    pytest.param(_with("deployments/hello-0", "a #b"), False, id="plain-comment"),
    pytest.param(_with("deployments/hello-0", "a:"), False, id="plain-ends-with-colon"),
    pytest.param(_with("deployments/hello-0", "*x"), False, id="plain-alias"),
    pytest.param(_with("deployments/hello-0", "&x y"), False, id="plain-anchor"),
    pytest.param(_with("deployments/hello-0", "!!int 3"), False, id="plain-tag"),
    pytest.param(_with("deployments/hello-0", "- x"), False, id="plain-sequence"),
    pytest.param(_with("deployments/hello-0", "|"), False, id="plain-block-scalar"),
    pytest.param(_with("deployments/hello-0", '"quoted"'), False, id="plain-to-quoted"),
    pytest.param(_with("deployments/hello-0", "a\tb"), False, id="plain-tab"),
    pytest.param(_with("deployments/hello-0", "caf\u00e9"), False, id="non-ascii"),
    pytest.param(_with('value: "hello-0"', 'value: "a\\nb"'), False, id="quoted-escape"),
    pytest.param(_with('value: "hello-0"', 'value: "a" "b"'), False, id="quoted-twice"),
    pytest.param(_with('value: "hello-0"', 'value: "open'), False, id="quoted-unclosed"),
    pytest.param(_with('value: "hello-0"', "value: plain"), False, id="quoted-to-plain"),
    pytest.param(_with('value: "hello-0"', 'value: "hello-0"  # note'), False, id="comment-after"),
    pytest.param(_with("a: x,", "a: z,"), False, id="plain-in-flow"),
    pytest.param(_with("- name: ISTIO_META_OWNER", "- name: OWNER"), True, id="plain-value-after-dash"),
    pytest.param(_with("    - name: PORTS", "    - nam: PORTS"), False, id="key-changed"),
    pytest.param(
        _with("  - name: istio-envoy\n", "  - name: istio-envoy\n    name: again\n"), False, id="duplicate-key"
    ),
    pytest.param(_with("emptyDir: {}", "emptyDir: {}\r"), False, id="carriage-return"),
    pytest.param(POD + "extra: 1\n", False, id="more-lines"),
]


def _decoded(load: Any, text: str) -> tuple[str, str]:
    try:
        return "value", json.dumps(load(text), sort_keys=True)
    except YamlError as err:
        return "error", str(err)


@pytest.mark.parametrize("second,reused", CASES)
def test_second_document_decodes_as_load_document_does(second: str, reused: bool) -> None:
    memo = DocumentMemo()
    first = memo.load(POD, strict=True)
    kept = json.dumps(first, sort_keys=True)
    assert _decoded(lambda t: memo.load(t, strict=True), second) == _decoded(
        lambda t: load_document(t, strict=True), second
    )
    assert json.dumps(first, sort_keys=True) == kept  # an earlier value is never changed
    if reused:
        assert memo.load(second, strict=True)["spec"]["volumes"] is first["spec"]["volumes"]


def test_shapes_are_remembered_side_by_side() -> None:
    """Documents of one shape (same outline, another key) each keep their entry."""
    memo = DocumentMemo()
    other = _with("    ports:\n", "    extra:\n")
    first, second = memo.load(POD), memo.load(other)
    assert memo.load(_with('value: "hello-0"', 'value: "x"'))["spec"]["volumes"] is first["spec"]["volumes"]
    assert memo.load(other.replace('"hello-0"', '"y"'))["spec"]["volumes"] is second["spec"]["volumes"]


def test_documents_that_fail_are_not_remembered() -> None:
    memo = DocumentMemo()
    with pytest.raises(YamlError):
        memo.load("a: [\n")
    with pytest.raises(YamlError):
        memo.load("a: [\n")
    assert memo.load("a: 1\n") == {"a": 1}
    assert memo.load("a: 2\n") == {"a": 2}


# Scalars yaml.v2 resolves in every way (bools, nulls, ints in all bases, floats, timestamps) or
# that libyaml reads as something else than a scalar: written into a plain and a quoted slot.
TRICKY = [
    "yes",
    "Off",
    "y",
    "~",
    "null",
    "0x1F",
    "0o17",
    "017",
    "08",
    "0b101",
    "1_000",
    "+1",
    "-0",
    "1e3",
    "1.",
    ".5",
    ".inf",
    "-.Inf",
    ".NaN",
    "1e400",
    "12:30:45",
    "190:20:30",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "9223372036854775808",
    "-",
    "--x",
    "- x",
    "a b",
    "a:b",
    "a: b",
    "a:",
    "a #b",
    "a#b",
    "#x",
    "?x",
    ":x",
    "%x",
    "@x",
    "`x",
    "!x",
    "&a x",
    "*a",
    "|",
    ">",
    "'q'",
    "[a]",
    "{a: b}",
    "a,b",
    "<<",
    "=",
    "\\",
    "a\\nb",
    'a"b',
]


SLOTS = {
    "plain-value": ("value: kubernetes://apis/apps/v1/namespaces/default/deployments/hello-0", "value: {}"),
    "plain-item": ("    - proxy\n", "    - {}\n"),
    "quoted-value": ('value: "hello-0"', 'value: "{}"'),
    "quoted-in-flow": ('default-container: "hello"', 'default-container: "{}"'),
}


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("slot", SLOTS)
def test_any_scalar_text_decodes_as_load_document_does(slot: str, text: str) -> None:
    memo = DocumentMemo()
    memo.load(POD, strict=True)
    line, written = SLOTS[slot]
    second = _with(line, written.format(text))
    assert _decoded(lambda t: memo.load(t, strict=True), second) == _decoded(
        lambda t: load_document(t, strict=True), second
    )
