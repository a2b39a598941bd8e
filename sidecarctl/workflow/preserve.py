"""--preserve-formatting: write injected documents with the input's comments, key order and quoting.

Injection runs as usual; then the difference between the document as injection saw it (typed, see
`KubeInject.decode`) and the injected object is applied to a ruamel.yaml round-trip tree of the
input document: changed scalars are replaced in place, new keys appended, new list items placed
where injection put them (items matched by `name` or another unique key), removed ones deleted.
Everything injection did not touch keeps its text, so a GitOps diff shows only the sidecar.
Documents injection did not change are written back byte for byte. ruamel.yaml is imported here
only, on this path.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from sidecarctl.errors import InjectionError
from sidecarctl.workflow.documents import SEPARATOR, Document, SourceRun

_LIST_KEYS = ("name", "mountPath", "containerPort", "devicePath", "ip", "key")


def preserve_documents(run: SourceRun, injector: Any) -> list[str]:
    """Per document, its text with formatting kept (no trailing separator)."""
    return [preserve_document(document, injector, run.source.name) for document in run.documents]


def in_source_line_endings(source_text: str, text: str) -> str:
    """`text` with the source's line endings: documents are split as istioctl splits them (CRLF
    read as LF), but a preserved CRLF file must stay CRLF or its diff is every line."""
    first_break = source_text.find("\n")
    if first_break > 0 and source_text[first_break - 1] == "\r":
        return text.replace("\r\n", "\n").replace("\n", "\r\n")
    return text


def preserve_document(document: Document, injector: Any, source: str = "-") -> str:
    from sidecarctl.yamlio import load_document

    original = injector.decode(document.raw)
    if original is None:
        return _with_newline(document.raw)
    injected = load_document(document.body)
    if original == injected:
        return _with_newline(document.raw)
    try:
        return edit(document.raw, original, injected)
    except Exception as err:  # ruamel cannot round-trip some inputs libyaml reads
        raise InjectionError(
            f"{source}: document {document.index}: cannot preserve formatting "
            f"({type(err).__name__}: {err}); run without --preserve-formatting"
        ) from err


def edit(raw: str, original: Any, injected: Any) -> str:
    """The raw document with `original -> injected` applied to its round-trip tree."""
    from ruamel.yaml import YAML

    head, body = _split_head(raw)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never re-fold lines
    mapping, sequence, offset = guess_indents(body)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    tree = yaml.load(body)
    tree = apply_value(tree, original, injected)
    if body.lstrip().startswith("{"):  # a JSON document stays JSON (its key order kept)
        return head + json.dumps(_plain(tree), indent=_json_indent(body), ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    yaml.dump(tree, buffer)
    return head + buffer.getvalue()


_KEY_LINE = re.compile(r"^( *)[^\s#-][^#]*:\s*(#.*)?$")  # `key:` opening a block
_ITEM_LINE = re.compile(r"^( *)- +")
_LINE = re.compile(r"^( *)\S")


def guess_indents(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) for ruamel from the first nested mapping and the first block
    sequence under a key: 2/2/0 is kubectl's style (`- ` flush with its key), 2/4/2 the indented one."""
    mapping = sequence = offset = None
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for line, following in zip(lines, lines[1:]):
        key = _KEY_LINE.match(line)
        if key is None:
            continue
        base = len(key.group(1))
        item = _ITEM_LINE.match(following)
        if item is not None and sequence is None:
            offset = len(item.group(1)) - base
            sequence = len(item.group(0)) - base
        elif item is None and mapping is None:
            nested = _LINE.match(following)
            if nested is not None and len(nested.group(1)) > base:
                mapping = len(nested.group(1)) - base
    mapping = mapping or 2
    if sequence is None or offset is None or offset < 0 or sequence < offset + 2:
        sequence, offset = mapping, 0
    return mapping, sequence, offset


def apply_value(node: Any, old: Any, new: Any) -> Any:
    """`node` (a ruamel value for `old`) edited into `new`; returns the node to keep in its place."""
    if _same(old, new):
        return node
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap) and isinstance(old, dict) and isinstance(new, dict):
        apply_map(node, old, new)
        return node
    if isinstance(node, CommentedSeq) and isinstance(old, list) and isinstance(new, list):
        if apply_seq(node, old, new):
            return node
    return to_node(new)


def apply_map(node: Any, old: dict[str, Any], new: dict[str, Any]) -> None:
    for key in [key for key in old if key not in new]:
        node.pop(key, None)
    for key, value in new.items():
        if key in old and key in node:
            updated = apply_value(node[key], old[key], value)
            if updated is not node[key]:
                node[key] = updated
        elif key not in old or not _same(old[key], value):
            node[key] = to_node(value)


