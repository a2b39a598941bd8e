"""Reading manifests: istioctl's document splitting (apimachinery YAMLReader) and sigs.k8s.io/yaml decoding.

Expected decodes and error texts in yamlio_read_cases.py come from the Go library itself."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
import yamlio_read_cases as cases

from sidecarctl.yamlio import YamlError, iter_documents, load_document, split_documents


def _same(got: Any, expected: Any) -> bool:
    """Equal as JSON: also tells 1 from 1.0 and True from 1."""
    return json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)


def _check(text: str, expected: Any, error: str | None) -> None:
    if error is not None:
        with pytest.raises(YamlError) as info:
            load_document(text)
        assert str(info.value) == error
    else:
        got = load_document(text)
        assert _same(got, expected), (got, expected)


# --- splitting ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stream,docs",
    [
        ("a: 1\n---\nb: 2\n", ["a: 1\n", "b: 2\n"]),
        ("---\na: 1\n---\nb: 2\n", ["---\na: 1\n", "b: 2\n"]),  # a separator opening a document stays in it
        ("a: 1\r\n---\r\nb: 2\r\n", ["a: 1\n", "b: 2\n"]),  # CRLF becomes LF
        ("a: 1\n---\nb: 2", ["a: 1\n", "b: 2\n"]),  # the last line gets its newline
        ("a\n---\n---\nb\n", ["a\n", "---\nb\n"]),  # no empty documents
        ("a\n---\n", ["a\n"]),
        ("a\n---", ["a\n"]),
        ("a\n--- # next\nb\n", ["a\n", "b\n"]),  # a comment may follow
        ("a\n---\t \nb\n", ["a\n", "b\n"]),
        ("# only a comment\n---\na\n", ["# only a comment\n", "a\n"]),
        ("a\n---\n\n---\nb\n", ["a\n", "\n", "b\n"]),  # a blank document is a document
        ("a\n...\nb\n", ["a\n...\nb\n"]),  # a document end marker does not split
        ("  ---\n", ["  ---\n"]),  # only at the start of a line
        ("", []),
        ("---\n", ["---\n"]),
        ("a\rb\n", ["a\rb\n"]),  # a lone CR stays
        ("a\r", ["a\r\n"]),  # and so does one before the end of input
    ],
)
def test_split_documents(stream: str, docs: list[str]) -> None:
    assert split_documents(stream) == docs


@pytest.mark.parametrize("stream,rest", [("a\n--- b\n", "b"), ("----\n", "-"), ("---a\n", "a"), ("--- |\n", "|")])
def test_split_rejects_content_after_separator(stream: str, rest: str) -> None:
    with pytest.raises(YamlError) as info:
        split_documents(stream)
    assert str(info.value) == "invalid Yaml document separator: " + rest


def in_pieces(stream: str, lines: int) -> Callable[[], list[str]]:
    """The stream as a file read a block at a time gives it: pieces of `lines` whole lines each
    (line ends as they are), afresh per call."""
    ends = [line.decode("utf-8") for line in io.BytesIO(stream.encode("utf-8"))]
    return lambda: ["".join(ends[i : i + lines]) for i in range(0, len(ends), lines)]


@pytest.mark.parametrize(
    "stream",
    [
        "a: 1\n---\nb: 2\n",
        "---\na: 1\n---\nb: 2\n",
        "a: 1\r\n---\r\nb: 2\r\n",
        "a: 1\n---\nb: 2",
        "a\n---\n---\nb\n",
        "a\n---",
        "a\n--- # next\r\nb\n",
        "a\n---\t \nb\n",
        "a\n---\n\n---\nb\n",
        "  ---\n",
        "",
        "---\n",
        "a\rb\n",
        "a\r",
        "a\r\r\n---\r\r\nb",
        "\ufeffa\n---\u2028\nb\u0085c\n",
    ],
    ids=repr,
)
@pytest.mark.parametrize("lines", [1, 2, 3])
def test_iter_documents_of_pieces_splits_as_the_whole_text(stream: str, lines: int) -> None:
    assert list(iter_documents(in_pieces(stream, lines))) == list(iter_documents(stream)) == split_documents(stream)


@pytest.mark.parametrize(
    "stream,line",
    [
        ("a\n--- b\n", 2),
        ("----\r\n", 1),
        ("a\n" * 5000 + "--- |\n", 5001),
        ("a\r\nb\r\n---\u00a0x\r\n", 3),
    ],
    ids=["second-line", "crlf", "late", "go-space-then-text"],
)
def test_iter_documents_of_pieces_reports_a_bad_separator_before_any_document(stream: str, line: int) -> None:
    with pytest.raises(YamlError) as whole:
        split_documents(stream)
    for given in (stream, in_pieces(stream, 1), in_pieces(stream, 3)):
        with pytest.raises(YamlError) as info:
            iter_documents(given)  # raised by the call itself, before a document is asked for
        assert (info.value.line, str(info.value)) == (line, str(whole.value))


def test_split_bytes_keeps_undecodable_bytes_for_verbatim_output() -> None:
    docs = split_documents(b"a: \xff\n---\nb: 2\n")
    assert [d.encode("utf-8", "surrogateescape") for d in docs] == [b"a: \xff\n", b"b: 2\n"]


def test_split_then_load_golden_style_stream() -> None:
    stream = "apiVersion: v1\nkind: Service\n---\napiVersion: apps/v1\nkind: Deployment\n---\n"
    assert [load_document(d)["kind"] for d in split_documents(stream)] == ["Service", "Deployment"]


# --- decoding ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected,error",
    [pytest.param(text, expected, error, id=repr(text)[:40]) for text, expected, error in cases.SCALARS],
)
def test_scalar_resolution(text: str, expected: Any, error: str | None) -> None:
    _check("k: " + text + "\n", expected, error)


@pytest.mark.parametrize(
    "text,expected,error",
    [pytest.param(text, expected, error, id=repr(text)[:40]) for text, expected, error in cases.DOCS],
)
def test_documents(text: str, expected: Any, error: str | None) -> None:
    _check(text, expected, error)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("replicas: 3\n", {"replicas": 3}),
        ("port: 8080.0\n", {"port": 8080}),  # an integral float is a JSON integer
        ("ratio: 0.5\n", {"ratio": 0.5}),
        ("enabled: yes\n", {"enabled": True}),  # YAML 1.1 booleans
        ("when: 2001-12-14\n", {"when": "2001-12-14"}),  # timestamps stay text
        ("mode: 0644\n", {"mode": 420}),  # Go's base-0 integers
        ("1: a\n", {"1": "a"}),  # non-string keys become strings
        ('{"a": {"b": [1, "2"]}}', {"a": {"b": [1, "2"]}}),  # JSON is YAML
        ("", None),
        ("# just a comment\n", None),
    ],
)
def test_load_examples(text: str, expected: Any) -> None:
    assert _same(load_document(text), expected)


def test_error_carries_position_and_go_wording() -> None:
    with pytest.raises(YamlError) as info:
        load_document("a:\n  - b\n c\n")
    err = info.value
    # yaml.v2 prints the 0-based line of a parser error; the attributes give the real position.
    assert str(err) == "error converting YAML to JSON: yaml: line 2: did not find expected key"
    assert (err.line, err.column) == (3, 2)
    assert err.problem == "line 2: did not find expected key"


def test_scanner_error_line_is_one_based() -> None:
    with pytest.raises(YamlError) as info:
        load_document("a: 1\nb: c: d\n")
    assert (
        str(info.value) == "error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context"
    )


@pytest.mark.parametrize(
    "data,problem",
    [
        (b"a: \xff\n", "invalid leading UTF-8 octet"),
        (b"a: \x01\n", "control characters are not allowed"),
    ],
)
def test_reader_errors_from_bytes(data: bytes, problem: str) -> None:
    with pytest.raises(YamlError) as info:
        load_document(data)
    assert str(info.value) == "error converting YAML to JSON: yaml: " + problem


def test_bytes_and_text_decode_alike() -> None:
    text = "a: é\nb: [1, yes]\n"
    assert load_document(text.encode()) == load_document(text) == {"a": "é", "b": [1, True]}


def test_alias_bomb_is_refused() -> None:
    doc = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        "%s: &%s [%s]\n" % (chr(98 + i), chr(98 + i), ", ".join(["*" + chr(97 + i)] * 9)) for i in range(12)
    )
    with pytest.raises(YamlError) as info:
        load_document(doc)
    assert str(info.value) == "error converting YAML to JSON: yaml: document contains excessive aliasing"


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlError) as info:
        load_document("a: &a [*a]\n")
    assert str(info.value) == "error converting YAML to JSON: yaml: anchor 'a' value contains itself"


def _nested(shape: str, depth: int) -> str:
    if shape == "flow-seq":
        return "[" * depth + "1" + "]" * depth
    if shape == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    if shape == "block-seq":
        return "".join(" " * i + "-\n" for i in range(depth - 1)) + " " * (depth - 1) + "- 1\n"
    return "".join(" " * i + "k:\n" for i in range(depth - 1)) + " " * (depth - 1) + "k: 1\n"


def _leaf(value: object, depth: int) -> object:
    for _ in range(depth):
        value = value[0] if isinstance(value, list) else value["a" if "a" in value else "k"]  # type: ignore[index]
    return value


SHAPES = ["flow-seq", "flow-map", "block-seq", "block-map"]


@pytest.mark.parametrize("shape", SHAPES)
def test_nesting_to_go_limit_decodes(shape: str) -> None:
    """yaml.v2 nests 10,000 flow collections or block indentation levels (libyaml only 1,000)."""
    assert _leaf(load_document(_nested(shape, 10_000)), 10_000) == 1


@pytest.mark.parametrize("shape", ["flow-seq", "flow-map", "block-map"])
def test_nesting_past_go_limit_is_refused_cleanly(shape: str) -> None:
    with pytest.raises(YamlError) as info:
        load_document(_nested(shape, 10_001))
    assert "exceeded max depth of 10000" in str(info.value)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("depth", "refused"), [(1000, False), (1001, True)], ids=["1000", "1001"])
def test_strict_reading_keeps_the_manifest_nesting_limit(shape: str, depth: int, refused: bool) -> None:
    """The CLI's manifest reading (strict) refuses nesting past 1,000 levels, a product limit on top of Go."""
    doc = _nested(shape, depth)
    if refused:
        with pytest.raises(YamlError, match="exceeded max depth of 1000"):
            load_document(doc, strict=True)
    else:
        assert _leaf(load_document(doc, strict=True), depth) == 1


@pytest.mark.parametrize(("max_depth", "refused"), [(3, False), (2, True)], ids=["at-limit", "past-limit"])
@pytest.mark.parametrize("shape", SHAPES)
def test_max_depth_refuses_deeper_documents(shape: str, max_depth: int, refused: bool) -> None:
    doc = _nested(shape, 3)
    if refused:
        with pytest.raises(YamlError, match="exceeded max depth of 2"):
            load_document(doc, max_depth=max_depth)
    else:
        assert _leaf(load_document(doc, max_depth=max_depth), 3) == 1


def test_deep_but_allowed_nesting_decodes() -> None:
    depth = 900
    value = load_document("[" * depth + "1" + "]" * depth)
    for _ in range(depth):
        value = value[0]
    assert value == 1


def test_aliases_are_copies_like_go_values() -> None:
    doc = load_document("a: &a {x: [1]}\nb: *a\n")
    doc["b"]["x"].append(2)
    assert doc["a"] == {"x": [1]}
