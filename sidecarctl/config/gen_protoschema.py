"""Developer tool: regenerate `protoschema.py` from istio/api's .proto files.

Run: python -m sidecarctl.config.gen_protoschema /work/.mirror/istio+api/repo <commit> > sidecarctl/config/protoschema.py
Only message/field/enum declarations are extracted (names, numbers, types, oneofs); the
runtime in `proto.py` gives them protobuf-JSON semantics. Not imported at runtime.
"""

from __future__ import annotations

import pprint
import re
import subprocess
import sys

ROOTS = ["mesh/v1alpha1/config.proto"]
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[A-Za-z_][\w.]*|\d+|[{}\[\]()<>=;,.-]')


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def _json_name(name: str) -> str:
    out, up = [], False
    for ch in name:
        if ch == "_":
            up = True
        else:
            out.append(ch.upper() if up else ch)
            up = False
    return "".join(out)


def _go_camel(name: str) -> str:
    parts = name.split("_")
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


class Parser:
    def __init__(self, tokens: list[str], package: str) -> None:
        self.t, self.i, self.pkg = tokens, 0, package
        self.messages: dict[str, dict] = {}
        self.enums: dict[str, dict] = {}

    def peek(self) -> str:
        return self.t[self.i]

    def take(self) -> str:
        self.i += 1
        return self.t[self.i - 1]

    def skip_statement(self) -> None:
        depth = 0
        while True:
            tok = self.take()
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if depth == 0:
                    return
            elif tok == ";" and depth == 0:
                return

    def parse_file(self) -> None:
        while self.i < len(self.t):
            tok = self.peek()
            if tok == "message":
                self.parse_message(self.pkg, "")
            elif tok == "enum":
                self.parse_enum(self.pkg, "")
            else:
                self.skip_statement()

    def parse_enum(self, scope: str, goprefix: str) -> None:
        self.take()
        name = self.take()
        self.take()  # {
        values: dict[str, int] = {}
        while self.peek() != "}":
            tok = self.take()
            if tok in ("option", "reserved"):
                self.i -= 1
                self.skip_statement()
                continue
            self.take()  # =
            neg = self.peek() == "-"
            if neg:
                self.take()
            num = int(self.take()) * (-1 if neg else 1)
            if self.peek() == "[":
                while self.take() != "]":
                    pass
            self.take()  # ;
            values[tok] = num
        self.take()
        self.enums[f"{scope}.{name}"] = {"go": goprefix + name, "values": values}

    def parse_message(self, scope: str, goprefix: str) -> None:
        self.take()
        name = self.take()
        full, go = f"{scope}.{name}", goprefix + name
        self.take()  # {
        fields: list[dict] = []
        self.messages[full] = {"go": go, "fields": fields}
        self._body(full, go + "_", fields, None)

    def _body(self, full: str, goprefix: str, fields: list[dict], oneof: str | None) -> None:
        while self.peek() != "}":
            tok = self.peek()
            if tok == "message":
                self.parse_message(full, goprefix)
            elif tok == "enum":
                self.parse_enum(full, goprefix)
            elif tok in ("option", "reserved", "extensions"):
                self.skip_statement()
            elif tok == "oneof":
                self.take()
                oname = self.take()
                self.take()
                self._body(full, goprefix, fields, oname)
            else:
                fields.append(self.parse_field(full, oneof))
        self.take()

    def parse_field(self, scope: str, oneof: str | None) -> dict:
        label = ""
        if self.peek() in ("repeated", "optional"):
            label = self.take()
        if self.peek() == "map":
            self.take()
            self.take()  # <
            key = self.take()
            self.take()  # ,
            val = self.take()
            self.take()  # >
            ftype, label = ["map", key, val], "map"
        else:
            ftype = self.take()
        name = self.take()
        self.take()  # =
        number = int(self.take())
        json_name = _json_name(name)
        if self.peek() == "[":
            opts = []
            while (tok := self.take()) != "]":
                opts.append(tok)
            for k, tok in enumerate(opts):
                if tok == "json_name":
                    json_name = opts[k + 2].strip('"')
        self.take()  # ;
        return {"name": name, "json": json_name, "go": _go_camel(name), "num": number,
                "type": ftype, "label": label, "oneof": oneof, "scope": scope}


def _resolve(ref: str, scope: str, known: set[str]) -> str:
    if ref.startswith("."):
        return ref[1:]
    parts = scope.split(".")
    while parts:
        cand = ".".join(parts) + "." + ref
        if cand in known:
            return cand
        parts.pop()
    return ref


SCALARS = {"string", "bool", "int32", "int64", "uint32", "uint64", "double", "float", "bytes",
           "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64"}


def main(repo: str, commit: str) -> None:
    seen: set[str] = set()
    todo = list(ROOTS)
    messages: dict[str, dict] = {}
    enums: dict[str, dict] = {}
    while todo:
        path = todo.pop()
        if path in seen or path.startswith("google/"):
            continue
        seen.add(path)
        text = subprocess.run(["git", "-C", repo, "show", f"{commit}:{path}"], capture_output=True,
                              text=True, check=True).stdout
        text = _strip_comments(text)
        todo += re.findall(r'^import\s+"([^"]+)"', text, flags=re.M)
        pkg = re.search(r"^package\s+([\w.]+)\s*;", text, flags=re.M).group(1)
        p = Parser(_TOKEN.findall(text), pkg)
        p.parse_file()
        gopkg = pkg.rsplit(".", 1)[-1]
        for k, v in p.messages.items():
            v["go"] = f"{gopkg}.{v['go']}"
            messages[k] = v
        for k, v in p.enums.items():
            v["go"] = f"{gopkg}.{v['go']}"
            enums[k] = v
    known = set(messages) | set(enums)
    out_msgs: dict[str, tuple] = {}
    for full, m in sorted(messages.items()):
        fields = []
        for f in m["fields"]:
            t = f["type"]
            if isinstance(t, list):
                val = t[2] if t[2] in SCALARS else _resolve(t[2], f["scope"], known)
                t = ("map", t[1], val)
            elif t not in SCALARS:
                t = _resolve(t, f["scope"], known)
                if t.startswith("google.protobuf.") is False and t not in known:
                    t = "google.protobuf." + t if "." not in t else t
            fields.append((f["name"], f["json"], f["go"], f["num"], t, f["label"], f["oneof"]))
        out_msgs[full] = (m["go"], tuple(fields))
    out_enums = {k: (v["go"], v["values"]) for k, v in sorted(enums.items())}
    print('"""Generated by gen_protoschema.py from istio/api (do not edit).\n\n'
          "MESSAGES: full name -> (Go type, fields); field = (proto name, JSON name, Go name, number,\n"
          "type, label ('', 'repeated', 'optional', 'map'), oneof name or None).\n"
          'ENUMS: full name -> (Go type, {value name: number}).\n"""\n')
    print("# fmt: off")
    print("MESSAGES = " + pprint.pformat(out_msgs, width=120, sort_dicts=True))
    print()
    print("ENUMS = " + pprint.pformat(out_enums, width=120, sort_dicts=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
