"""Branch and loop bodies are compiled when they first run: same output, less work for branches
a run never takes."""

from __future__ import annotations

import pytest

from sidecarctl.gotemplate import exec as gexec
from sidecarctl.gotemplate import funcmap, parse

CASES = [
    ("{{if .on}}a{{else if .other}}b{{else}}c{{end}}", {"on": False, "other": True}, "b"),
    ("{{range $i, $x := .xs}}{{if $i}},{{end}}{{$x}}{{else}}none{{end}}", {"xs": [1, 2, 3]}, "1,2,3"),
    ("{{range .xs}}x{{else}}none{{end}}", {"xs": []}, "none"),
    ("{{with .m}}{{.k}}{{end}}", {"m": {"k": "v"}}, "v"),
    ("{{range .xs}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}", {"xs": [1, 2, 3]}, "1"),
]


@pytest.mark.parametrize("text,data,expected", CASES)
def test_output_is_unchanged(text: str, data: dict, expected: str) -> None:
    tmpl = parse(text, funcs=funcmap("sprig"))
    assert tmpl.execute(data) == expected
    assert tmpl.execute(data) == expected  # second run: the compiled bodies


def test_untaken_branches_are_never_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[int] = []
    original = gexec.Compiler.compile_list

    def counting(self: gexec.Compiler, lst: object) -> gexec.Walker:
        compiled.append(len(getattr(lst, "nodes", []) or []))
        return original(self, lst)  # type: ignore[arg-type]

    monkeypatch.setattr(gexec.Compiler, "compile_list", counting)
    tmpl = parse("{{if .on}}{{.a}}{{.b}}{{.c}}{{end}}root", funcs=funcmap("sprig"))
    assert tmpl.execute({"on": False}) == "root"
    assert compiled == [2]  # only the root list (the if, the text)
    assert tmpl.execute({"on": True, "a": 1, "b": 2, "c": 3}) == "123root"
    assert compiled == [2, 3]
