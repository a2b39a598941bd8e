"""The executor: parse trees compiled once to Python closures, run with Go's semantics.

Each node becomes a closure: list/text/action/control nodes `run(s, dot)` write to the state's
output; commands `cmd(s, dot, final)` return a value (`final` is the piped value, or NOFINAL);
arguments `arg(s, dot)` return a value converted to the parameter's Go type. The closures set
`s.node` exactly where Go's executor calls `s.at(node)`, because Go names the most recently
visited node in its errors (`executing "inject" at <"c">: ...` after `(index .m "c").d.e`).

Go's static types survive in one place: a value read out of a `map[string]interface {}` or
`[]interface {}` has type `interface {}` until a pipeline ends, and field errors say so
(`can't evaluate field x in type interface {}`). `iface` flags carry that for dot and variables.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

from sidecarctl.golang.strconv import quote as go_quote
from sidecarctl.gotemplate import nodes as N
from sidecarctl.gotemplate.budget import Budget, BudgetExceeded, budget_scope, charge_value, current_budget
from sidecarctl.gotemplate.builtins import (
    BUILTINS,
    FLOAT_TYPES,
    IFACE,
    INT_TYPES,
    RV,
    UINT_TYPES,
    IfaceBox,
    can_be_nil,
    normalize_type,
    zero_value,
)
from sidecarctl.gotemplate.errors import ExecError
from sidecarctl.gotemplate.gofmt import format_value
from sidecarctl.gotemplate.gotypes import (
    MISSING,
    GoFunc,
    GoMap,
    GoObject,
    GoSlice,
    is_true,
    sorted_items,
    type_name,
)

GO_MAX_DEPTH = 100000
# Python cannot nest 100000 template calls; past this depth we stop with Go's own message.
MAX_DEPTH = 3000
_FRAMES_PER_DEPTH = 30
# sidecarctl's own bounds (Go has none) are the execution budget of `budget.py`: every range
# iteration and template call is a step, every written character counts against its output.


class _NoFinal:
    """Go's missingVal: no value was piped into this command."""

    def __repr__(self) -> str:
        return "NOFINAL"


NOFINAL: Any = _NoFinal()


class _Break(Exception):
    """{{break}}: unwinds to the enclosing range loop."""


class _Continue(Exception):
    """{{continue}}: unwinds to the next iteration."""


# Exceptions that a function call must let through untouched (not "error calling NAME").
_PASS_THROUGH = (ExecError, _Break, _Continue, RecursionError)


Walker = Callable[["State", Any], None]
Command = Callable[..., Any]  # (state, dot, final=NOFINAL) -> value
Arg = Callable[["State", Any], Any]


class State:
    """One execution: output, variables, the template being run and the node last visited."""

    __slots__ = (
        "trees",
        "tree",
        "node",
        "vars",
        "depth",
        "w",
        "dot_iface",
        "missingkey",
        "compiler",
        "last_iface",
        "budget",
    )

    def __init__(
        self,
        trees: dict[str, N.Tree],
        tree: N.Tree,
        missingkey: str,
        write: Callable[[str], Any],
        compiler: Compiler,
        budget: Budget,
    ) -> None:
        self.compiler = compiler
        self.trees = trees
        self.tree = tree
        self.node: N.Node | None = None
        self.vars: list[list[Any]] = []
        self.depth = 0
        self.w = write
        self.dot_iface = False
        self.last_iface = False  # whether the last field chain ended in an `interface {}` slot
        self.missingkey = missingkey
        self.budget = budget

    def step(self) -> None:
        """Charge a range iteration or template call to the budget (which also reads the clock)."""
        try:
            self.budget.charge_steps(1)
        except BudgetExceeded as e:
            self.error(str(e))

    def error(self, msg: str) -> NoReturn:
        raise ExecError(error_text(self.tree, self.node, msg))


def error_text(tree: N.Tree, node: N.Node | None, msg: str) -> str:
    """Go's state.errorf text: the location is LINE:COLUMN with a byte column."""
    if node is None:
        return f"template: {tree.name}: {msg}"
    before = tree.text[: node.pos]
    nl = before.rfind("\n")
    col = len(before[nl + 1 :].encode("utf-8", "surrogateescape"))
    line = 1 + before.count("\n")
    return f"template: {tree.parse_name}:{line}:{col}: executing {go_quote(tree.name)} at <{_node_text(node)}>: {msg}"


def _node_text(node: N.Node) -> str:
    """The node as Go prints it; printing recurses in C, so absurdly deep nodes are elided."""
    if _nesting(node) > 1000:
        return f"{type(node).__name__[:-4].lower()} nested too deeply to print"
    return str(node)


def _nesting(node: N.Node) -> int:
    """How deep pipelines nest inside `node` (iteratively: the tree may be deeper than the stack)."""
    deepest, todo = 0, [(node, 1)]
    while todo:
        n, depth = todo.pop()
        deepest = max(deepest, depth)
        if isinstance(n, N.PipeNode):
            todo.extend((c, depth + 1) for c in n.cmds)
        elif isinstance(n, N.CommandNode):
            todo.extend((a, depth + 1) for a in n.args)
        elif isinstance(n, N.ChainNode) and n.node is not None:
            todo.append((n.node, depth + 1))
    return deepest