def apply_seq(node: Any, old: list[Any], new: list[Any]) -> bool:
    """Edit a sequence in place keeping its items' comments; False when it must be replaced."""
    if len(node) != len(old):
        return False
    key = _list_key(old, new)
    if key is None:
        if len(old) != len(new):
            return False
        for index, (before, after) in enumerate(zip(old, new)):
            updated = apply_value(node[index], before, after)
            if updated is not node[index]:
                node[index] = updated
        return True
    position = {item[key]: index for index, item in enumerate(old)}
    items, comments = [], {}
    last_original = None
    for target, after in enumerate(new):
        found = position.get(after[key])
        if found is None:
            items.append(to_node(after))
            continue
        items.append(apply_value(node[found], old[found], after))
        if found == len(old) - 1:
            last_original = items[-1]
        if found in node.ca.items:
            comments[target] = node.ca.items[found]
    if last_original is not None and items and items[-1] is not last_original:
        _move_trailing_comment(last_original, items[-1])
    del node[:]
    node.ca.items.clear()
    node.extend(items)
    node.ca.items.update(comments)
    return True


def _move_trailing_comment(source: Any, target: Any) -> None:
    """Full-line comments after a list's last item (ruamel keeps them on its deepest last value)
    stay at the end of the list when injection appends items: they close the list, not the item."""
    import copy

    holder, slot, position = _last_leaf(source)
    entry = holder.ca.items.get(slot) if holder is not None else None
    token = entry[position] if entry and len(entry) > position else None
    if entry is None or token is None or "\n" not in token.value.rstrip("\n"):
        return
    inline, _, trailing = token.value.partition("\n")
    to_holder, to_slot, to_position = _last_leaf(target)
    if to_holder is None or to_holder.ca.items.get(to_slot):
        return
    moved = copy.copy(token)
    moved.value = "\n" + trailing
    entry[position] = None if not inline else _with_value(token, inline + "\n")
    slots: list[Any] = [None] * 4
    slots[to_position] = moved
    to_holder.ca.items[to_slot] = slots


def _with_value(token: Any, value: str) -> Any:
    import copy

    kept = copy.copy(token)
    kept.value = value
    return kept


def _last_leaf(node: Any) -> tuple[Any, Any, int]:
    """(container, key or index, slot of the post-comment) of the last scalar written in node."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    while True:
        if isinstance(node, CommentedMap) and len(node):
            key = list(node)[-1]
            if isinstance(node[key], (CommentedMap, CommentedSeq)) and len(node[key]):
                node = node[key]
                continue
            return node, key, 2
        if isinstance(node, CommentedSeq) and len(node):
            if isinstance(node[-1], (CommentedMap, CommentedSeq)) and len(node[-1]):
                node = node[-1]
                continue
            return node, len(node) - 1, 0
        return None, None, 0


def to_node(value: Any) -> Any:
    """A new value as ruamel should write it: strings quoted as sigs.k8s.io/yaml would (so `on`,
    `"15020"` or `yes` stay strings for YAML 1.1 readers), multi-line strings as literal blocks."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = to_node(item)
        return out
    if isinstance(value, list):
        return CommentedSeq(to_node(item) for item in value)
    if isinstance(value, str):
        return _string(value)
    return value


def _string(value: str) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString, SingleQuotedScalarString

    from sidecarctl.yamlio import dump_yaml

    if "\n" in value and not value.startswith((" ", "\t")):
        return LiteralScalarString(value)
    rendered = dump_yaml(value)
    if rendered.startswith('"'):
        return DoubleQuotedScalarString(value)
    if rendered.startswith("'"):
        return SingleQuotedScalarString(value)
    return value


def _list_key(old: list[Any], new: list[Any]) -> str | None:
    """A key naming every item of both lists uniquely (containers by name...), if there is one."""
    items = old + new
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in _LIST_KEYS:
        if all(key in item for item in items) and all(
            len({str(item[key]) for item in side}) == len(side) for side in (old, new)
        ):
            return key
    return None


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, bool) or node is None:
        return node
    for kind in (str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node


def _json_indent(text: str) -> int | None:
    """The indent of a JSON document's second line (None: it was written on one line)."""
    lines = text.strip().splitlines()
    return len(lines[1]) - len(lines[1].lstrip(" ")) if len(lines) > 1 else None


def _split_head(raw: str) -> tuple[str, str]:
    """A leading `---` line (the separator that opened the document) stays as text."""
    if raw.startswith("---"):
        end = raw.find("\n")
        return raw[: end + 1], raw[end + 1 :]
    return "", raw


def _with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


__all__ = ["SEPARATOR", "edit", "in_source_line_endings", "preserve_documents"]
