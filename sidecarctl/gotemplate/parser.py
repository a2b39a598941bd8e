"""Go text/template's parser: tokens to a set of named trees, with Go's error messages.

The structure follows Go's recursive-descent parser (three-token lookahead, the same
backup/peek discipline) because Go reports the line of the last token it read: keeping the same
reading order is what makes `template: NAME:LINE: ...` come out identical.
"""

from __future__ import annotations

from collections.abc import Container

from sidecarctl.golang import strconv
from sidecarctl.golang.strconv import SyntaxErr, unquote, unquote_char
from sidecarctl.golang.strconv import quote as go_quote
from sidecarctl.gotemplate import lexer as L
from sidecarctl.gotemplate.errors import ParseError
from sidecarctl.gotemplate.lexer import Token
from sidecarctl.gotemplate.nodes import (
    ActionNode,
    BoolNode,
    BranchNode,
    BreakNode,
    ChainNode,
    CommandNode,
    CommentNode,
    ContinueNode,
    DotNode,
    ElseNode,
    EndNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    StringNode,
    TemplateNode,
    TextNode,
    Tree,
    VariableNode,
    WithNode,
    is_empty_tree,
)

_Syntax = SyntaxErr


def parse_uint(text: str) -> int | None:
    """strconv.ParseUint(text, 0, 64), None on any error."""
    try:
        return strconv.parse_uint(text)
    except ValueError:
        return None


def parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), None on any error."""
    try:
        return strconv.parse_int(text)
    except ValueError:
        return None


def parse_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64) for the shapes the lexer produces; None on error or overflow."""
    try:
        return strconv.parse_float(text)
    except ValueError:
        return None


def new_number(pos: int, text: str, typ: int) -> NumberNode:
    """Go's newNumber: every type the constant can take; ValueError with Go's message otherwise."""
    n = NumberNode(pos, text)
    if typ == L.CHAR_CONSTANT:
        try:
            value, _, tail = unquote_char(text[1:], text[0])
        except _Syntax:
            raise ValueError("invalid syntax") from None
        if tail != "'":
            raise ValueError(f"malformed character constant: {text}")
        n.is_int = n.is_uint = n.is_float = True
        n.int64 = n.uint64 = value
        n.float64 = float(value)
        return n
    if typ == L.COMPLEX:
        return _complex_number(n, text)
    if text.endswith("i"):
        f = parse_float(text[:-1])
        if f is not None:
            n.is_complex, n.complex128 = True, complex(0, f)
            _simplify_complex(n)
            return n
    u = parse_uint(text)
    if u is not None:
        n.is_uint, n.uint64 = True, u
    i = parse_int(text)
    if i is not None:
        n.is_int, n.int64 = True, i
        if i == 0:
            n.is_uint, n.uint64 = True, u or 0
    if n.is_int:
        n.is_float, n.float64 = True, float(n.int64)
    elif n.is_uint:
        n.is_float, n.float64 = True, float(n.uint64)
    else:
        _float_number(n, text)
    if not (n.is_int or n.is_uint or n.is_float):
        raise ValueError(f"illegal number syntax: {go_quote(text)}")
    return n


def _float_number(n: NumberNode, text: str) -> None:
    f = parse_float(text)
    if f is None:
        return
    if not any(c in text for c in ".eEpP"):
        raise ValueError(f"integer overflow: {go_quote(text)}")
    n.is_float, n.float64 = True, f
    if f.is_integer() and -(2**63) <= f < 2**63:
        n.is_int, n.int64 = True, int(f)
    if f.is_integer() and 0 <= f < 2**64:
        n.is_uint, n.uint64 = True, int(f)


def _complex_number(n: NumberNode, text: str) -> NumberNode:
    """A `1+2i` constant, read as Go's fmt.Sscan reads a complex128."""
    split = next((i for i in range(1, len(text)) if text[i] in "+-" and text[i - 1] not in "eEpP"), None)
    if split is None or len(text) - split < 3:
        raise ValueError("syntax error scanning complex number")
    parts = []
    for part in (text[:split], text[split:-1]):
        value = parse_float(part)
        if value is None:
            raise ValueError(f"strconv.ParseFloat: parsing {go_quote(part)}: invalid syntax")
        parts.append(value)
    n.complex128 = complex(parts[0], parts[1])
    n.is_complex = True
    _simplify_complex(n)
    return n


