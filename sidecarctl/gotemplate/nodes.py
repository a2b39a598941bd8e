"""The parse tree, as Go's text/template/parse builds it.

Every node carries `pos` (character offset into the template text) and prints back as Go prints
it: those strings appear in execution errors (`executing "inject" at <index .list 3>`).
"""

from __future__ import annotations

from typing import Any

from sidecarctl.golang.strconv import quote as go_quote

# Plain classes with __slots__ rather than dataclasses: this module is imported on every run, and
# generating two dozen dataclasses costs several milliseconds of startup. Fields are set positionally
# by the parser, in the order of each __init__; the on-disk cache stores trees as data (diskcache.py).


class Node:
    __slots__ = ("pos",)

    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:
        fields: list[str] = []
        for cls in type(self).__mro__:
            for name in getattr(cls, "__slots__", ()):
                fields.insert(0, f"{name}={getattr(self, name, None)!r}")
        return f"{type(self).__name__}({', '.join(fields)})"


class TextNode(Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, text: str = "") -> None:
        self.pos = pos
        self.text = text

    def __str__(self) -> str:
        return self.text


class CommentNode(Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, text: str = "") -> None:
        self.pos = pos
        self.text = text

    def __str__(self) -> str:
        return "{{" + self.text + "}}"


class ListNode(Node):
    __slots__ = ("nodes",)

    def __init__(self, pos: int, nodes: list[Node] | None = None) -> None:
        self.pos = pos
        self.nodes: list[Node] = [] if nodes is None else nodes

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


class IdentifierNode(Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, ident: str = "") -> None:
        self.pos = pos
        self.ident = ident

    def __str__(self) -> str:
        return self.ident


class VariableNode(Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, ident: list[str] | None = None) -> None:
        self.pos = pos
        self.ident: list[str] = [] if ident is None else ident

    def __str__(self) -> str:
        return ".".join(self.ident)


class DotNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "."


class NilNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "nil"


class FieldNode(Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, ident: list[str] | None = None) -> None:
        self.pos = pos
        self.ident: list[str] = [] if ident is None else ident

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


class BoolNode(Node):
    __slots__ = ("true",)

    def __init__(self, pos: int, true: bool = False) -> None:
        self.pos = pos
        self.true = true

    def __str__(self) -> str:
        return "true" if self.true else "false"


class NumberNode(Node):
    """A numeric constant with every Go type it can be (Go's IsInt/IsUint/IsFloat/IsComplex)."""

    __slots__ = ("text", "is_int", "is_uint", "is_float", "is_complex", "int64", "uint64", "float64", "complex128")

    def __init__(self, pos: int, text: str = "") -> None:
        self.pos = pos
        self.text = text
        self.is_int = self.is_uint = self.is_float = self.is_complex = False
        self.int64 = 0
        self.uint64 = 0
        self.float64 = 0.0
        self.complex128 = 0j

    def __str__(self) -> str:
        return self.text


class StringNode(Node):
    __slots__ = ("quoted", "text")

    def __init__(self, pos: int, quoted: str = "", text: str = "") -> None:
        self.pos = pos
        self.quoted = quoted
        self.text = text

    def __str__(self) -> str:
        return self.quoted


class CommandNode(Node):
    __slots__ = ("args",)

    def __init__(self, pos: int, args: list[Node] | None = None) -> None:
        self.pos = pos
        self.args: list[Node] = [] if args is None else args

    def __str__(self) -> str:
        parts = []
        for a in self.args:
            parts.append(f"({a})" if isinstance(a, PipeNode) else str(a))
        return " ".join(parts)


