"""Manifest streams in, the way `istioctl kube-inject` reads them.

Splitting follows k8s.io/apimachinery `yaml.NewYAMLReader` (v0.35): lines are read with bufio's ReadLine
(so CRLF becomes LF and a last line gets a newline), a line starting with `---` ends the current
document when it has one (the `---` line is dropped), and starts the next one otherwise (a leading
`---` line stays in the document text). Only spaces and a comment may follow `---`.

Decoding follows `sigs.k8s.io/yaml.Unmarshal` (v1.6.0) into an untyped value: yaml.v2 (2.4) builds the
document, converts it to JSON (non-string keys become strings) and the JSON is read back. libyaml
(PyYAML's C parser) does the parsing where that is certain to give yaml.v2's node graph -- yaml.v2 is a
port of an older libyaml, so the grammar and error messages are the same but for a few edges -- and
`goparse` (yaml.v2's own reader, scanner and parser) does it for documents that may meet one of those
edges and for every document libyaml refuses. The values are built here with yaml.v2's rules rather
than PyYAML's. Checked against sigs.k8s.io/yaml itself: ../shared/yaml-oracle (CI's third ratchet).
"""

from __future__ import annotations

import base64
import codecs
import math
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from yaml import YAMLError
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sidecarctl.golang.json import json_integral
from sidecarctl.golang.strconv import format_float
from sidecarctl.golang.strconv import quote as _go_quote
from sidecarctl.yamlio import goparse
from sidecarctl.yamlio import resolve as _r
from sidecarctl.yamlio.resolve import yaml_float_text
from sidecarctl.yamlio.yamlerror import YamlError

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml.loader import BaseLoader as _Parser  # type: ignore[assignment]

__all__ = ["DocumentMemo", "YamlError", "iter_documents", "load_document", "split_documents"]

_PLAIN = "!yamlv2/plain"  # marker tag for untagged plain scalars, resolved by yaml.v2's rules below
_STR = "tag:yaml.org,2002:str"
_TAG = "tag:yaml.org,2002:"
_RESOLVABLE = {"", _STR, _TAG + "bool", _TAG + "int", _TAG + "float", _TAG + "null", _TAG + "timestamp"}
_SHORT = {_TAG + name: "!!" + name for name in ("str", "bool", "int", "float", "null", "timestamp", "merge")}
_RTAG = {
    _r.STR: _STR,
    _r.BOOL: _TAG + "bool",
    _r.NULL: _TAG + "null",
    _r.INT: _TAG + "int",
    _r.FLOAT: _TAG + "float",
    _r.TIMESTAMP: _TAG + "timestamp",
    _r.MERGE: _TAG + "merge",
}

# yaml.v2 decode.go: decodes past 1000 may come at most this share from alias expansion.
_ALIAS_RATIO_LOW, _ALIAS_RATIO_HIGH = 400_000, 4_000_000
_INT64_MAX = (1 << 63) - 1
_GO_MAX_DEPTH = 10_000  # yaml.v2's scanner: nested flow collections, and block indentation levels
# The product limit of the CLI's manifest reading (docs/errors.md), far below Go's: what libyaml, the
# fast path, refuses anyway. Strict reading applies it; other callers may ask for it (`max_depth`).
MANIFEST_MAX_DEPTH = 1000
_LIBYAML_DEPTH = 1000  # libyaml refuses documents nesting deeper (it counts block levels one higher)
# Python frames the value walks take per level of nesting (value -> raw -> _target -> _mapping/list).
_FRAMES_PER_LEVEL = 5
_RECURSION_HEADROOM = 2 * _GO_MAX_DEPTH * _FRAMES_PER_LEVEL + 1000  # flow and block levels both count

