#!/usr/bin/env python3
"""Write sidecarctl/config/protoschema.py from istio/api's .proto files.

    python3 hack/gen_protoschema.py            # rewrite the table
    python3 hack/gen_protoschema.py --check    # exit 1 when the table is not what the inputs give

Inputs (pinned): hack/istio-api/<commit>/, the .proto files of istio.io/api at the version Istio
1.30.3's go.mod requires (see PROVENANCE.md there). The table holds every message and enum declared
in the files that mesh/v1alpha1/config.proto imports, directly or not, within istio/api (plus the
file itself): the mesh config, the proxy config and the networking types they use. google.protobuf
types stay names; config/proto.py implements them.

This is a reader of the proto language as istio/api writes it (messages, enums, nested types,
oneofs, maps, `repeated`/`optional`, options, reserved ranges), not a general protobuf compiler.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "hack" / "istio-api" / "2e43f07b30b6"
OUTPUT = ROOT / "sidecarctl" / "config" / "protoschema.py"
ROOT_FILE = "mesh/v1alpha1/config.proto"
SCALARS = {
    "double",
    "float",
    "int32",
    "int64",
    "uint32",
    "uint64",
    "sint32",
    "sint64",
    "fixed32",
    "fixed64",
    "sfixed32",
    "sfixed64",
    "bool",
    "string",
    "bytes",
}
_TOKEN = re.compile(r'\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"|[A-Za-z_][\w.]*|-?\d+|.', re.S)


class Field(NamedTuple):
    name: str
    json: str
    go: str
    number: int
    type: str | tuple[str, str, str]
    label: str  # '', 'repeated', 'optional', 'map'
    oneof: str | None


class Message(NamedTuple):
    full: str
    go_type: str
    fields: list[Field]
    scope: str  # where its field types are resolved from


class Enum(NamedTuple):
    full: str
    go_type: str
    values: dict[str, int]


def go_camel_case(s: str) -> str:
    """protoc-gen-go's GoCamelCase: `proxy_listen_port` -> ProxyListenPort, `A.B` -> A_B."""
    out: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "." and i + 1 < len(s) and s[i + 1].islower():
            pass
        elif c == ".":
            out.append("_")
        elif c == "_" and (i == 0 or s[i - 1] == "."):
            out.append("X")
        elif c == "_" and i + 1 < len(s) and s[i + 1].islower():
            pass
        elif c.isdigit():
            out.append(c)
        else:
            out.append(c.upper() if c.islower() else c)
            while i + 1 < len(s) and s[i + 1].islower():
                i += 1
                out.append(s[i])
        i += 1
    return "".join(out)


def json_name(name: str) -> str:
    """protoc's default JSON name: underscores dropped, the letter after one upper-cased."""
    out, upper = [], False
    for c in name:
        if c == "_":
            upper = True
        else:
            out.append(c.upper() if upper else c)
            upper = False
    return "".join(out)


class _Tokens:
    def __init__(self, text: str) -> None:
        self.items = [t for t in _TOKEN.findall(text) if t.strip() and not t.startswith(("//", "/*"))]
        self.i = 0

    def peek(self) -> str:
        return self.items[self.i] if self.i < len(self.items) else ""

    def next(self) -> str:
        token = self.peek()
        self.i += 1
        return token

    def expect(self, token: str) -> None:
        got = self.next()
        if got != token:
            raise SyntaxError(f"expected {token!r}, got {got!r} (token {self.i})")

    def skip_statement(self) -> None:
        """To the `;` ending this statement, over any bracketed option values."""
        depth = 0
        while True:
            token = self.next()
            if token in ("{", "["):
                depth += 1
            elif token in ("}", "]"):
                depth -= 1
            elif token == ";" and depth == 0:
                return


class ProtoFile(NamedTuple):
    package: str
    go_package: str
    imports: list[str]
    messages: list[Message]
    enums: list[Enum]


def parse_file(text: str) -> ProtoFile:
    tokens = _Tokens(text)
    package, go_package, imports = "", "", []
    messages: list[Message] = []
    enums: list[Enum] = []
    while tokens.peek():
        token = tokens.next()
        if token == "package":
            package = tokens.next()
            tokens.expect(";")
        elif token == "import":
            path = tokens.next()
            if path in ("public", "weak"):
                path = tokens.next()
            imports.append(path.strip('"'))
            tokens.expect(";")
        elif token == "option":
            name = tokens.next()
            tokens.expect("=")
            value = tokens.next()
            tokens.expect(";")
            if name == "go_package":
                go_package = value.strip('"').split(";")[0].rsplit("/", 1)[-1]
        elif token == "message":
            _message(tokens, package, "", go_package, messages, enums)
        elif token == "enum":
            enums.append(_enum(tokens, package, "", go_package))
        elif token == ";":
            continue
        else:
            tokens.i -= 1
            tokens.skip_statement()
    return ProtoFile(package, go_package, imports, messages, enums)