# --- field access ------------------------------------------------------------------------------


def _missing_key(s: State, name: str, elem: str) -> Any:
    if s.missingkey == "zero":
        return zero_value(elem)
    if s.missingkey == "error":
        s.error(f"map has no entry for key {go_quote(name)}")
    return MISSING


def field_chain(
    s: State, dot: Any, recv: Any, iface: bool, idents: list[str], node: N.Node, args: list[N.Node] | None, final: Any
) -> Any:
    """Go's evalFieldChain: every name but the last is a plain field access."""
    last = len(idents) - 1
    for i, name in enumerate(idents):
        if type(recv) is dict:
            if i == last and ((args is not None and len(args) > 1) or final is not NOFINAL):
                s.error(f"{name} is not a method but has arguments")
            v = recv.get(name, MISSING)
            if v is MISSING and s.missingkey != "default":
                v = _missing_key(s, name, IFACE)
            recv, iface = v, True
        elif (_PLAIN_STRUCT.get(type(recv)) or _plain_struct(type(recv))) and (
            i < last or ((args is None or len(args) <= 1) and final is NOFINAL)
        ):
            try:
                recv, iface = recv.go_field(name), False
            except AttributeError:
                s.error(f"can't evaluate field {name} in type {IFACE if iface else recv.go_type}")
        elif i == last:
            recv, iface = eval_field(s, dot, name, node, args, final, recv, iface)
        else:
            recv, iface = eval_field(s, dot, name, node, None, NOFINAL, recv, iface)
    s.last_iface = iface
    return recv


_PLAIN_STRUCT: dict[type, bool] = {}  # every receiver class seen, GoObject or not


def _plain_struct(cls: type) -> bool:
    """A GoObject class without methods and never nil: a field access is just go_field.

    Decided once per class from whether it overrides go_method/go_is_nil (the defaults say "no
    methods" and "not nil"), so the common view objects skip two hook calls per field.
    """
    plain = _PLAIN_STRUCT.get(cls)
    if plain is None:
        plain = _PLAIN_STRUCT[cls] = (
            issubclass(cls, GoObject) and cls.go_method is GoObject.go_method and cls.go_is_nil is GoObject.go_is_nil
        )
    return plain


def eval_field(
    s: State, dot: Any, name: str, node: N.Node, args: list[N.Node] | None, final: Any, recv: Any, iface: bool
) -> tuple[Any, bool]:
    """Go's evalField for anything but a plain map: (value, whether its static type is interface {})."""
    if recv is MISSING:
        if s.missingkey == "error":
            s.error(f"nil data; no entry for key {go_quote(name)}")
        return MISSING, False
    if recv is None:
        s.error(f"nil pointer evaluating interface {{}}.{name}")
    has_args = (args is not None and len(args) > 1) or final is not NOFINAL
    if isinstance(recv, GoObject):
        return _object_field(s, dot, name, node, args, final, recv, iface, has_args)
    if isinstance(recv, dict) and (not isinstance(recv, GoMap) or recv.key == "string"):
        if has_args:
            s.error(f"{name} is not a method but has arguments")
        elem = recv.elem if isinstance(recv, GoMap) else IFACE
        if name in recv:
            return recv[name], elem == IFACE
        return _missing_key(s, name, elem), elem == IFACE
    typ = IFACE if iface else type_name(recv)
    s.error(f"can't evaluate field {name} in type {typ}")


def _object_field(
    s: State,
    dot: Any,
    name: str,
    node: N.Node,
    args: list[N.Node] | None,
    final: Any,
    recv: GoObject,
    iface: bool,
    has_args: bool,
) -> tuple[Any, bool]:
    method = recv.go_method(name)
    if method is not None:
        return call_dynamic(s, dot, method, node, name, args, final), normalize_type(method.result) == IFACE
    if recv.go_is_nil():
        _nil_object_field(s, recv, name, iface)
    try:
        value = recv.go_field(name)
    except AttributeError:
        s.error(f"can't evaluate field {name} in type {IFACE if iface else recv.go_type}")
    if has_args:
        s.error(f"{name} has arguments but cannot be invoked as function")
    return value, False


def _nil_object_field(s: State, recv: GoObject, name: str, iface: bool) -> NoReturn:
    """A field of a nil pointer: Go names the nil only when the struct type has that field."""
    try:
        recv.go_field(name)
    except AttributeError:
        s.error(f"can't evaluate field {name} in type {IFACE if iface else recv.go_type}")
    except Exception:  # the view refuses to read through nil: the field exists
        pass
    s.error(f"nil pointer evaluating {recv.go_type}.{name}")


# --- argument conversion -------------------------------------------------------------------------

Validator = Callable[[State, Any], Any]