# Go's unicode.IsSpace, which strings.TrimSpace uses on what follows a '---'.
_GO_SPACE = (
    " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


# --------------------------------------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------------------------------------


def _lines(text: str) -> Iterator[str]:
    """bufio.Reader.ReadLine plus a '\n': CRLF and LF end lines; a last unterminated line is kept."""
    pos = 0
    n = len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end == -1:
            yield text[pos:] + "\n"
            return
        line_end = end - 1 if end > pos and text[end - 1] == "\r" else end
        yield text[pos:line_end] + "\n"
        pos = end + 1


def split_documents(data: str | bytes) -> list[str]:
    """The raw documents of a manifest stream, exactly as istioctl's YAMLReader returns them.

    Bytes are decoded as UTF-8 with surrogateescape, so writing a document back with the same error
    handler reproduces the input bytes. Raises YamlError on a `---` line followed by anything but a comment.
    """
    text = data.decode("utf-8", "surrogateescape") if isinstance(data, (bytes, bytearray)) else data
    return list(_documents(_lines(text)))


_SEPARATOR_LINE = re.compile(r"^---[^\n]*", re.MULTILINE)

# A stream given as a function that gives its text afresh on each call, in pieces that each end at
# a line end (but the last): a file read a block at a time.
Pieces = Callable[[], Iterable[str]]


def iter_documents(stream: str | Pieces) -> Iterator[str]:
    """split_documents one document at a time (a long stream is never held twice); a bad `---`
    line anywhere is still reported before the first document, as split_documents does.

    `stream` is the text, or a function giving it in pieces (see `Pieces`): then the stream is
    never held whole, and it is read twice, once for the separators and once for the documents."""
    if isinstance(stream, str):
        _check_separators(stream, 1)
        return _documents(_lines(stream))
    number = 1
    for piece in stream():
        _check_separators(piece, number)
        number += piece.count("\n")
    return _documents(line for piece in stream() for line in _lines(piece))


def _check_separators(text: str, first_line: int) -> None:
    """Raise for the first bad `---` line of `text`, which starts a line (numbered `first_line`)."""
    for match in _SEPARATOR_LINE.finditer(text):
        line = match.group(0)
        if line[3:].strip(_GO_SPACE)[:1] not in ("", "#"):
            _check_separator(line, first_line + text.count("\n", 0, match.start()))


def _check_separator(line: str, number: int) -> None:
    trimmed = line[3:].strip(_GO_SPACE)
    if trimmed and trimmed[0] != "#":
        raise YamlError(
            "invalid Yaml document separator: " + trimmed,
            line=number,
            column=4,
            problem="invalid Yaml document separator: " + trimmed,
        )


def _documents(lines: Iterable[str]) -> Iterator[str]:
    """YAMLReader.Read over the stream's lines (as `_lines` gives them)."""
    buf: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith("---"):
            _check_separator(line, number)
            if buf:
                yield "".join(buf)
                buf = []
                continue
        buf.append(line)  # a separator that opens a document stays part of it
    if buf:
        yield "".join(buf)


# --------------------------------------------------------------------------------------------------------
# Parsing (libyaml) into nodes
# --------------------------------------------------------------------------------------------------------


class _NodeParser(_Parser):
    """libyaml parser and composer; tags are left for our own resolution."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return ""  # collection tags do not matter to yaml.v2

    def descend_resolver(self, *args: Any) -> None:
        pass

    def ascend_resolver(self, *args: Any) -> None:
        pass


def _first_node(data: bytes) -> Node | None:
    """The first document's node graph (yaml.v2 reads only the first document of what it is given)."""
    parser = _NodeParser(data)
    try:
        if parser.check_node():
            return parser.get_node()
        return None
    finally:
        parser.dispose()


def _compose_events(data: bytes) -> Node | None:
    """The first document composed from events, for what libyaml's composer refuses but yaml.v2 accepts
    (an anchor defined twice: the later definition wins from there on)."""
    parser = _NodeParser(data)
    anchors: dict[str, Node] = {}
    stack: list[list[Any]] = []  # [collection node, key waiting for its value]
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, StreamEndEvent):
                return None
            if isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                node = stack.pop()[0]
            else:
                node = _event_node(event, anchors)
                if node is None:  # stream or document start
                    continue
                if isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                    stack.append([node, None])
                    continue
            if not stack:
                parser.get_event()  # document end, where a trailing syntax error would surface
                return node
            _attach(stack[-1], node)
    finally:
        parser.dispose()


def _event_node(event: Any, anchors: dict[str, Node]) -> Node | None:
    # The C parser's events carry yaml._yaml.Mark, which the stubs do not count as a yaml.Mark.
    start: Any = event.start_mark
    if isinstance(event, AliasEvent):
        if event.anchor not in anchors:
            raise ComposerError(None, None, "found undefined alias", start)
        return anchors[event.anchor]
    if isinstance(event, ScalarEvent):
        tag = event.tag
        if tag is None:
            tag = _PLAIN if event.implicit[0] else _STR
        elif tag == "!":
            tag = _STR  # yaml.v2 keeps the non-specific tag, which resolves to nothing: a string
        node: Node = ScalarNode(tag, event.value, start, event.end_mark, event.style)  # type: ignore[arg-type]
    elif isinstance(event, SequenceStartEvent):
        node = SequenceNode(event.tag or "", [], start, None, event.flow_style)
    elif isinstance(event, MappingStartEvent):
        node = MappingNode(event.tag or "", [], start, None, event.flow_style)
    else:
        return None
    if event.anchor is not None:
        anchors[event.anchor] = node
    return node


def _attach(frame: list[Any], node: Node) -> None:
    parent = frame[0]
    if isinstance(parent, SequenceNode):
        parent.value.append(node)
    elif frame[1] is None:
        frame[1] = node
    else:
        parent.value.append((frame[1], node))
        frame[1] = None


# --------------------------------------------------------------------------------------------------------
# Errors in yaml.v2's words
# --------------------------------------------------------------------------------------------------------


