"""Property tests (hypothesis) over the template engine and the manifest pipeline, in-process.

Properties: nothing but the documented errors ever escapes (TemplateError from the engine,
SidecarError from the pipeline); injection is idempotent, `inject(inject(x)) == inject(x)`;
every input document is in the output (injected, or verbatim when passed through).

CI runs a few examples each (the whole file well under a minute); for a long run raise
HYPOTHESIS_EXAMPLES, or use bench/fuzz.py (docs/errors.md).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sidecarctl.errors import SidecarError
from sidecarctl.gotemplate import TemplateError, funcmap, parse
from sidecarctl.yamlio import split_documents

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "40"))
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="HYPOTHESIS_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def injector() -> Any:
    from sidecarctl.config import load_settings
    from sidecarctl.inject.pipeline import KubeInject

    loaded = load_settings(offline=True)
    return lambda: KubeInject(settings=loaded)


# --- templates ------------------------------------------------------------------------------------

TEMPLATE_TOKENS = [
    "{{",
    "}}",
    "{{-",
    "-}}",
    "{{/* c */}}",
    " ",
    ".",
    ".a",
    ".a.b",
    ".__class__",
    "$",
    "$x := 1",
    "$x = 2",
    "|",
    "(",
    ")",
    "if",
    "else",
    "end",
    "range",
    "with",
    'define "t"',
    'template "t" .',
    'block "b" .',
    "break",
    "continue",
    "nil",
    "true",
    "1",
    "-1",
    "1e309",
    "0x1F",
    "'a'",
    '"s"',
    "`raw`",
    "index",
    'printf "%v %d"',
    "toYaml",
    "fromJSON",
    "until 3",
    "default",
    'dict "k" 1',
    "list 1 2",
    "len",
    "call",
    "and",
    "or",
    "not",
    "eq",
    "lt",
    "slice",
    "html",
    "js",
    "print",
    "\n",
    "text",
    "toJson",
    "b64dec",
    'regexMatch "("',
    "semver",
    "mustToJson",
    "annotation",
    "omit",
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)


@PROFILE
@given(
    tokens=st.lists(st.sampled_from(TEMPLATE_TOKENS), max_size=30),
    data=JSON,
    kind=st.sampled_from(["go", "sprig", "istio"]),
)
def test_template_engine_raises_only_template_errors(tokens: list[str], data: Any, kind: str) -> None:
    text = " ".join(tokens)
    try:
        out = parse(text, "inject", funcmap(kind)).execute(data)
    except TemplateError as err:
        _assert_template_error(str(err))
        return
    assert isinstance(out, str)


def _assert_template_error(message: str, one_line: bool = True) -> None:
    """A template error reads as Go's: `template: NAME:...`, on one line (unless the template's own
    text put a line break in it, as `fail "a\\nb"` does in Go too)."""
    assert message.startswith("template: "), message
    if one_line:
        assert "\n" not in message.strip("\n"), message


@PROFILE
@given(text=st.text(max_size=60), data=JSON)
def test_template_engine_on_arbitrary_text(text: str, data: Any) -> None:
    try:
        out = parse(text, "inject", funcmap("istio")).execute(data)
    except TemplateError as err:
        _assert_template_error(str(err), one_line=False)
        return
    assert isinstance(out, str)


# --- manifests ------------------------------------------------------------------------------------

# 'w' first: PyYAML writes `n`, `y`, `off`... unquoted, which yaml.v2 (and so istioctl) reads as booleans
# Go's JSON-to-YAML step refuses raw DEL, C1 controls and U+FFFE/F (istioctl fails on them too,
# and so does sidecarctl, cleanly): workloads that must inject avoid them.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn")), max_size=10)
NAME = st.from_regex(r"w([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
LABELS = st.dictionaries(
    st.sampled_from(["app", "version", "tier", "team", "app.kubernetes.io/name"]), NAME, max_size=3
)
PORT = st.fixed_dictionaries(
    {"containerPort": st.integers(1, 65535)},
    optional={"name": NAME.map(lambda n: n[:15]), "protocol": st.sampled_from(["TCP", "UDP"])},
)
CONTAINER = st.fixed_dictionaries(
    {"name": NAME, "image": NAME},
    optional={
        "ports": st.lists(PORT, max_size=3, unique_by=lambda p: p["containerPort"]),
        "args": st.lists(TEXT, max_size=3),
        "env": st.lists(st.fixed_dictionaries({"name": NAME, "value": TEXT}), max_size=2),
    },
)
POD_SPEC = st.fixed_dictionaries(
    {"containers": st.lists(CONTAINER, min_size=1, max_size=3, unique_by=lambda c: c["name"])}
)
POD_META = st.fixed_dictionaries(
    {"labels": LABELS},
    optional={
        "annotations": st.dictionaries(
            st.sampled_from(["a.example.com/x", "note", "sidecar.istio.io/inject"]),
            st.sampled_from(["true", "false", "x"]),
            max_size=2,
        )
    },
)


@st.composite
def workload(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"]))
    meta = {"name": draw(NAME)}
    if draw(st.booleans()):
        meta["namespace"] = draw(NAME)
    if kind == "Pod":
        pod_meta = draw(POD_META)
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {**meta, **pod_meta}, "spec": draw(POD_SPEC)}
    group = "batch/v1" if kind == "Job" else "apps/v1"
    return {
        "apiVersion": group,
        "kind": kind,
        "metadata": meta,
        "spec": {"template": {"metadata": draw(POD_META), "spec": draw(POD_SPEC)}},
    }


OTHER = st.fixed_dictionaries(
    {
        "apiVersion": st.just("v1"),
        "kind": st.sampled_from(["ConfigMap", "Service", "Foo"]),
        "metadata": st.fixed_dictionaries({"name": NAME}),
        "data": st.dictionaries(NAME, TEXT, max_size=3),
    }
)
STREAM = st.lists(st.one_of(workload(), OTHER), min_size=1, max_size=4)


def dump(docs: list[dict[str, Any]]) -> str:
    return "---\n".join(yaml.safe_dump(doc, sort_keys=False) for doc in docs)


@PROFILE
@given(docs=STREAM)
def test_injection_is_idempotent_and_keeps_every_document(injector: Any, docs: list[dict[str, Any]]) -> None:
    text = dump(docs)
    once = injector().inject_stream(text, source="in.yaml")
    twice = injector().inject_stream(once, source="out.yaml")
    assert twice == once
    outputs = split_documents(once)
    assert len(outputs) == len(docs)
    for doc, out in zip(docs, outputs):
        if doc["kind"] in ("ConfigMap", "Service", "Foo"):
            assert out == yaml.safe_dump(doc, sort_keys=False)  # passed through verbatim
        else:
            assert yaml.safe_load(out)["metadata"]["name"] == doc["metadata"]["name"]


WRONG = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.none() | st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none() | st.integers(), max_size=2),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, prefix + (i,))
    return out


@PROFILE
@given(doc=workload(), data=st.data())
def test_wrong_types_anywhere_in_a_workload_are_clean_errors(injector: Any, doc: dict[str, Any], data: Any) -> None:
    path = data.draw(st.sampled_from(_paths(doc)[1:]))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = data.draw(WRONG)
    try:
        injector().inject_stream(yaml.safe_dump(doc), source="in.yaml")
    except SidecarError as err:
        assert str(err).startswith("in.yaml"), str(err)
        assert "internal error" not in str(err), str(err)


YAML_TOKENS = [
    "a",
    ": ",
    "- ",
    "\n",
    "  ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&x ",
    "*x",
    "<<: *x",
    "!!int ",
    "!!binary ",
    "---\n",
    "#c",
    "\t",
    "'",
    '"',
    "? ",
    "|\n",
    "~",
    "kind: Pod\n",
    "kind: List\n",
    "items:\n",
    "apiVersion: v1\n",
    "spec:\n",
    "containers:\n",
    "  - name: c\n",
    "metadata:\n",
    "1e400",
    "0x",
    "\ufeff",
]


@PROFILE
@given(tokens=st.lists(st.sampled_from(YAML_TOKENS), max_size=40))
def test_arbitrary_yaml_streams_are_clean_errors(injector: Any, tokens: list[str]) -> None:
    text = "".join(tokens)
    try:
        out = injector().inject_stream(text, source="in.yaml")
    except SidecarError as err:
        assert "internal error" not in str(err), str(err)
        return
    assert len(split_documents(out)) == len(split_documents(text))