def _identity(s: State, v: Any) -> Any:
    return v


def _to_iface(s: State, v: Any) -> Any:
    return None if v is MISSING else v


_GO_TYPED = (GoObject, GoMap, GoSlice)  # type_name(v) is v.go_type for these (none is also a basic type)

# Go types whose only Python representation is one exact class: the validator's fast path.
_EXACT_TYPES: dict[str, type] = {
    "string": str,
    "int": int,
    "float64": float,
    "bool": bool,
    "[]interface {}": list,
    "map[string]interface {}": dict,
}


def validator(typ: str | None) -> Validator:
    """Go's validateType for one parameter type, specialised once per call site."""
    if typ is None or typ == RV:
        return _identity
    if typ == IFACE:
        return _to_iface
    nilable = can_be_nil(typ)
    zero = zero_value(typ)
    exact = _EXACT_TYPES.get(typ)

    def validate(s: State, v: Any) -> Any:
        if type(v) is exact:
            return v
        if v is MISSING:
            if nilable:
                return zero
            s.error(f"invalid value; expected {typ}")
        # Go-typed values (views, typed maps and slices) name their type: no type_name search.
        vt = v.go_type if isinstance(v, _GO_TYPED) else IFACE if v is None else type_name(v)
        if vt == typ or (typ in ("error", "fmt.Stringer") and isinstance(v, GoObject)):
            return v
        s.error(f"wrong type for value; expected {typ}; got {vt}")

    return validate


def _type_kind(typ: str) -> str:
    if typ == "bool" or typ == "string":
        return typ
    if typ in INT_TYPES:
        return "int"
    if typ in UINT_TYPES:
        return "uint"
    if typ in FLOAT_TYPES:
        return "float"
    if typ in ("complex128", "complex64"):
        return "complex"
    if typ in (IFACE, RV):
        return "iface"
    return "other"


def ideal_constant(n: N.NumberNode) -> tuple[Any, str | None]:
    """Go's idealConstant: the value an untyped number literal takes, or an error message."""
    text = n.text
    if n.is_complex:
        return n.complex128, None
    is_hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
    if n.is_float and not is_hex_int and text[0] != "'" and any(c in text for c in ".eEpP"):
        return float(n.float64), None
    if n.is_int:
        return int(n.int64), None
    if n.is_uint:
        return None, f"{text} overflows int"
    return MISSING, None


def _literal_value(n: N.Node, typ: str) -> tuple[Any, str | None]:
    """A literal argument converted to `typ` at compile time: (value, error message)."""
    kind = _type_kind(typ)
    if kind == "bool":
        return (n.true, None) if isinstance(n, N.BoolNode) else (None, f"expected bool; found {n}")
    if kind == "string":
        return (n.text, None) if isinstance(n, N.StringNode) else (None, f"expected string; found {n}")
    num = n if isinstance(n, N.NumberNode) else None
    if kind == "int":
        return (INT_TYPES[typ](num.int64), None) if num and num.is_int else (None, f"expected integer; found {n}")
    if kind == "uint":
        if num and num.is_uint:
            return UINT_TYPES[typ](num.uint64), None
        return None, f"expected unsigned integer; found {n}"
    if kind == "float":
        return (FLOAT_TYPES[typ](num.float64), None) if num and num.is_float else (None, f"expected float; found {n}")
    if kind == "complex":
        return (num.complex128, None) if num and num.is_complex else (None, f"expected complex; found {n}")
    if kind == "iface":
        if isinstance(n, N.BoolNode):
            return n.true, None
        if isinstance(n, N.StringNode):
            return n.text, None
        if num is not None:
            return ideal_constant(num)
    return None, f"can't handle {n} for arg of type {typ}"


# --- calls ----------------------------------------------------------------------------------------


def _params(fn: GoFunc) -> tuple[str, ...]:
    return tuple(normalize_type(p) for p in fn.params)


def _arity_error(fn: GoFunc, name: str, nargs: int, num_in: int) -> str | None:
    params = _params(fn)
    if fn.variadic:
        if num_in < len(params) - 1:
            return f"wrong number of args for {name}: want at least {len(params) - 1} got {nargs}"
        return None
    if num_in != len(params):
        return f"wrong number of args for {name}: want {len(params)} got {num_in}"
    return None


def _param_type(fn: GoFunc, i: int) -> str:
    params = _params(fn)
    if fn.variadic and i >= len(params) - 1:
        return params[-1]
    return params[i]


def _final_type(fn: GoFunc, num_in: int) -> str:
    params = _params(fn)
    if fn.variadic and num_in - 1 >= len(params) - 1:
        return params[-1]
    return params[num_in - 1] if fn.variadic else params[-1]