def _anchor_at(text: str, mark: Any, sigil: str) -> str:
    """The anchor/alias name written at a node's start (libyaml's composer does not keep it)."""
    try:
        line = text.split("\n")[mark.line][mark.column :]
    except (IndexError, AttributeError):
        return ""
    m = re.search(re.escape(sigil) + r"([0-9A-Za-z_-]+)", line)
    return m.group(1) if m else ""


def _conversion_error(go_message: str, line: int | None = None, column: int | None = None) -> YamlError:
    return YamlError("error converting YAML to JSON: yaml: " + go_message, line, column, go_message)


# A lone '!' (the non-specific tag): libyaml's composer resolves it like an untagged plain scalar, yaml.v2
# makes it a string, so such documents are composed from events.
_NON_SPECIFIC_TAG_RE = re.compile(r"(?:^|[\s\[\]{},])!(?:[\s\[\]{},]|$)", re.M)

# Where libyaml (a later version than yaml.v2's port) may read a document differently without failing:
# the `\/` escape, directives (yaml.v2 knows only %YAML 1.1), U+FEFF after the start, a tag holding a
# flow indicator. A `?` in a flow collection is the other case (checked apart: both characters are
# common). Such documents, and every document libyaml refuses, are read by yaml.v2's own rules
# (goparse), which also nest to Go's 10,000 levels rather than libyaml's 1,000.
# Substring tests first: a regular expression with alternatives would try each at every character.
# The patterns are compiled on first use (re's cache), not at every startup.
_FLOW_INDICATOR_TAG = r"![^\s]*[,\[\]{}]"
_DIRECTIVE = "(?:^|[\r\n\x85\u2028\u2029])%"  # a '%' at a line start


def _libyaml_may_differ(text: str) -> bool:
    return (
        ("?" in text and ("[" in text or "{" in text))
        or "\\/" in text
        or "\ufeff" in text
        or ("%" in text and re.search(_DIRECTIVE, text) is not None)
        or ("!" in text and re.search(_FLOW_INDICATOR_TAG, text) is not None)
    )


def _parse(data: bytes, text: str, max_depth: int | None) -> tuple[Node | None, bool]:
    """The first document's node graph, and whether libyaml composed it."""
    if not _libyaml_may_differ(text):
        try:
            try:
                if "!" in text and _NON_SPECIFIC_TAG_RE.search(text):
                    return _compose_events(data), True
                return _first_node(data), True
            except ComposerError as exc:
                if exc.context and "duplicate anchor" in exc.context:
                    return _compose_events(data), True
                raise
        except YAMLError:
            pass  # yaml.v2 decides what libyaml refuses (it may accept it, or fail in its own words)
    return _go_parse(data, max_depth), False


class _Yamlv2Differs(Exception):
    """libyaml composed a mapping key that yaml.v2's scanner would not have: an empty flow
    collection (`[]: x`). yaml.v2 forgets such a simple key when the collection closes (its
    simple-key index is keyed by token number, which the collection's own slot shares) and hands
    the collection to the parser as a whole node, so Go reads `[]: x` as `[]`."""


def _go_parse(data: bytes, max_depth: int | None) -> Node | None:
    try:
        node = goparse.compose_first(data.decode("utf-8", "surrogateescape"))
    except goparse.GoYamlError as exc:
        mark = exc.mark
        raise _conversion_error(exc.message, mark[1] + 1 if mark else None, mark[2] + 1 if mark else None) from None
    if max_depth is not None and node is not None and _node_depth(node) > max_depth:
        raise _too_deep(max_depth)
    return node


def _too_deep(max_depth: int) -> YamlError:
    return _conversion_error("exceeded max depth of %d" % max_depth)


def _node_depth(root: Node) -> int:
    """How many collections nest at the deepest point of a node graph (each node counted once)."""
    deepest = 0
    seen: set[int] = set()
    todo: list[tuple[Node, int]] = [(root, 1)]
    while todo:
        node, depth = todo.pop()
        if node.__class__ is ScalarNode or id(node) in seen:
            continue
        seen.add(id(node))
        deepest = max(deepest, depth)
        if node.__class__ is MappingNode:
            todo.extend((child, depth + 1) for pair in node.value for child in pair)
        else:
            todo.extend((child, depth + 1) for child in node.value)
    return deepest


# --------------------------------------------------------------------------------------------------------
# Building values: yaml.v2 decoding into interface{}, then sigs.k8s.io/yaml's JSON conversion
# --------------------------------------------------------------------------------------------------------


class _Unsupported(Exception):
    """json.Marshal refusing a value (NaN, infinities)."""


class _UnsupportedKey(Exception):
    """A key sigs.k8s.io/yaml cannot turn into a JSON key (null, beyond int64)."""


