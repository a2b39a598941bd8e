"""Bad manifests through the real CLI: each is refused with one line naming the file, document and
position (or accepted, where istioctl accepts it), nothing reaches stdout, and memory and time stay
bounded (the subprocess runs under rlimits; see reliability_support)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_support import assert_error, kube_inject

POD = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n"
DEPLOYMENT = (
    b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n"
    b"    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
    b"      containers:\n      - name: web\n        image: nginx\n        ports:\n"
    b"        - containerPort: 80\n"
)
CONFIGMAP = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"


def billion_laughs() -> bytes:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}", "data:", "  a0: &a0 [x,x,x,x,x,x,x,x,x,x]"]
    lines += [f"  a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Bad:
    name: str
    content: bytes
    mentions: tuple[str, ...]


BAD = [
    Bad("malformed", b"apiVersion: v1\nkind: Pod\nmetadata: [\n", ("document 1", "line 3", "did not find expected")),
    Bad("invalid-utf8", b'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "\xff"}\n', (":3:", "not UTF-8")),
    Bad(
        "tab-indent",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n\tname: p\n",
        ("document 1", "line 4", "cannot start any token"),
    ),
    Bad(
        "duplicate-key",
        b"apiVersion: v1\nkind: Pod\nkind: Pod\nmetadata: {name: p}\n",
        ("document 1", "line 3", 'key "kind" already set in map'),
    ),
    Bad(
        "duplicate-nested-key",
        DEPLOYMENT.replace(b"        image: nginx\n", b"        image: nginx\n        image: x\n"),
        ("document 1", "line 15", 'key "image" already set'),
    ),
    Bad("billion-laughs", billion_laughs(), ("document 1", "excessive aliasing")),
    Bad("alias-cycle", b"a: &a [*a]\n", ("document 1",)),
    Bad("undefined-alias", b"a: *nope\n", ("document 1", "unknown anchor 'nope'")),
    Bad(
        "deep-flow-nesting",
        b"apiVersion: v1\nkind: Pod\nspec: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        ("document 1", "exceeded max depth"),
    ),
    Bad(
        "deep-block-nesting",
        b"apiVersion: v1\nkind: ConfigMap\ndata:\n"
        + b"".join(b" " * i + b"k:\n" for i in range(1, 3000))
        + b" " * 3000
        + b"k: v\n",
        ("document 1", "max depth"),
    ),
    Bad(
        "nul-byte",
        b'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: "x\x00y"}\n',
        ("document 1", "control characters are not allowed"),
    ),
    Bad(
        "containers-string",
        b'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: "x"}\n',
        ("document 1", "PodSpec.spec.containers", "[]v1.Container"),
    ),
    Bad(
        "container-scalar",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [x]}\n",
        ("document 1", "v1.Container"),
    ),
    Bad(
        "port-string",
        DEPLOYMENT.replace(b"containerPort: 80", b'containerPort: "80"'),
        ("document 1", "containerPort of type int32"),
    ),
    Bad("ports-strings", DEPLOYMENT.replace(b"- containerPort: 80", b'- "80"'), ("document 1", "v1.ContainerPort")),
    Bad(
        "spec-string",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: x\n",
        ("document 1", "DeploymentSpec"),
    ),
    Bad(
        "metadata-list",
        b"apiVersion: v1\nkind: Pod\nmetadata: [a]\nspec: {containers: [{name: c, image: i}]}\n",
        ("document 1", "ObjectMeta"),
    ),
    Bad(
        "labels-number",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: {b: 1}}}\n"
        b"spec: {containers: [{name: c, image: i}]}\n",
        ("document 1", "string"),
    ),
    Bad("bare-scalar-document", b"hello\n", ("document 1", "v1.TypeMeta")),
    Bad("list-document", b"- a\n- b\n", ("document 1", "v1.TypeMeta")),
    Bad("list-with-bad-item", b"apiVersion: v1\nkind: List\nitems:\n- 3\n", ("document 1", "List")),
    Bad(
        "list-with-bad-pod",
        b"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, spec: {containers: 1}}\n",
        ("document 1", "containers"),
    ),
    Bad("list-items-string", b"apiVersion: v1\nkind: List\nitems: x\n", ("document 1",)),
    Bad("complex-key", b"apiVersion: v1\nkind: Pod\n? [a]\n: b\n", ("document 1", "invalid map key")),
    Bad("null-key", b"apiVersion: v1\nkind: Pod\n~: b\n", ("document 1", "unsupported map key")),
    Bad("map-key-with-null-key", b"? ? \n", ("document 1", "invalid map key", "interface {}(nil)")),  # hypothesis
    Bad("bad-separator", POD + b"--- x\n" + POD, ("invalid Yaml document separator",)),
    Bad("bad-second-document", POD + b"---\n" + b"kind: Pod\nspec: [\n", ("document 2",)),
    Bad(
        "bad-annotation",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
        b'    traffic.sidecar.istio.io/includeInboundPorts: "x"\nspec: {containers: [{name: c, image: i}]}\n',
        ("document 1", "includeInboundPorts"),
    ),
    Bad(
        "huge-scalar",
        b"apiVersion: v1\nkind: ConfigMap\ndata:\n  x: " + b"a" * (100 * 1024 * 1024) + b"\n",
        ("larger than 64 MiB",),
    ),
]


@pytest.mark.parametrize("case", BAD, ids=[c.name for c in BAD])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, case: Bad) -> None:
    path = tmp_path / f"{case.name}.yaml"
    path.write_bytes(case.content)
    line = assert_error(kube_inject(path), str(path), *case.mentions)
    assert "internal error" not in line


@pytest.mark.parametrize("case", BAD[:6], ids=[c.name for c in BAD[:6]])
def test_bad_input_from_stdin_names_stdin(case: Bad) -> None:
    assert_error(kube_inject("-", stdin=case.content), "Error: -", *case.mentions[1:])


UNTOUCHED = [
    c
    for c in BAD
    if c.name in ("malformed", "billion-laughs", "bad-second-document", "huge-scalar", "list-with-bad-pod")
]


@pytest.mark.parametrize("case", UNTOUCHED, ids=[c.name for c in UNTOUCHED])
def test_bad_input_leaves_output_file_untouched(tmp_path: Path, case: Bad) -> None:
    path, out = tmp_path / "in.yaml", tmp_path / "out.yaml"
    path.write_bytes(case.content)
    out.write_bytes(b"previous\n")
    assert_error(kube_inject(path, "-o", str(out)))
    assert out.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.yaml", "out.yaml"]  # no temporary left


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", b""),  # empty input: empty output
        (b"# only a comment\n", b"# only a comment\n---\n"),  # comment-only: passed through
        (
            b"apiVersion: foo/v1\nkind: Foo\nspec: {a: [1, {b: c}]}\n",
            b"apiVersion: foo/v1\nkind: Foo\nspec: {a: [1, {b: c}]}\n---\n",
        ),  # unknown kind: verbatim
        (b"apiVersion: v1\nkind: List\nitems: null\n", b"apiVersion: v1\nitems: null\nkind: List\nmetadata: {}\n---\n"),
    ],
    ids=["empty", "comment-only", "unknown-kind", "list-items-null"],
)
def test_passed_through(tmp_path: Path, content: bytes, expected: bytes) -> None:
    path = tmp_path / "in.yaml"
    path.write_bytes(content)
    result = kube_inject(path)
    assert result.code == 0, result.err
    assert result.stdout == expected


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    plain, odd = tmp_path / "plain.yaml", tmp_path / "odd.yaml"
    plain.write_bytes(DEPLOYMENT)
    odd.write_bytes(b"\xef\xbb\xbf" + DEPLOYMENT.replace(b"\n", b"\r\n"))
    first, second = kube_inject(plain), kube_inject(odd)
    assert first.code == 0 and second.code == 0, second.err
    assert second.stdout == first.stdout


def test_many_documents_are_all_written(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_bytes(b"---\n".join(CONFIGMAP.replace(b"name: c", b"name: c%d" % i) for i in range(20000)))
    result = kube_inject(path)
    assert result.code == 0, result.err
    assert result.stdout.count(b"\n---\n") + result.stdout.startswith(b"---\n") == 20000


def test_many_documents_one_bad_at_the_end_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    docs = [CONFIGMAP] * 20000 + [b"kind: Pod\nspec: [\n"]
    path.write_bytes(b"---\n".join(docs))
    assert_error(kube_inject(path), "document 20001")


def test_injected_document_before_a_bad_one_is_not_written(tmp_path: Path) -> None:
    """istioctl would have printed the first document already; sidecarctl prints nothing."""
    path = tmp_path / "in.yaml"
    path.write_bytes(DEPLOYMENT + b"---\n" + b'apiVersion: v1\nkind: Pod\nspec: {containers: "x"}\n')
    assert_error(kube_inject(path), "document 2")