def call_dynamic(s: State, dot: Any, fn: GoFunc, node: N.Node, name: str, args: list[N.Node] | None, final: Any) -> Any:
    """Go's evalCall for a method found at run time (a GoObject's go_method)."""
    rest = list(args[1:]) if args else []
    num_in = len(rest) + (final is not NOFINAL)
    err = _arity_error(fn, name, len(rest), num_in)
    if err:
        s.error(err)
    argv = [s.compiler.cached_arg(a, _param_type(fn, i))(s, dot) for i, a in enumerate(rest)]
    if final is not NOFINAL:
        argv.append(validator(_final_type(fn, num_in))(s, final))
    try:
        s.budget.check_time()
        return fn.fn(*argv)
    except _PASS_THROUGH:
        raise
    except Exception as e:  # GoError or any Python error: Go's shape, never a traceback
        s.node = node
        s.error(f"error calling {name}: {e}")


# --- the compiler ----------------------------------------------------------------------------------


class Compiler:
    """Turns parse trees into closures for one function map and missingkey option."""

    def __init__(self, funcs: Mapping[str, GoFunc]) -> None:
        self.funcs = funcs
        self._arg_cache: dict[tuple[int, str], Arg] = {}

    def cached_arg(self, n: N.Node, typ: str) -> Arg:
        """compile_arg for arguments of methods, whose parameter types are known only at run time."""
        key = (id(n), typ)
        arg = self._arg_cache.get(key)
        if arg is None:
            arg = self._arg_cache[key] = self.compile_arg(n, typ)
        return arg

    # lists and control -------------------------------------------------------------------------

    def compile_list(self, lst: N.ListNode | None) -> Walker:
        walkers = [w for w in (self.compile_node(n) for n in (lst.nodes if lst else [])) if w is not None]
        texts = [n.text for n in (lst.nodes if lst else []) if isinstance(n, N.TextNode)]
        if len(walkers) == len(texts) == 1:
            text = texts[0]
            return lambda s, dot: s.w(text)
        if len(walkers) == 1:
            return walkers[0]
        if not walkers:
            return lambda s, dot: None
        seq = tuple(walkers)

        def run(s: State, dot: Any) -> None:
            for w in seq:
                w(s, dot)

        return run

    def deferred_lists(self, *lists: N.ListNode | None) -> list[Walker | None]:
        """Walkers for branch and loop bodies, each compiled when it first runs, then put in its
        slot of the returned list (callers read the slot on every run). Most of a template's
        branches are never taken in a run (the sidecar template's gateway, CNI, SPIRE, ...), so a
        run compiles a fraction of it; execution errors are raised at run time either way."""
        slots: list[Walker | None] = []
        for i, lst in enumerate(lists):
            slots.append(None if lst is None else self._deferred(lst, slots, i))
        return slots

    def _deferred(self, lst: N.ListNode, slots: list[Walker | None], i: int) -> Walker:
        def first_run(s: State, dot: Any) -> None:
            walker = slots[i]
            if walker is first_run:  # (a range's later iterations may still hold this one)
                walker = slots[i] = self.compile_list(lst)
            assert walker is not None
            walker(s, dot)

        return first_run

    def compile_node(self, n: N.Node) -> Walker | None:
        """One dispatch on the node's class (comments compile to nothing)."""
        build = _NODE_COMPILERS.get(type(n))
        return build(self, n) if build is not None else None

    def compile_text(self, n: N.TextNode) -> Walker:
        text = n.text
        return lambda s, dot: s.w(text)

    def compile_if(self, n: N.IfNode) -> Walker:
        return self.compile_if_with(n, False)

    def compile_with(self, n: N.WithNode) -> Walker:
        return self.compile_if_with(n, True)

    def compile_action(self, n: N.ActionNode) -> Walker:
        assert n.pipe is not None
        ev = self.compile_pipe(n.pipe)
        if n.pipe.decl:
            return lambda s, dot: ev(s, dot) and None

        def run(s: State, dot: Any) -> None:
            v = ev(s, dot)
            if type(v) is str:
                s.w(v)
                return
            s.node = n
            if v is MISSING:
                s.w("<no value>")
            elif isinstance(v, GoFunc):
                s.error(f"can't print {n} of type func")
            else:
                if isinstance(v, (dict, list, tuple)):
                    try:
                        charge_value(v)
                    except BudgetExceeded as e:
                        s.error(str(e))
                s.w(format_value(v))

        return run

    def compile_if_with(self, n: N.BranchNode, is_with: bool) -> Walker:
        assert n.pipe is not None
        ev = self.compile_pipe(n.pipe)
        bodies = self.deferred_lists(n.list, n.else_list)

        def run(s: State, dot: Any) -> None:
            mark = len(s.vars)
            try:
                v = ev(s, dot)
                if is_true(v):
                    body = bodies[0]
                    assert body is not None
                    if is_with:
                        saved, s.dot_iface = s.dot_iface, False
                        try:
                            body(s, v)
                        finally:
                            s.dot_iface = saved
                    else:
                        body(s, dot)
                else:
                    else_body = bodies[1]
                    if else_body is not None:
                        else_body(s, dot)
            finally:
                del s.vars[mark:]

        return run

    def compile_range(self, n: N.RangeNode) -> Walker:
        assert n.pipe is not None
        ev = self.compile_pipe(n.pipe)
        bodies = self.deferred_lists(n.list, n.else_list)
        ndecl = len(n.pipe.decl)

        def run(s: State, dot: Any) -> None:
            s.node = n
            vars_ = s.vars
            mark0 = len(vars_)
            try:
                val = ev(s, dot)
                if isinstance(val, (list, tuple, dict)) and len(val) > 0:
                    body = bodies[0]
                    assert body is not None
                    _range_loop(s, val, body, ndecl, len(vars_), n)
                    return
                if not isinstance(val, (list, tuple, dict)) and val is not MISSING:
                    s.error(f"range can't iterate over {format_value(val)}")
                else_body = bodies[1]
                if else_body is not None:
                    else_body(s, dot)
            finally:
                del vars_[mark0:]

        return run

    def compile_template(self, n: N.TemplateNode) -> Walker:
        name = n.name
        ev = self.compile_pipe(n.pipe) if n.pipe is not None else None

        def run(s: State, dot: Any) -> None:
            s.node = n
            tree = s.trees.get(name)
            if tree is None or tree.compiled is None:
                s.error(f"template {go_quote(name)} not defined")
            if s.depth >= MAX_DEPTH:
                s.error(f"exceeded maximum template depth ({GO_MAX_DEPTH})")
            s.step()
            new_dot = ev(s, dot) if ev is not None else MISSING
            saved = (s.tree, s.vars, s.dot_iface)
            s.tree, s.vars, s.dot_iface = tree, [["$", new_dot, False]], False
            s.depth += 1
            try:
                tree.compiled(s, new_dot)
            finally:
                s.tree, s.vars, s.dot_iface = saved
                s.depth -= 1

        return run

    # pipelines and commands ----------------------------------------------------------------------

    def compile_pipe(self, pipe: N.PipeNode) -> Arg:
        cmds = [self.compile_command(c, i > 0) for i, c in enumerate(pipe.cmds)]
        names = [v.ident[0] for v in pipe.decl]
        if len(cmds) == 1 and not names:
            only = cmds[0]

            def ev1(s: State, dot: Any) -> Any:
                s.node = pipe
                v = only(s, dot, NOFINAL)
                return MISSING if v is None else v

            return ev1
        is_assign = pipe.is_assign

        def ev(s: State, dot: Any) -> Any:
            s.node = pipe
            v = NOFINAL
            for c in cmds:
                v = c(s, dot, v)
                if v is None:
                    v = MISSING
            for name in names:
                if is_assign:
                    _set_var(s, name, v)
                else:
                    s.vars.append([name, v, False])
            return v

        return ev

    def compile_command(self, cmd: N.CommandNode, has_final: bool = False) -> Command:
        first = cmd.args[0]
        if isinstance(first, N.FieldNode):
            return self.compile_field(first, cmd.args)
        if isinstance(first, N.ChainNode):
            return self.compile_chain(first, cmd.args)
        if isinstance(first, N.IdentifierNode):
            return self.compile_call(first, cmd, cmd.args, has_final)
        if isinstance(first, N.VariableNode):
            return self.compile_variable(first, cmd.args)
        if isinstance(first, N.PipeNode):
            return self._paren_command(first, len(cmd.args))
        return self._literal_command(first, len(cmd.args))

    def _paren_command(self, pipe: N.PipeNode, nargs: int) -> Command:
        ev = self.compile_pipe(pipe)

        def c(s: State, dot: Any, final: Any = NOFINAL) -> Any:
            if nargs > 1 or final is not NOFINAL:
                s.error(f"can't give argument to non-function {pipe}")
            return ev(s, dot)

        return c

    def _literal_command(self, n: N.Node, nargs: int) -> Command:
        value, err = _command_literal(n)
        is_dot = isinstance(n, N.DotNode)

        def c(s: State, dot: Any, final: Any = NOFINAL) -> Any:
            s.node = n
            if nargs > 1 or final is not NOFINAL:
                s.error(f"can't give argument to non-function {n}")
            if err is not None:
                s.error(err)
            return dot if is_dot else value

        return c

    def compile_field(self, n: N.FieldNode, args: list[N.Node]) -> Command:
        idents = n.ident
        if len(idents) == 1 and len(args) == 1:
            name = idents[0]

            def c1(s: State, dot: Any, final: Any = NOFINAL) -> Any:
                s.node = n
                if final is NOFINAL:
                    cls = type(dot)
                    if cls is dict:
                        v = dot.get(name, MISSING)
                        if v is not MISSING or s.missingkey == "default":
                            return v
                    elif _PLAIN_STRUCT.get(cls):  # `.ObjectMeta` of the template data
                        try:
                            return dot.go_field(name)
                        except AttributeError:
                            pass  # field_chain words the error
                return field_chain(s, dot, dot, s.dot_iface, idents, n, args, final)

            return c1

        if len(args) > 1:

            def c(s: State, dot: Any, final: Any = NOFINAL) -> Any:
                s.node = n
                return field_chain(s, dot, dot, s.dot_iface, idents, n, args, final)

            return c
        steps = tuple(enumerate(idents))

        def chain(s: State, dot: Any, final: Any = NOFINAL) -> Any:
            """field_chain's common case inline (`.Values.global.proxy.image`: maps and plain
            structs, no arguments); anything else hands the rest of the chain to it."""
            s.node = n
            if final is not NOFINAL:
                return field_chain(s, dot, dot, s.dot_iface, idents, n, args, final)
            recv, iface = dot, s.dot_iface
            for i, name in steps:
                cls = type(recv)
                if cls is dict:
                    v = recv.get(name, MISSING)
                    if v is MISSING and s.missingkey != "default":
                        return field_chain(s, dot, recv, iface, idents[i:], n, args, final)
                    recv, iface = v, True
                elif _PLAIN_STRUCT.get(cls):
                    try:
                        recv, iface = recv.go_field(name), False
                    except AttributeError:
                        return field_chain(s, dot, recv, iface, idents[i:], n, args, final)
                else:
                    return field_chain(s, dot, recv, iface, idents[i:], n, args, final)
            s.last_iface = iface
            return recv

        return chain

    def compile_variable(self, n: N.VariableNode, args: list[N.Node]) -> Command:
        name, rest = n.ident[0], n.ident[1:]
        nargs = len(args)

        def c(s: State, dot: Any, final: Any = NOFINAL) -> Any:
            s.node = n
            entry = _lookup_var(s, name)
            if not rest:
                if nargs > 1 or final is not NOFINAL:
                    s.error(f"can't give argument to non-function {args[0]}")
                return entry[1]
            return field_chain(s, dot, entry[1], entry[2], rest, n, args, final)

        return c

    def compile_chain(self, n: N.ChainNode, args: list[N.Node]) -> Command:
        assert n.node is not None
        if isinstance(n.node, N.NilNode):

            def nil_chain(s: State, dot: Any, final: Any = NOFINAL) -> Any:
                s.node = n
                s.error(f"indirection through explicit nil in {n}")

            return nil_chain
        recv_arg = self.compile_arg(n.node, None)
        iface = isinstance(n.node, N.IdentifierNode) and self._result_is_iface(n.node.ident)
        fields = n.fields

        def c(s: State, dot: Any, final: Any = NOFINAL) -> Any:
            s.node = n
            recv = recv_arg(s, dot)
            return field_chain(s, dot, recv, iface, fields, n, args, final)

        return c

    def _result_is_iface(self, name: str) -> bool:
        fn = self.funcs.get(name)
        return fn is not None and normalize_type(fn.result) == IFACE

    def compile_call(
        self, ident: N.IdentifierNode, node: N.Node, args: list[N.Node] | None, has_final: bool = False
    ) -> Command:
        """Go's evalFunction + evalCall for a function named in the template.

        Whether a value is piped in is known when compiling (only later pipeline stages get one),
        so arity and parameter types are resolved once here.
        """
        name = ident.ident
        fn = self.funcs.get(name)
        if fn is None:
            return self._error_command(ident, f"{go_quote(name)} is not a defined function")
        rest = list(args[1:]) if args else []
        if fn is BUILTINS["and"] or fn is BUILTINS["or"]:
            return self._and_or(ident, name == "or", rest)
        num_in = len(rest) + has_final
        err = _arity_error(fn, name, len(rest), num_in)
        if err:
            return self._error_command(ident, err)
        arg_fns = tuple(self.compile_arg(a, _param_type(fn, i)) for i, a in enumerate(rest))
        if fn is BUILTINS["slice"]:
            arg_fns = arg_fns[:1] + tuple(self._slice_index(a) for a in rest[1:])
        final_validate = validator(_final_type(fn, num_in)) if has_final else _identity
        return _make_call(fn.fn, name, ident, node, arg_fns, final_validate)

    def _slice_index(self, n: N.Node) -> Arg:
        """Go's builtin slice does not unwrap interfaces in its indexes: a number read out of a
        `map[string]interface {}` is "type interface {}" there. Box such values for go_slice."""
        if isinstance(n, N.DotNode):
            return lambda s, dot: _at(s, n, IfaceBox(dot) if s.dot_iface else dot)
        if isinstance(n, N.FieldNode):
            idents = n.ident

            def field(s: State, dot: Any) -> Any:
                s.node = n
                v = field_chain(s, dot, dot, s.dot_iface, idents, n, [n], NOFINAL)
                return IfaceBox(v) if s.last_iface and v is not MISSING else v

            return field
        if isinstance(n, N.VariableNode):
            name, rest = n.ident[0], n.ident[1:]

            def var(s: State, dot: Any) -> Any:
                s.node = n
                entry = _lookup_var(s, name)
                if not rest:
                    return IfaceBox(entry[1]) if entry[2] else entry[1]
                v = field_chain(s, dot, entry[1], entry[2], rest, n, [n], NOFINAL)
                return IfaceBox(v) if s.last_iface and v is not MISSING else v

            return var
        return self.compile_arg(n, RV)

    def _error_command(self, n: N.Node, msg: str) -> Command:
        def c(s: State, dot: Any, final: Any = NOFINAL) -> Any:
            s.node = n
            s.error(msg)

        return c

    def _and_or(self, ident: N.IdentifierNode, is_or: bool, rest: list[N.Node]) -> Command:
        name = ident.ident
        arg_fns = [self.compile_arg(a, RV) for a in rest]

        def c(s: State, dot: Any, final: Any = NOFINAL) -> Any:
            s.node = ident
            if not rest and final is NOFINAL:
                s.error(f"wrong number of args for {name}: want at least 1 got 0")
            v: Any = MISSING
            for a in arg_fns:
                v = a(s, dot)
                if is_true(v) == is_or:
                    return v
            if final is not NOFINAL:
                v = final
            return v

        return c

    # arguments -----------------------------------------------------------------------------------

    def compile_arg(self, n: N.Node, typ: str | None) -> Arg:
        """Go's evalArg: evaluate `n` for a parameter of Go type `typ` (None: no conversion)."""
        validate = validator(typ)
        if isinstance(n, N.DotNode):
            return lambda s, dot: validate(s, _at(s, n, dot))
        if isinstance(n, N.NilNode):
            return self._nil_arg(n, typ)
        inner = self._inner_arg(n)
        if inner is not None:
            # Every inner evaluator starts with s.node = n, which is Go's s.at(n) here.
            if validate is _identity:
                return inner
            if validate is _to_iface:

                def iface_arg(s: State, dot: Any) -> Any:
                    v = inner(s, dot)
                    return None if v is MISSING else v

                return iface_arg
            return lambda s, dot: validate(s, inner(s, dot))
        value, err = _literal_value(n, typ or IFACE)

        def lit(s: State, dot: Any) -> Any:
            s.node = n
            if err is not None:
                s.error(err)
            return value

        return lit

    def _inner_arg(self, n: N.Node) -> Arg | None:
        """Non-literal arguments: command closures called without a piped value."""
        if isinstance(n, N.FieldNode):
            return self.compile_field(n, [n])
        if isinstance(n, N.VariableNode):
            return self.compile_variable(n, [n])
        if isinstance(n, N.PipeNode):
            return self.compile_pipe(n)
        if isinstance(n, N.IdentifierNode):
            return self.compile_call(n, n, None)
        if isinstance(n, N.ChainNode):
            return self.compile_chain(n, [n])
        return None

    def _nil_arg(self, n: N.Node, typ: str | None) -> Arg:
        if typ is not None and can_be_nil(typ):
            zero = zero_value(typ)
            return lambda s, dot: _at(s, n, zero)
        msg = f"cannot assign nil to {typ}"

        def bad(s: State, dot: Any) -> Any:
            s.node = n
            s.error(msg)

        return bad