class _BadKey:
    """Stands in for a null or uint64 key: it only fails in the JSON conversion after decoding, and only if
    no later duplicate replaced it (equal keys overwrite each other, as in yaml.v2's map)."""

    __slots__ = ("key", "raw_value", "mark")

    def __init__(self, key: Any, raw_value: Any, mark: Any) -> None:
        self.key, self.raw_value, self.mark = key, raw_value, mark

    def __hash__(self) -> int:
        return hash(("badkey", self.key))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _BadKey) and other.key == self.key

    def error(self) -> YamlError:
        kind = "uint64" if isinstance(self.key, int) else "%!s(<nil>)"
        return YamlError(
            "error converting YAML to JSON: unsupported map key of type: %s, key: %s, value: %s"
            % (kind, _go_sharp_v(self.key), _go_sharp_v(self.raw_value)),
            self.mark.line + 1,
            self.mark.column + 1,
        )


class _BadValue:
    """Stands in for NaN or an infinity, which json.Marshal refuses once everything else converted."""

    __slots__ = ("text", "mark")

    def __init__(self, text: str, mark: Any) -> None:
        self.text, self.mark = text, mark

    def error(self) -> YamlError:
        return YamlError(
            "error converting YAML to JSON: json: unsupported value: %s" % self.text,
            self.mark.line + 1,
            self.mark.column + 1,
        )


def _find_sentinel(value: Any, cls: type) -> Any:
    """The first surviving stand-in of a kind in the built value (iteratively: values nest deeply)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for k, item in v.items():
                if isinstance(k, cls):
                    return k
                stack.append(item)
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, cls):
            return v
    return None


_PLAIN_VALUES: dict[str, Any] = {}
# A batch's recurring scalars (images, ports, labels) are a few hundred; past them the cache fills
# with each workload's own names, which would make memory grow with the number of workloads.
_PLAIN_VALUES_LIMIT = 4096


def _plain(s: str) -> Any:
    """The raw yaml.v2 value of an untagged plain scalar (timestamps stay text)."""
    try:
        return _PLAIN_VALUES[s]
    except KeyError:
        pass
    if len(_PLAIN_VALUES) > _PLAIN_VALUES_LIMIT:
        _PLAIN_VALUES.clear()
    value = _r.resolve_plain(s)[1] if s else None
    _PLAIN_VALUES[s] = value
    return value


def _tagged(tag: str, s: str) -> Any:
    """A scalar with an explicit tag: yaml.v2 resolve(tag, s) and its 'cannot decode' check."""
    if tag not in _RESOLVABLE:
        if tag == _TAG + "binary":
            return _binary(s)
        return s  # unknown tags leave the text as a string
    if tag == _STR:
        return s
    rtag, value = _r.resolve_plain(s, timestamps=tag == _TAG + "timestamp") if s else (_r.NULL, None)
    long_rtag = _RTAG[rtag]
    if long_rtag == tag:
        return value
    if tag == _TAG + "float" and rtag == _r.INT and value <= _INT64_MAX:  # type: ignore[operator]
        return float(value)  # type: ignore[arg-type]  # only an int64 becomes a float: a uint64 is refused below, as in Go
    raise YamlError(
        "error converting YAML to JSON: yaml: cannot decode %s `%s` as a %s"
        % (_SHORT.get(long_rtag, long_rtag), s, _SHORT.get(tag, tag))
    )


# Go's base64.StdEncoding: padded quanta of four, '=' only to pad the last one (trailing bits may be set).
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\Z")


def _binary(s: str) -> str:
    """!!binary: Go's base64.StdEncoding (CR and LF ignored, padding required) decoded; each byte that is
    not part of valid UTF-8 becomes one U+FFFD, as Go's JSON writes it."""
    s = s.replace("\r", "").replace("\n", "")
    if not _BASE64.match(s):
        raise YamlError("error converting YAML to JSON: yaml: !!binary value contains invalid base64 data")
    return base64.b64decode(s).decode("utf-8", _GO_UTF8_ERRORS)


def _go_replace(exc: UnicodeError) -> tuple[str, int]:
    """One U+FFFD for the first byte of an invalid sequence, then decoding resumes at the next byte
    (Go's utf8.DecodeRune), where Python's 'replace' covers the whole invalid sequence with one."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "\ufffd", exc.start + 1


_GO_UTF8_ERRORS = "sidecarctl-go-utf8"
codecs.register_error(_GO_UTF8_ERRORS, _go_replace)


def _json_value(value: Any) -> Any:
    """What reading back Go's JSON of a yaml.v2 value gives: integral floats are JSON integers."""
    if type(value) is float:
        if math.isnan(value) or math.isinf(value):
            raise _Unsupported(format_float(value))
        if value.is_integer() and abs(value) < 1e21 and (value or math.copysign(1.0, value) > 0):
            return json_integral(value)  # but -0.0, which Go's JSON writes as -0
    return value


def _go_sharp_v(value: Any, top: bool = True) -> str:
    """fmt's %#v of a decoded yaml.v2 value, for the messages that print one."""
    if value is None:
        return "<nil>" if top else "interface {}(nil)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "0x%x" % value if value > (1 << 63) - 1 else str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, _BadValue):
        return value.text
    if isinstance(value, str):
        return _go_quote(value)
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_go_sharp_v(v, False) for v in value) + "}"
    keys = {_sharp_key(k): v for k, v in value.items()}  # keys may be stand-ins for null/uint64 keys
    return (
        "map[interface {}]interface {}{"
        + ", ".join("%s:%s" % (k, _go_sharp_v(keys[k], False)) for k in sorted(keys))
        + "}"
    )