def _simplify_complex(n: NumberNode) -> None:
    n.is_float = n.complex128.imag == 0
    if n.is_float:
        f = n.complex128.real
        n.float64 = f
        n.is_int = f.is_integer() and -(2**63) <= f < 2**63
        if n.is_int:
            n.int64 = int(f)
        n.is_uint = f.is_integer() and 0 <= f < 2**64
        if n.is_uint:
            n.uint64 = int(f)


# --- the parser ------------------------------------------------------------------------------

_TERM_STARTS = {
    L.BOOL,
    L.CHAR_CONSTANT,
    L.COMPLEX,
    L.DOT,
    L.FIELD,
    L.IDENTIFIER,
    L.NUMBER,
    L.NIL,
    L.RAW_STRING,
    L.STRING,
    L.VARIABLE,
    L.LEFT_PAREN,
}


class _Parser:
    """One tree being parsed; `{{define}}` and `{{block}}` start a child on the same token stream."""

    def __init__(
        self, name: str, parse_name: str, text: str, stream: _Stream, trees: dict[str, Tree], funcs: Container[str]
    ) -> None:
        self.tree = Tree(name, parse_name, text)
        self.s = stream
        self.trees = trees
        self.funcs = funcs
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0

    # token helpers, delegating to the shared stream
    def next(self) -> Token:
        return self.s.next()

    def peek(self) -> Token:
        return self.s.peek()

    def backup(self) -> None:
        self.s.peek_count += 1

    def next_non_space(self) -> Token:
        while True:
            tok = self.s.next()
            if tok.typ != L.SPACE:
                return tok

    def peek_non_space(self) -> Token:
        tok = self.next_non_space()
        self.backup()
        return tok

    def errorf(self, msg: str) -> None:
        tok = self.s.token[0]
        err = ParseError(f"template: {self.tree.parse_name}:{tok.line}: {msg}")
        # Go's text has the line only; the column (1-based, in characters) is for sidecarctl's context
        start = self.tree.text.rfind("\n", 0, tok.pos) + 1
        err.line, err.column = tok.line, tok.pos - start + 1  # type: ignore[attr-defined]
        raise err

    def expect(self, typ: int, context: str) -> Token:
        tok = self.next_non_space()
        if tok.typ != typ:
            self.unexpected(tok, context)
        return tok

    def unexpected(self, tok: Token, context: str) -> None:
        if tok.typ == L.ERROR:
            extra = ""
            if self.action_line not in (0, tok.line):
                extra = f" in action started at {self.tree.parse_name}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            self.errorf(f"{tok}{extra}")
        self.errorf(f"unexpected {tok} in {context}")

    def add(self) -> None:
        old = self.trees.get(self.tree.name)
        if old is None or is_empty_tree(old.root):
            self.trees[self.tree.name] = self.tree
            return
        if not is_empty_tree(self.tree.root):
            self.errorf(f"template: multiple definition of template {_q(self.tree.name)}")

    def child(self, name: str) -> _Parser:
        p = _Parser(name, self.tree.parse_name, self.tree.text, self.s, self.trees, self.funcs)
        return p

    # Root: (text | action | define)*
    def parse(self) -> None:
        self.tree.root = ListNode(self.peek().pos)
        while self.peek().typ != L.EOF:
            if self.peek().typ == L.LEFT_DELIM:
                delim = self.next()
                if self.next_non_space().typ == L.DEFINE:
                    self.child("definition").parse_definition()
                    continue
                self.s.backup2(delim)
            n = self.text_or_action()
            if isinstance(n, (EndNode, ElseNode)):
                self.errorf(f"unexpected {n}")
            self.tree.root.nodes.append(n)
        self.add()

    # Definition: {{define "name"}} itemList {{end}}
    def parse_definition(self) -> None:
        context = "define clause"
        tok = self.next_non_space()
        if tok.typ not in (L.STRING, L.RAW_STRING):
            self.unexpected(tok, context)
        self.tree.name = self._unquote(tok.val)
        self.expect(L.RIGHT_DELIM, context)
        self.tree.root, end = self.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.add()

    def item_list(self) -> tuple[ListNode, Node]:
        lst = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != L.EOF:
            n = self.text_or_action()
            if isinstance(n, (EndNode, ElseNode)):
                return lst, n
            lst.nodes.append(n)
        self.errorf("unexpected EOF")
        raise AssertionError

    def text_or_action(self) -> Node:
        tok = self.next_non_space()
        if tok.typ == L.TEXT:
            return TextNode(tok.pos, tok.val)
        if tok.typ == L.LEFT_DELIM:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        if tok.typ == L.COMMENT:
            return CommentNode(tok.pos, tok.val)
        self.unexpected(tok, "input")
        raise AssertionError

    # Action: control | pipeline
    def action(self) -> Node:
        tok = self.next_non_space()
        control = _CONTROLS.get(tok.typ)
        if control is not None:
            return control(self, tok)
        self.backup()
        tok = self.peek()
        return ActionNode(tok.pos, tok.line, self.pipeline("command", L.RIGHT_DELIM))

    def break_control(self, tok: Token) -> Node:
        return self._loop_control(tok, "{{break}}", BreakNode)

    def continue_control(self, tok: Token) -> Node:
        return self._loop_control(tok, "{{continue}}", ContinueNode)

    def _loop_control(self, tok: Token, word: str, cls: type) -> Node:
        nxt = self.next_non_space()
        if nxt.typ != L.RIGHT_DELIM:
            self.unexpected(nxt, word)
        if self.range_depth == 0:
            self.errorf(f"{word} outside {{{{range}}}}")
        return cls(tok.pos, tok.line)

    # Pipeline: declarations? command ('|' command)*
    def pipeline(self, context: str, end: int) -> PipeNode:
        tok = self.peek_non_space()
        pipe = PipeNode(tok.pos, tok.line)
        self._declarations(pipe, context)
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok.typ in _TERM_STARTS:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(tok, context)

    def _declarations(self, pipe: PipeNode, context: str) -> None:
        while True:
            v = self.peek_non_space()
            if v.typ != L.VARIABLE:
                return
            self.next()
            after = self.peek()
            nxt = self.peek_non_space()
            if nxt.typ in (L.ASSIGN, L.DECLARE):
                pipe.is_assign = nxt.typ == L.ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                return
            if nxt.typ == L.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (L.VARIABLE, L.RIGHT_DELIM, L.RIGHT_PAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            if after.typ == L.SPACE:
                self.s.backup3(v, after)
            else:
                self.s.backup2(v)
            return

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            if isinstance(c.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def parse_control(self, allow_else_if: bool, context: str) -> tuple[PipeNode, ListNode, ListNode | None]:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, L.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            lst, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(nxt, ElseNode):
                if allow_else_if and self.peek().typ == L.IF:
                    self.next()
                    else_list = ListNode(nxt.pos, [self.if_control(None)])
                else:
                    else_list, nxt = self.item_list()
                    if not isinstance(nxt, EndNode):
                        self.errorf(f"expected end; found {nxt}")
            return pipe, lst, else_list
        finally:
            del self.vars[mark:]

    def _branch(self, cls: type[BranchNode], allow_else_if: bool, context: str) -> BranchNode:
        pipe, lst, else_list = self.parse_control(allow_else_if, context)
        return cls(pipe.pos, pipe.line, pipe, lst, else_list)

    def if_control(self, tok: Token | None) -> Node:
        return self._branch(IfNode, True, "if")

    def range_control(self, tok: Token) -> Node:
        return self._branch(RangeNode, False, "range")

    def with_control(self, tok: Token) -> Node:
        return self._branch(WithNode, False, "with")

    def end_control(self, tok: Token) -> Node:
        return EndNode(self.expect(L.RIGHT_DELIM, "end").pos)

    def else_control(self, tok: Token) -> Node:
        peek = self.peek_non_space()
        if peek.typ == L.IF:
            return ElseNode(peek.pos, peek.line)
        tok = self.expect(L.RIGHT_DELIM, "else")
        return ElseNode(tok.pos, tok.line)

    # Block: {{block "name" pipeline}} itemList {{end}}
    def block_control(self, tok: Token) -> Node:
        context = "block clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe = self.pipeline(context, L.RIGHT_DELIM)
        block = self.child(name)
        block.tree.root, end = block.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        block.add()
        return TemplateNode(tok.pos, tok.line, name, pipe)

    # Template: {{template "name" pipeline?}}
    def template_control(self, tok: Token) -> Node:
        context = "template clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe = None
        if self.next_non_space().typ != L.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, L.RIGHT_DELIM)
        return TemplateNode(tok.pos, tok.line, name, pipe)

    def template_name(self, tok: Token, context: str) -> str:
        if tok.typ in (L.STRING, L.RAW_STRING):
            return self._unquote(tok.val)
        self.unexpected(tok, context)
        raise AssertionError

    def _unquote(self, text: str) -> str:
        try:
            return unquote(text)
        except _Syntax:
            self.errorf("invalid syntax")
            raise AssertionError from None

    # Command: operand (space operand)*
    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.typ == L.SPACE:
                continue
            if tok.typ in (L.RIGHT_DELIM, L.RIGHT_PAREN):
                self.backup()
            elif tok.typ != L.PIPE:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    # Operand: term .Field*
    def operand(self) -> Node | None:
        node = self.term()
        if node is None or self.peek().typ != L.FIELD:
            return node
        chain = ChainNode(self.peek().pos, node)
        while self.peek().typ == L.FIELD:
            chain.fields.append(self.next().val[1:])
        if isinstance(node, FieldNode):
            return FieldNode(chain.pos, node.ident + chain.fields)
        if isinstance(node, VariableNode):
            return VariableNode(chain.pos, node.ident + chain.fields)
        if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
            self.errorf(f"unexpected . after term {_q(str(node))}")
        return chain

    # Term: literal | function | . | $var | .Field | '(' pipeline ')'
    def term(self) -> Node | None:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == L.IDENTIFIER:
            if tok.val not in self.funcs:
                self.errorf(f"function {_q(tok.val)} not defined")
            return IdentifierNode(tok.pos, tok.val)
        if typ == L.DOT:
            return DotNode(tok.pos)
        if typ == L.NIL:
            return NilNode(tok.pos)
        if typ == L.VARIABLE:
            return self.use_var(tok)
        if typ == L.FIELD:
            return FieldNode(tok.pos, [tok.val[1:]])
        if typ == L.BOOL:
            return BoolNode(tok.pos, tok.val == "true")
        if typ in (L.CHAR_CONSTANT, L.COMPLEX, L.NUMBER):
            try:
                return new_number(tok.pos, tok.val, typ)
            except ValueError as e:
                self.errorf(str(e))
        if typ == L.LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", L.RIGHT_PAREN)
        if typ in (L.STRING, L.RAW_STRING):
            return StringNode(tok.pos, tok.val, self._unquote(tok.val))
        self.backup()
        return None

    def use_var(self, tok: Token) -> Node:
        v = VariableNode(tok.pos, tok.val.split("."))
        if v.ident[0] not in self.vars:
            self.errorf(f"undefined variable {_q(v.ident[0])}")
        return v


_CONTROLS = {
    L.BLOCK: _Parser.block_control,
    L.BREAK: _Parser.break_control,
    L.CONTINUE: _Parser.continue_control,
    L.ELSE: _Parser.else_control,
    L.END: _Parser.end_control,
    L.IF: _Parser.if_control,
    L.RANGE: _Parser.range_control,
    L.TEMPLATE: _Parser.template_control,
    L.WITH: _Parser.with_control,
}


def _q(s: str) -> str:
    return go_quote(s)


class _Stream:
    """Go's token source with its three-slot pushback buffer."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.token: list[Token] = [tokens[0], tokens[0], tokens[0]]
        self.peek_count = 0

    def _read(self) -> Token:
        tok = self.tokens[self.i]
        if self.i < len(self.tokens) - 1:
            self.i += 1
        return tok

    def next(self) -> Token:
        if self.peek_count > 0:
            self.peek_count -= 1
        else:
            self.token[0] = self._read()
        return self.token[self.peek_count]

    def peek(self) -> Token:
        if self.peek_count > 0:
            return self.token[self.peek_count - 1]
        self.peek_count = 1
        self.token[0] = self._read()
        return self.token[0]

    def backup2(self, t1: Token) -> None:
        self.token[1] = t1
        self.peek_count = 2

    def backup3(self, t2: Token, t1: Token) -> None:
        self.token[1] = t1
        self.token[2] = t2
        self.peek_count = 3


def parse_trees(name: str, text: str, funcs: Container[str]) -> dict[str, Tree]:
    """Parse `text` as template `name`; returns every tree it defines (ParseError on failure)."""
    tokens = L.lex(text, "break" not in funcs, "continue" not in funcs)
    trees: dict[str, Tree] = {}
    _Parser(name, name, text, _Stream(tokens), trees, funcs).parse()
    return trees