_NODE_COMPILERS: dict[type, Callable[[Compiler, Any], Walker]] = {
    N.TextNode: Compiler.compile_text,
    N.ActionNode: Compiler.compile_action,
    N.IfNode: Compiler.compile_if,
    N.WithNode: Compiler.compile_with,
    N.RangeNode: Compiler.compile_range,
    N.TemplateNode: Compiler.compile_template,
    N.BreakNode: lambda c, n: _raise_break,
    N.ContinueNode: lambda c, n: _raise_continue,
}


def _at(s: State, n: N.Node, value: Any) -> Any:
    """Go's s.at(n), usable inside a lambda: marks the node, passes `value` through."""
    s.node = n
    return value


def _make_call(
    call: Callable[..., Any],
    name: str,
    ident: N.Node,
    node: N.Node,
    arg_fns: tuple[Arg, ...],
    final_validate: Validator,
) -> Command:
    """The call closure; specialised by argument count because this is the executor's hot path.
    Each call reads the budget's clock first (~0.1 µs): one call may take long on its own (a
    deepEqual of a million elements), so a loop of a few of them must not wait for the step
    counter's periodic read."""

    def fail(s: State, e: Exception) -> NoReturn:
        if isinstance(e, _PASS_THROUGH):
            raise e
        s.node = node  # GoError or any Python error: Go's shape, never a traceback
        s.error(f"error calling {name}: {e}")

    if len(arg_fns) == 1:
        a0 = arg_fns[0]

        def c1(s: State, dot: Any, final: Any = NOFINAL) -> Any:
            s.node = ident
            x0 = a0(s, dot)
            try:
                s.budget.check_time()
                if final is NOFINAL:
                    return call(x0)
                return call(x0, final_validate(s, final))
            except Exception as e:
                fail(s, e)

        return c1
    if len(arg_fns) == 2:
        a0, a1 = arg_fns

        def c2(s: State, dot: Any, final: Any = NOFINAL) -> Any:
            s.node = ident
            x0 = a0(s, dot)
            x1 = a1(s, dot)
            try:
                s.budget.check_time()
                if final is NOFINAL:
                    return call(x0, x1)
                return call(x0, x1, final_validate(s, final))
            except Exception as e:
                fail(s, e)

        return c2

    def c(s: State, dot: Any, final: Any = NOFINAL) -> Any:
        s.node = ident
        argv = [a(s, dot) for a in arg_fns]
        if final is not NOFINAL:
            argv.append(final_validate(s, final))
        try:
            s.budget.check_time()
            return call(*argv)
        except Exception as e:
            fail(s, e)

    return c