def _sharp_key(key: Any) -> str:
    if isinstance(key, _BadKey):
        return _go_sharp_v(key.key, False)
    return _go_quote(key) if isinstance(key, str) else _go_sharp_v(key, False)


def _json_key(value: Any) -> str:
    """sigs.k8s.io/yaml convertToJSONableObject: int, float (as float32) and bool keys become strings."""
    t = type(value)
    if t is str:
        return value
    if t is bool:
        return "true" if value else "false"
    if t is int and value <= (1 << 63) - 1:
        return str(value)
    if t is float:
        return yaml_float_text(value, 32)
    raise _UnsupportedKey(value)


def _allowed_alias_ratio(count: int) -> float:
    if count <= _ALIAS_RATIO_LOW:
        return 0.99
    if count >= _ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * ((count - _ALIAS_RATIO_LOW) / (_ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW))


class _Builder:
    """yaml.v2's decoder walk. libyaml's composer shares one node object between an anchor and its
    aliases, so a node met again is an alias use: it is decoded again (as yaml.v2 does) and counted
    toward the excessive-aliasing limit."""

    def __init__(self, text: str, aliases_possible: bool, strict: bool = False, libyaml: bool = False) -> None:
        self.text = text
        self.libyaml = libyaml  # the graph is libyaml's: check for what yaml.v2 would not have composed
        self.strict = strict
        self.tracking = aliases_possible
        self.seen: set[int] = set()
        self.expanding: set[int] = set()
        self.decodes = 0
        self.alias_decodes = 0
        self.alias_depth = 0
        self.sentinels = False  # whether _BadKey/_BadValue stand-ins were built

    def _count(self) -> None:
        self.decodes += 1
        if self.alias_depth:
            self.alias_decodes += 1
            if (
                self.alias_decodes > 100
                and self.decodes > 1000
                and self.alias_decodes / self.decodes > _allowed_alias_ratio(self.decodes)
            ):
                raise YamlError(
                    "error converting YAML to JSON: yaml: document contains excessive aliasing",
                    problem="document contains excessive aliasing",
                )

    def raw(self, node: Node) -> Any:
        """The yaml.v2 value of a node (before the JSON conversion of scalars).

        Every node is first met at its definition, outside any alias expansion; meeting it again there
        is an alias use. Inside an expansion only a cycle back into what is being expanded matters.
        """
        self._count()
        if self.tracking:
            nid = id(node)
            if self.alias_depth == 0:
                if nid in self.seen:
                    return self._alias(node, self._target)
                self.seen.add(nid)
            elif nid in self.expanding:
                raise self._contains_itself(node)
        return self._target(node)

    def _target(self, node: Node) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            tag = node.tag
            if tag == _PLAIN:
                return _plain(node.value)
            return node.value if tag == _STR else _tagged(tag, node.value)
        if cls is MappingNode:
            return self._mapping(node, {})
        return [self.value(child) for child in node.value]

    def value(self, node: Node) -> Any:
        """The JSON-shaped value of a node in value position."""
        try:
            return _json_value(self.raw(node))
        except _Unsupported as exc:  # json.Marshal fails last, after decoding and key conversion
            self.sentinels = True
            return _BadValue(str(exc), node.start_mark)

    def _alias(self, node: Node, then: Any, *args: Any) -> Any:
        nid = id(node)
        if nid in self.expanding:
            raise self._contains_itself(node)
        self.expanding.add(nid)
        self.alias_depth += 1
        try:
            self._count()  # the aliased node itself, decoded again
            return then(node, *args)
        finally:
            self.alias_depth -= 1
            self.expanding.discard(nid)

    def _contains_itself(self, node: Node) -> YamlError:
        name = _anchor_at(self.text, node.start_mark, "&")
        return YamlError(
            "error converting YAML to JSON: yaml: anchor '%s' value contains itself" % name,
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )

    def _mapping(self, node: Node, out: dict) -> dict:
        merged = False
        for knode, vnode in node.value:
            if knode.__class__ is ScalarNode and knode.value == "<<" and knode.tag in (_PLAIN, _TAG + "merge"):
                self._merge(vnode, out)
                merged = True
                continue
            if self.libyaml and knode.__class__ is not ScalarNode and knode.flow_style and not knode.value:
                raise _Yamlv2Differs
            key = self.raw(knode)
            if type(key) in (dict, list):
                raise YamlError(
                    "error converting YAML to JSON: yaml: invalid map key: %s" % _go_sharp_v(key),
                    knode.start_mark.line + 1,
                    knode.start_mark.column + 1,
                )
            try:
                jkey = _json_key(key)
            except _UnsupportedKey:
                self.sentinels = True
                value = self.value(vnode)
                out[_BadKey(key, value, knode.start_mark)] = value
                continue
            out[jkey] = self.value(vnode)
        if self.strict and (merged or len(out) < len(node.value)):  # a duplicate shrinks the map
            self._check_duplicates(node)
        return out

    def _check_duplicates(self, node: Node) -> None:
        """Refuse a key written twice in one mapping, as yaml.v2's strict mode (and kubectl's strict
        field validation) does: istioctl keeps the last silently, which hides a mistake. Keys that a
        merge (`<<`) brought in may be overridden."""
        seen: set[tuple[type, Any]] = set()
        for knode, _ in node.value:
            if knode.__class__ is not ScalarNode or (knode.value == "<<" and knode.tag in (_PLAIN, _TAG + "merge")):
                continue
            key = self._target(knode)
            ident = (type(key), key)
            if ident in seen:
                line = knode.start_mark.line + 1
                raise YamlError(
                    "error converting YAML to JSON: yaml: unmarshal errors: line %d: key %s already set "
                    "in map" % (line, _go_sharp_v(key)),
                    line,
                    knode.start_mark.column + 1,
                )
            seen.add(ident)

    def deferred_error(self, value: Any) -> YamlError | None:
        """The conversion error sigs.k8s.io/yaml reports once decoding succeeded: keys first, then json.Marshal."""
        if not self.sentinels:
            return None
        found = _find_sentinel(value, _BadKey) or _find_sentinel(value, _BadValue)
        return found.error() if found is not None else None

    def _merge_into(self, node: Node, out: dict) -> None:
        """Decode a merged mapping straight into `out` (later keys override, as yaml.v2 does)."""
        if node.__class__ is not MappingNode:
            raise _merge_error(node)
        self._count()
        if self.tracking and self.alias_depth == 0:
            if id(node) in self.seen:
                self._alias(node, self._mapping, out)
                return
            self.seen.add(id(node))
        self._mapping(node, out)

    def _merge(self, node: Node, out: dict) -> None:
        """yaml.v2 merge: a map, or a sequence of maps applied last to first so earlier ones win."""
        if node.__class__ is SequenceNode and not (self.tracking and id(node) in self.seen):
            self._count()
            self.seen.add(id(node))
            for child in reversed(node.value):
                self._merge_into(child, out)
            return
        self._merge_into(node, out)