class PipeNode(Node):
    __slots__ = ("line", "is_assign", "decl", "cmds")

    def __init__(
        self,
        pos: int,
        line: int = 0,
        is_assign: bool = False,
        decl: list[VariableNode] | None = None,
        cmds: list[CommandNode] | None = None,
    ) -> None:
        self.pos = pos
        self.line = line
        self.is_assign = is_assign
        self.decl: list[VariableNode] = [] if decl is None else decl
        self.cmds: list[CommandNode] = [] if cmds is None else cmds

    def __str__(self) -> str:
        head = ", ".join(str(v) for v in self.decl) + " := " if self.decl else ""
        return head + " | ".join(str(c) for c in self.cmds)


class ChainNode(Node):
    __slots__ = ("node", "fields")

    def __init__(self, pos: int, node: Node | None = None, fields: list[str] | None = None) -> None:
        self.pos = pos
        self.node = node
        self.fields: list[str] = [] if fields is None else fields

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + f for f in self.fields)


class ActionNode(Node):
    __slots__ = ("line", "pipe")

    def __init__(self, pos: int, line: int = 0, pipe: PipeNode | None = None) -> None:
        self.pos = pos
        self.line = line
        self.pipe = pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


class BranchNode(Node):
    __slots__ = ("line", "pipe", "list", "else_list")
    keyword = ""

    def __init__(
        self,
        pos: int,
        line: int = 0,
        pipe: PipeNode | None = None,
        list: ListNode | None = None,
        else_list: ListNode | None = None,
    ) -> None:
        self.pos = pos
        self.line = line
        self.pipe = pipe
        self.list = list
        self.else_list = else_list

    def __str__(self) -> str:
        out = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            out += "{{else}}" + str(self.else_list)
        return out + "{{end}}"


class IfNode(BranchNode):
    __slots__ = ()
    keyword = "if"


class RangeNode(BranchNode):
    __slots__ = ()
    keyword = "range"


class WithNode(BranchNode):
    __slots__ = ()
    keyword = "with"


class TemplateNode(Node):
    __slots__ = ("line", "name", "pipe")

    def __init__(self, pos: int, line: int = 0, name: str = "", pipe: PipeNode | None = None) -> None:
        self.pos = pos
        self.line = line
        self.name = name
        self.pipe = pipe

    def __str__(self) -> str:
        tail = " " + str(self.pipe) if self.pipe is not None else ""
        return "{{template " + go_quote(self.name) + tail + "}}"


class BreakNode(Node):
    __slots__ = ("line",)

    def __init__(self, pos: int, line: int = 0) -> None:
        self.pos = pos
        self.line = line

    def __str__(self) -> str:
        return "{{break}}"


class ContinueNode(Node):
    __slots__ = ("line",)

    def __init__(self, pos: int, line: int = 0) -> None:
        self.pos = pos
        self.line = line

    def __str__(self) -> str:
        return "{{continue}}"


class EndNode(Node):
    """`{{end}}`: only seen by the parser."""

    __slots__ = ()

    def __str__(self) -> str:
        return "{{end}}"


class ElseNode(Node):
    """`{{else}}`: only seen by the parser."""

    __slots__ = ("line",)

    def __init__(self, pos: int, line: int = 0) -> None:
        self.pos = pos
        self.line = line

    def __str__(self) -> str:
        return "{{else}}"


class Tree:
    """One named template: its root list and the text it was parsed from (for error positions)."""

    __slots__ = ("name", "parse_name", "text", "root", "compiled")

    def __init__(
        self, name: str, parse_name: str, text: str, root: ListNode | None = None, compiled: Any = None
    ) -> None:
        self.name = name
        self.parse_name = parse_name
        self.text = text
        self.root = root
        self.compiled = compiled


def is_empty_tree(n: Node | None) -> bool:
    """Go's IsEmptyTree: a redefinition may replace a template whose body is only blank text."""
    if n is None or isinstance(n, CommentNode):
        return True
    if isinstance(n, ListNode):
        return all(is_empty_tree(c) for c in n.nodes)
    if isinstance(n, TextNode):
        return n.text.strip(" \t\r\n\v\f\x85\xa0") == ""
    return False