def _message(
    tokens: _Tokens, package: str, outer: str, go_package: str, messages: list[Message], enums: list[Enum]
) -> None:
    name = tokens.next()
    local = f"{outer}.{name}" if outer else name
    full = f"{package}.{local}"
    fields: list[Field] = []
    message = Message(full, f"{go_package}.{go_camel_case(local)}", fields, full)
    messages.append(message)
    tokens.expect("{")
    oneof: str | None = None
    while True:
        token = tokens.next()
        if token == "}":
            if oneof is None:
                return
            oneof = None
        elif token == "message":
            _message(tokens, package, local, go_package, messages, enums)
        elif token == "enum":
            enums.append(_enum(tokens, package, local, go_package))
        elif token == "oneof":
            oneof = tokens.next()
            tokens.expect("{")
        elif token in ("option", "reserved", "extensions", ";"):
            if token != ";":
                tokens.skip_statement()
        else:
            fields.append(_field(tokens, token, oneof))


def _field(tokens: _Tokens, first: str, oneof: str | None) -> Field:
    label, kind = "", first
    if first in ("repeated", "optional"):
        label, kind = first, tokens.next()
    typ: str | tuple[str, str, str] = kind
    if kind == "map":
        tokens.expect("<")
        key = tokens.next()
        tokens.expect(",")
        value = tokens.next()
        tokens.expect(">")
        typ, label = ("map", key, value), "map"
    name = tokens.next()
    tokens.expect("=")
    number = int(tokens.next())
    json = json_name(name)
    if tokens.peek() == "[":
        options = []
        while (token := tokens.next()) != "]":
            options.append(token)
        text = " ".join(options)
        found = re.search(r'json_name = ("(?:[^"\\]|\\.)*")', text)
        if found:
            json = found.group(1).strip('"')
    tokens.expect(";")
    return Field(name, json, go_camel_case(name), number, typ, label, oneof)


def _enum(tokens: _Tokens, package: str, outer: str, go_package: str) -> Enum:
    name = tokens.next()
    local = f"{outer}.{name}" if outer else name
    values: dict[str, int] = {}
    tokens.expect("{")
    while (token := tokens.next()) != "}":
        if token in ("option", "reserved"):
            tokens.skip_statement()
            continue
        if token == ";":
            continue
        tokens.expect("=")
        values[token] = int(tokens.next())
        if tokens.peek() == "[":
            tokens.skip_statement()
        else:
            tokens.expect(";")
    return Enum(f"{package}.{local}", f"{go_package}.{go_camel_case(local)}", values)


def load(inputs: Path = INPUTS) -> tuple[list[Message], list[Enum]]:
    """Every message and enum of the root file and the istio/api files it imports."""
    files: dict[str, ProtoFile] = {}
    pending = [ROOT_FILE]
    while pending:
        path = pending.pop()
        if path in files or not (inputs / path).is_file():
            continue  # google/... are not istio/api's: their types stay names
        files[path] = parse_file((inputs / path).read_text(encoding="utf-8"))
        pending += files[path].imports
    messages = [m for f in files.values() for m in f.messages]
    enums = [e for f in files.values() for e in f.enums]
    known = {m.full for m in messages} | {e.full for e in enums}
    return [m._replace(fields=[_resolved(f, m.scope, known) for f in m.fields]) for m in messages], enums


def _resolved(field: Field, scope: str, known: set[str]) -> Field:
    if isinstance(field.type, tuple):
        return field._replace(type=("map", field.type[1], _resolve(field.type[2], scope, known)))
    return field._replace(type=_resolve(field.type, scope, known))


def _resolve(name: str, scope: str, known: set[str]) -> str:
    """Protobuf's scoping: the innermost enclosing scope that declares the name wins."""
    if name in SCALARS:
        return name
    if name.startswith("."):
        return name[1:]
    parts = scope.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end] + [name])
        if candidate in known:
            return candidate
    return name  # a fully qualified name from outside istio/api (google.protobuf.Duration)


def _field_line(f: Field) -> str:
    return f"        {tuple(f)!r},"


def render(messages: list[Message], enums: list[Enum]) -> str:
    out = [HEADER]
    out.append("MESSAGES: dict[str, tuple[str, tuple[tuple[Any, ...], ...]]] = {")
    for m in sorted(messages, key=lambda m: m.full):
        out.append(f"    {m.full!r}: ({m.go_type!r}, (")
        out += [_field_line(f) for f in m.fields]
        out.append("    )),")
    out.append("}")
    out.append("")
    out.append("ENUMS: dict[str, tuple[str, dict[str, int]]] = {")
    for e in sorted(enums, key=lambda e: e.full):
        values = ", ".join(f"{k!r}: {v}" for k, v in e.values.items())
        out.append(f"    {e.full!r}: ({e.go_type!r}, {{{values}}}),")
    out.append("}")
    return "\n".join(out) + "\n"


HEADER = '''"""istio/api's mesh config messages (istio.mesh.v1alpha1 and the types they use) as data.

Generated by hack/gen_protoschema.py from the .proto files pinned in hack/istio-api/ (istio.io/api at
the version Istio 1.30.3 requires); do not edit: change the generator or its inputs and run it.

MESSAGES: full name -> (Go type, fields); one field a line, in declaration order:
(proto name, JSON name, Go name, number, type, label ('', 'repeated', 'optional', 'map'), oneof or None);
a map's type is ('map', key type, value type).
ENUMS: full name -> (Go type, {value name: number}).
"""

from __future__ import annotations

from typing import Any

# fmt: off
'''


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the table instead of writing it")
    args = ap.parse_args(argv)
    text = render(*load())
    if args.check:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(
                f"{OUTPUT.relative_to(ROOT)} is not what {INPUTS.relative_to(ROOT)} gives: "
                "run python3 hack/gen_protoschema.py",
                file=sys.stderr,
            )
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