def _merge_error(node: Node) -> YamlError:
    return YamlError(
        "error converting YAML to JSON: yaml: map merge requires map or sequence of maps as the value",
        node.start_mark.line + 1,
        node.start_mark.column + 1,
    )


@contextmanager
def _deep_recursion() -> Iterator[None]:
    """Documents nest up to libyaml's limit and aliases can stack further; Python frames are cheap in 3.11."""
    old = sys.getrecursionlimit()
    if old < _RECURSION_HEADROOM:
        sys.setrecursionlimit(_RECURSION_HEADROOM)
    try:
        yield
    finally:
        if old < _RECURSION_HEADROOM:
            sys.setrecursionlimit(old)


# Where an alias can start: at a line's start, after white space, `[`, `{`, `,` or `:` (a flow `"k":*a`).
# A `*` anywhere else (`"*"`, `a*b`) is text; a document without a match has no alias.
_ALIAS_RE = re.compile(r"(?:^|[\s\[{,:])\*", re.M)


class _Fallback(Exception):
    """The document needs _Builder's full walk."""


def _plain_value(node: Node) -> Any:
    """The common case of _Builder.value, without its bookkeeping: no aliases (so no node is met
    twice), only plain and `!!str` scalars, string keys written once, no merge keys, no floats.
    Anything else raises _Fallback, and the full walk gives the value or the error; where this
    returns, the full walk returns the same value."""
    cls = node.__class__
    if cls is ScalarNode:
        tag = node.tag
        if tag == _PLAIN:
            value = _plain(node.value)
            if value.__class__ is float:
                raise _Fallback
            return value
        if tag == _STR:
            return node.value
        raise _Fallback
    if cls is MappingNode:
        out: dict[str, Any] = {}
        pairs = node.value
        for knode, vnode in pairs:
            if knode.__class__ is not ScalarNode:
                raise _Fallback
            tag = knode.tag
            if tag == _STR:
                key = knode.value
            elif tag == _PLAIN and knode.value != "<<":
                key = _plain(knode.value)
                if key.__class__ is not str:
                    raise _Fallback
            else:
                raise _Fallback
            out[key] = _plain_value(vnode)
        if len(out) < len(pairs):  # a key written twice: strict mode refuses it, the full walk knows
            raise _Fallback
        return out
    return [_plain_value(child) for child in node.value]


