"""Parse trees kept on disk across runs (`sidecarctl.diskcache`, kind "templates"): a stored entry
means "this text parsed without error before".

kube-inject parses every template of the injector config on every run (Istio reports a parse error
in any of them), although the config rarely changes between runs. The entries hold the parse trees
(not the compiled closures, which are rebuilt on first use). The key hashes the text, the template
name, the set of function names the parser accepted and the engine's own parser sources, so a
changed engine or function map never reuses old trees; only successful parses are stored.

The cache holds data only (`sidecarctl.diskcache`): a node is written as a list `[class number,
field, ...]` with the fields in the order of `_SCHEMA`, and read back by building exactly those
classes of `nodes` with those fields (any other shape is a damaged entry: parsed afresh).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from sidecarctl import diskcache as _disk
from sidecarctl.diskcache import enabled
from sidecarctl.gotemplate import nodes as N

__all__ = ["enabled", "directory", "key", "exists", "load", "store"]

KIND = "templates"
_HERE = os.path.dirname(os.path.abspath(__file__))
_ENGINE_FILES = tuple(os.path.join(_HERE, name) for name in ("lexer.py", "parser.py", "nodes.py", "diskcache.py"))

# How each field is stored: "node" (a node or None), "nodes" (a list of nodes), "complex"
# ([real, imag]), "data" (str, int, float, bool, None or a list of strings). Fields of a class
# are its __slots__ along its bases, base first.
_NODE_FIELDS = {
    "nodes": "nodes",
    "args": "nodes",
    "decl": "nodes",
    "cmds": "nodes",
    "node": "node",
    "pipe": "node",
    "list": "node",
    "else_list": "node",
    "complex128": "complex",
}
_CLASSES: list[type[N.Node]] = [
    N.TextNode,
    N.CommentNode,
    N.ListNode,
    N.IdentifierNode,
    N.VariableNode,
    N.DotNode,
    N.NilNode,
    N.FieldNode,
    N.BoolNode,
    N.NumberNode,
    N.StringNode,
    N.CommandNode,
    N.PipeNode,
    N.ChainNode,
    N.ActionNode,
    N.IfNode,
    N.RangeNode,
    N.WithNode,
    N.TemplateNode,
    N.BreakNode,
    N.ContinueNode,
    N.EndNode,
    N.ElseNode,
]
_NUMBER = {cls: i for i, cls in enumerate(_CLASSES)}
# The JSON types a data field may hold (exactly: a bool is no int): a crafted entry with, say, a
# list as a text node's text failed only when the output was joined, with a traceback.
_NONE = type(None)
_DATA_TYPES: dict[str, tuple[type, ...]] = {
    "pos": (int,),
    "line": (int,),
    "text": (str,),
    "quoted": (str,),
    "name": (str,),
    "true": (bool,),
    "is_int": (bool,),
    "is_uint": (bool,),
    "is_float": (bool,),
    "is_complex": (bool,),
    "is_assign": (bool,),
    "int64": (int, _NONE),
    "uint64": (int, _NONE),
    "float64": (float, int, _NONE),
    "ident": (str, list),
    "fields": (list,),
}


def _fields(cls: type) -> tuple[tuple[str, str], ...]:
    names = [name for base in reversed(cls.__mro__) for name in base.__dict__.get("__slots__", ())]
    return tuple((name, _NODE_FIELDS.get(name, "data")) for name in names)


_SCHEMA = [_fields(cls) for cls in _CLASSES]


def directory() -> str:
    return _disk.directory(KIND)


def key(text: str, name: str, func_names: Iterable[str]) -> str:
    return _disk.content_key(_disk.code_stamp(*_ENGINE_FILES), name, "\0".join(sorted(func_names)), text)


def exists(cache_key: str) -> bool:
    return _disk.exists(KIND, cache_key)


def load(cache_key: str, text: str) -> dict[str, N.Tree] | None:
    """The trees stored under the key, or None (never an error)."""
    stored = _disk.load(KIND, cache_key, text)
    if not isinstance(stored, list):
        return None
    try:
        trees = {}
        for name, parse_name, own_text, root in stored:
            if not (isinstance(name, str) and isinstance(parse_name, str) and isinstance(own_text, (str, type(None)))):
                return None
            tree_root = _node(root)
            if tree_root is not None and not isinstance(tree_root, N.ListNode):
                return None
            trees[name] = N.Tree(name, parse_name, text if own_text is None else own_text, tree_root)
        return trees
    except (ValueError, TypeError, IndexError, RecursionError):
        return None


def store(cache_key: str, text: str, trees: dict[str, N.Tree]) -> None:
    """Write the trees (without their compiled closures); any failure is ignored."""
    try:
        value = [[t.name, t.parse_name, None if t.text is text else t.text, _data(t.root)] for t in trees.values()]
    except (KeyError, TypeError, RecursionError):  # a node this format does not know: no cache
        return
    _disk.store(KIND, cache_key, text, value)


def _data(n: N.Node | None) -> Any:
    if n is None:
        return None
    number = _NUMBER[type(n)]
    out: list[Any] = [number]
    for name, how in _SCHEMA[number]:
        v = getattr(n, name)
        if how == "node":
            out.append(_data(v))
        elif how == "nodes":
            out.append([_data(x) for x in v])
        elif how == "complex":
            out.append([v.real, v.imag])
        elif v is None or type(v) in (str, int, float, bool) or (type(v) is list and all(type(x) is str for x in v)):
            out.append(v)
        else:
            raise TypeError(f"{type(n).__name__}.{name}")
    return out


def _node(d: Any) -> Any:
    """A node from its stored form; ValueError/TypeError/IndexError for anything else (JSON gives
    only dict, list, str, int, float, bool and None: a data field may not be a dict, nor a list of
    anything but strings)."""
    if d is None:
        return None
    if type(d) is not list or not d:
        raise TypeError("a node is a non-empty list")
    number = d[0]
    if type(number) is not int or number < 0:
        raise ValueError("unknown node class")
    cls = _CLASSES[number]
    schema = _SCHEMA[number]
    if len(d) != len(schema) + 1:
        raise ValueError("wrong field count")
    n = cls.__new__(cls)
    i = 1
    for name, how in schema:
        v = d[i]
        i += 1
        t = type(v)
        if how == "data":
            if t is dict or (t is list and not all(type(x) is str for x in v)) or t not in _DATA_TYPES.get(name, (t,)):
                raise TypeError(name)
        elif how == "node":
            v = _node(v)
        elif how == "nodes":
            if t is not list:
                raise TypeError(name)
            v = [_node(x) for x in v]
        else:  # complex
            v = complex(float(v[0]), float(v[1]))
        setattr(n, name, v)
    return n