def _command_literal(n: N.Node) -> tuple[Any, str | None]:
    if isinstance(n, N.BoolNode):
        return n.true, None
    if isinstance(n, N.DotNode):
        return None, None
    if isinstance(n, N.NilNode):
        return None, "nil is not a command"
    if isinstance(n, N.NumberNode):
        return ideal_constant(n)
    if isinstance(n, N.StringNode):
        return n.text, None
    return None, f"can't evaluate command {go_quote(str(n))}"


def _lookup_var(s: State, name: str) -> list[Any]:
    vars_ = s.vars
    for i in range(len(vars_) - 1, -1, -1):
        if vars_[i][0] == name:
            return vars_[i]
    s.error(f"undefined variable: {name}")


def _set_var(s: State, name: str, value: Any) -> None:
    entry = _lookup_var(s, name)
    entry[1], entry[2] = value, False


def _range_loop(s: State, val: Any, body: Walker, ndecl: int, mark: int, node: N.RangeNode) -> None:
    vars_ = s.vars
    saved = s.dot_iface
    if isinstance(val, dict):
        iface = not isinstance(val, GoMap) or val.elem == IFACE
        items: Any = sorted_items(val)
    else:
        iface = not isinstance(val, GoSlice) or val.elem == IFACE
        items = enumerate(val)
    try:
        for key, elem in items:
            if ndecl:
                e = vars_[mark - 1]
                e[1], e[2] = elem, iface
                if ndecl > 1:
                    k = vars_[mark - 2]
                    k[1], k[2] = key, False
            s.dot_iface = iface
            try:
                s.budget.charge_steps(1)
            except BudgetExceeded as e:  # named at the range's pipeline, not where its body was last
                s.node = node.pipe
                s.error(str(e))
            try:
                body(s, elem)
            except _Continue:
                pass
            if len(vars_) > mark:
                del vars_[mark:]
    except _Break:
        pass
    finally:
        s.dot_iface = saved