def load_document(doc: str | bytes, strict: bool = False, max_depth: int | None = None) -> Any:
    """The value `sigs.k8s.io/yaml.Unmarshal` would decode `doc` into (as untyped JSON): None for an empty
    or comment-only document. Raises YamlError with istioctl's message. `strict` also refuses a key
    written twice in one mapping (yaml.v2's strict mode), which istioctl would silently collapse, and
    nesting deeper than MANIFEST_MAX_DEPTH (the CLI's manifest limit). `max_depth` refuses nesting
    deeper than that many collections (without it, Go's own 10,000-level limit applies)."""
    return _load(doc, strict, max_depth)[0]


def _load(doc: str | bytes, strict: bool, max_depth: int | None = None) -> tuple[Any, Node | None]:
    """load_document, and the node graph when the value came from the common-case walk (so it
    mirrors the graph: one dict per mapping, keys in order, one list per sequence)."""
    if isinstance(doc, (bytes, bytearray)):
        data = bytes(doc)
        text = data.decode("utf-8", "replace")
    else:
        text = doc
        data = doc.encode("utf-8", "surrogateescape")
    if strict and (max_depth is None or max_depth > MANIFEST_MAX_DEPTH):
        max_depth = MANIFEST_MAX_DEPTH
    node, via_libyaml = _parse(data or b"\n", text, max_depth)
    if node is None:
        return None, None
    if via_libyaml and max_depth is not None and max_depth < _LIBYAML_DEPTH and _node_depth(node) > max_depth:
        raise _too_deep(max_depth)
    aliases_possible = "*" in text
    with _deep_recursion():
        if not aliases_possible or not _ALIAS_RE.search(text):
            try:
                return _plain_value(node), node
            except (_Fallback, RecursionError):
                pass  # something the common case does not cover: the full walk below decides
        builder = _Builder(text, aliases_possible, strict, via_libyaml)
        try:
            try:
                value = builder.value(node)
            except _Yamlv2Differs:
                node = _go_parse(data or b"\n", max_depth)
                if node is None:
                    return None, None
                builder = _Builder(text, aliases_possible, strict, False)
                value = builder.value(node)
        except RecursionError:
            raise _conversion_error("exceeded max depth of %d" % _GO_MAX_DEPTH) from None
    error = builder.deferred_error(value)
    if error is not None:
        raise error
    return value, None


# --------------------------------------------------------------------------------------------------------
# Documents that differ from an earlier one only in some scalar values
# --------------------------------------------------------------------------------------------------------


class DocumentMemo:
    """load_document for a run of documents most of which differ from an earlier one only in the
    values of some single-line scalars: the injection template's output pod after pod (the workload's
    name, its ports), or a batch's workloads. Such a document is not parsed again: the earlier value
    is copied along the paths to the changed scalars, which are read from the new lines.

    A changed line is taken over only where that is certain to be what libyaml and yaml.v2 would
    make of it: the earlier document was ASCII, without CR, and decoded by the common-case walk; the
    line holds one value scalar, double-quoted or (in a block collection) plain; the text before and
    after it is unchanged; the new scalar has the same style, printable ASCII, no escapes, nothing
    that would end a plain scalar early or start a comment, and does not resolve to a float.
    Anything else is parsed in full (and remembered for the next document of its shape).

    The values returned share unchanged parts with each other: callers must not modify them.
    """

    def __init__(self, shapes: int = 64, per_shape: int = 4) -> None:
        self._shapes = shapes
        self._per_shape = per_shape
        self._entries: dict[str, list[_MemoEntry]] = {}  # by the document's shape, the latest first
        self._lock = threading.Lock()

    def load(self, doc: str, strict: bool = False, max_depth: int | None = None) -> Any:
        """load_document(doc, strict, max_depth), reusing a remembered document of the same shape."""
        if not isinstance(doc, str) or not doc.isascii() or "\r" in doc:
            return load_document(doc, strict, max_depth)  # line breaks and columns as libyaml counts them, simply
        shape = doc.translate(_shape_table())
        lines = doc.split("\n")
        with self._lock:
            for entry in self._entries.get(shape, ()):
                value = entry.reuse(lines)
                if value is not _NO_REUSE:
                    self._entries[shape] = self._entries.pop(shape)  # the latest used goes last
                    return value
        value, node = _load(doc, strict, max_depth)
        if node is None:
            return value
        entry = _MemoEntry(lines, value, _scalar_slots(node, value, lines))
        with self._lock:
            same = self._entries.pop(shape, [])
            if len(self._entries) >= self._shapes:
                del self._entries[next(iter(self._entries))]  # the shape used longest ago makes room
            self._entries[shape] = [entry, *same[: self._per_shape - 1]]
        return value


_NO_REUSE: Any = object()
_SHAPE_TABLE: dict[int, None] = {}


def _shape_table() -> dict[int, None]:
    """str.translate table keeping only what outlines a document (line breaks, spaces, `:`), so
    documents that differ in scalar text alone (names are full of `-`) usually share a shape.
    Only a hint for finding candidates: reuse checks every changed line."""
    if not _SHAPE_TABLE:
        _SHAPE_TABLE.update({c: None for c in range(128) if chr(c) not in "\n :"})
    return _SHAPE_TABLE


_Slot = tuple[tuple[Any, ...], int, int, bool]  # path from the root, column, length of what follows, quoted


class _MemoEntry:
    """A remembered document: its lines, its value and where its reusable scalars are."""

    __slots__ = ("lines", "slots", "value")

    def __init__(self, lines: list[str], value: Any, slots: dict[int, _Slot]) -> None:
        self.lines = lines
        self.value = value
        self.slots = slots  # by line index

    def reuse(self, lines: list[str]) -> Any:
        """The value of the document `lines`, or _NO_REUSE; the entry then stands for `lines`."""
        old = self.lines
        if len(lines) != len(old):
            return _NO_REUSE
        changes = []
        for i, (new_line, old_line) in enumerate(zip(lines, old)):
            if new_line != old_line:
                slot = self.slots.get(i)
                if slot is None:
                    return _NO_REUSE
                path, column, tail, quoted = slot
                end = len(new_line) - tail
                if (
                    end <= column
                    or new_line[:column] != old_line[:column]
                    or new_line[end:] != old_line[len(old_line) - tail :]
                ):
                    return _NO_REUSE
                scalar = _line_scalar(new_line[column:end], quoted)
                if scalar is _NO_REUSE:
                    return _NO_REUSE
                changes.append((path, scalar))
        if changes:
            self.value = _replaced(self.value, changes)
            self.lines = lines
        return self.value


# Characters no plain scalar starts with (YAML indicators and space); `-` may when a non-space follows.
_NOT_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` ")


def _line_scalar(text: str, quoted: bool) -> Any:
    """The value of a scalar written as `text` between unchanged text, or _NO_REUSE where the line
    could read differently (escapes, an early end, a comment, a float, anything but printable ASCII)."""
    if not text or not text.isprintable():
        return _NO_REUSE
    if quoted:
        inner = text[1:-1]
        if len(text) < 2 or text[0] != '"' or text[-1] != '"' or '"' in inner or "\\" in inner:
            return _NO_REUSE
        return inner
    first = text[0]
    if first in _NOT_PLAIN_FIRST and not (first == "-" and len(text) > 1 and text[1] != " "):
        return _NO_REUSE
    if ": " in text or " #" in text or text[-1] in ": ":
        return _NO_REUSE
    value = _plain(text)
    return _NO_REUSE if value.__class__ is float else value


def _scalar_slots(node: Node, value: Any, lines: list[str]) -> dict[int, _Slot]:
    """The lines whose value scalar _MemoEntry.reuse may read anew: double-quoted without escapes,
    or plain in a block collection and last on its line (reuse also wants the text around it
    unchanged, so a second scalar on the line is never read wrong). `value` is _plain_value's
    value of `node`, which mirrors the graph."""
    slots: dict[int, _Slot] = {}
    todo: list[tuple[Node, Any, tuple[Any, ...]]] = [(node, value, ())]
    while todo:
        n, v, path = todo.pop()
        if n.__class__ is MappingNode:
            children: Any = ((vnode, key) for (_, vnode), key in zip(n.value, v))
        elif n.__class__ is SequenceNode:
            children = ((vnode, i) for i, vnode in enumerate(n.value))
        else:
            continue
        for child, step in children:
            if child.__class__ is not ScalarNode:
                todo.append((child, v[step], path + (step,)))
                continue
            line = child.start_mark.line
            slot = _scalar_slot(child, lines[line] if line < len(lines) else "", bool(n.flow_style))
            if slot is not None:
                slots[line] = (path + (step,), *slot)
    return slots


def _scalar_slot(node: ScalarNode, line: str, flow: bool) -> tuple[int, int, bool] | None:
    """(column, length of the rest of the line, double-quoted) of a reusable value scalar, else None.

    A double-quoted scalar ends at its closing quote wherever it stands; a plain one only in a
    block collection (inside [ ] and { } `,` and more end it) and with nothing but spaces after it.
    """
    start, end = node.start_mark, node.end_mark
    if start.line != end.line or start.column == 0:
        return None
    written = line[start.column : end.column]
    rest = len(line) - end.column
    if node.style == '"' and written == '"' + node.value + '"' and "\\" not in written:
        return start.column, rest, True
    if (
        node.style == ""
        and not flow
        and written
        and written == node.value
        and node.tag == _PLAIN
        and not line[end.column :].strip(" ")
    ):  # an empty scalar has no text of its own
        return start.column, rest, False
    return None


def _replaced(root: Any, changes: list[tuple[tuple[Any, ...], Any]]) -> Any:
    """`root` with each (path, value) set, copying only the containers on the paths."""
    fresh: set[int] = set()

    def own(container: Any) -> Any:
        copy = container.copy()
        fresh.add(id(copy))
        return copy

    top = own(root)
    for path, value in changes:
        here = top
        for step in path[:-1]:
            child = here[step]
            if id(child) not in fresh:
                child = here[step] = own(child)
            here = child
        here[path[-1]] = value
    return top