def _raise_break(s: State, dot: Any) -> None:
    raise _Break


def _raise_continue(s: State, dot: Any) -> None:
    raise _Continue


def compile_trees(trees: dict[str, N.Tree], funcs: Mapping[str, GoFunc]) -> Compiler:
    compiler = Compiler(funcs)
    for tree in trees.values():
        tree.compiled = compiler.compile_list(tree.root)
    return compiler


_recursion_lock = threading.Lock()
_recursion_users = 0
_saved_limit = 0


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Raise Python's recursion limit while any template is parsed or run (nested {{template}}
    calls need about _FRAMES_PER_DEPTH frames each, deeply nested actions a few per level), and
    put it back when the last one finishes."""
    global _recursion_users, _saved_limit
    needed = MAX_DEPTH * _FRAMES_PER_DEPTH + 1000
    with _recursion_lock:
        if _recursion_users == 0:
            _saved_limit = sys.getrecursionlimit()
            if _saved_limit < needed:
                sys.setrecursionlimit(needed)
        _recursion_users += 1
    try:
        yield
    finally:
        with _recursion_lock:
            _recursion_users -= 1
            if _recursion_users == 0 and sys.getrecursionlimit() == needed:
                sys.setrecursionlimit(_saved_limit)


def execute(trees: dict[str, N.Tree], name: str, data: Any, missingkey: str, compiler: Compiler) -> str:
    """Run template `name` with `data` as dot, metered by a fresh start of the current budget
    (`budget.budget_scope`; the defaults outside any scope); ExecError on failure."""
    tree = trees[name]
    out: list[str] = []
    meter = (current_budget() or Budget()).start()

    def write(text: str) -> None:
        meter.output += len(text)
        if meter.output > meter.max_output:
            try:
                meter.charge_output(0)
            except BudgetExceeded as e:
                s.error(str(e))
        out.append(text)

    s = State(trees, tree, missingkey, write, compiler, meter)
    if data is None:
        data = MISSING  # reflect.ValueOf(nil) is Go's invalid value
    s.vars = [["$", data, False]]
    try:
        with deep_recursion(), budget_scope(meter):
            tree.compiled(s, data)
    except ExecError:
        raise
    except RecursionError:
        s.error(f"exceeded maximum template depth ({GO_MAX_DEPTH})")
    except BudgetExceeded as e:  # charged by a printer outside a function call
        s.error(str(e))
    except Exception as e:  # a failing GoObject hook (or an engine bug): still one line in Go's shape
        s.error(f"internal error: {type(e).__name__}: {e}")
    return "".join(out)
