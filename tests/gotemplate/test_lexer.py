"""Lexer: token streams for the shapes Go's lexer distinguishes, errors included."""

from __future__ import annotations

import pytest

from sidecarctl.gotemplate import lexer as L


def kinds(text: str) -> list[tuple[int, str]]:
    return [(t.typ, t.val) for t in L.lex(text) if t.typ not in (L.SPACE,)]


@pytest.mark.parametrize(
    "text, want",
    [
        pytest.param("abc", [(L.TEXT, "abc"), (L.EOF, "")], id="text"),
        pytest.param(
            "a {{- 1 -}} b",
            [(L.TEXT, "a"), (L.LEFT_DELIM, "{{"), (L.NUMBER, "1"), (L.RIGHT_DELIM, "}}"), (L.TEXT, "b"), (L.EOF, "")],
            id="trim-both",
        ),
        pytest.param(
            "{{-3}}",
            [(L.LEFT_DELIM, "{{"), (L.NUMBER, "-3"), (L.RIGHT_DELIM, "}}"), (L.EOF, "")],
            id="minus-number-not-trim",
        ),
        pytest.param("{{/* c */}}x", [(L.TEXT, "x"), (L.EOF, "")], id="comment-dropped"),
        pytest.param(
            "{{ .a.b $x $ . }}",
            [
                (L.LEFT_DELIM, "{{"),
                (L.FIELD, ".a"),
                (L.FIELD, ".b"),
                (L.VARIABLE, "$x"),
                (L.VARIABLE, "$"),
                (L.DOT, "."),
                (L.RIGHT_DELIM, "}}"),
                (L.EOF, ""),
            ],
            id="fields-variables-dot",
        ),
        pytest.param(
            "{{ if else end range with define template block nil true }}",
            [
                (L.LEFT_DELIM, "{{"),
                (L.IF, "if"),
                (L.ELSE, "else"),
                (L.END, "end"),
                (L.RANGE, "range"),
                (L.WITH, "with"),
                (L.DEFINE, "define"),
                (L.TEMPLATE, "template"),
                (L.BLOCK, "block"),
                (L.NIL, "nil"),
                (L.BOOL, "true"),
                (L.RIGHT_DELIM, "}}"),
                (L.EOF, ""),
            ],
            id="keywords",
        ),
        pytest.param(
            '{{ "a\\"b" `r` \'c\' }}',
            [
                (L.LEFT_DELIM, "{{"),
                (L.STRING, '"a\\"b"'),
                (L.RAW_STRING, "`r`"),
                (L.CHAR_CONSTANT, "'c'"),
                (L.RIGHT_DELIM, "}}"),
                (L.EOF, ""),
            ],
            id="quotes",
        ),
        pytest.param(
            "{{ 0x1F 1e3 1_000 0b1 1+2i }}",
            [
                (L.LEFT_DELIM, "{{"),
                (L.NUMBER, "0x1F"),
                (L.NUMBER, "1e3"),
                (L.NUMBER, "1_000"),
                (L.NUMBER, "0b1"),
                (L.COMPLEX, "1+2i"),
                (L.RIGHT_DELIM, "}}"),
                (L.EOF, ""),
            ],
            id="numbers",
        ),
        pytest.param(
            "{{ $x := 1 | f }}",
            [
                (L.LEFT_DELIM, "{{"),
                (L.VARIABLE, "$x"),
                (L.DECLARE, ":="),
                (L.NUMBER, "1"),
                (L.PIPE, "|"),
                (L.IDENTIFIER, "f"),
                (L.RIGHT_DELIM, "}}"),
                (L.EOF, ""),
            ],
            id="declare-pipe",
        ),
        pytest.param("{{", [(L.LEFT_DELIM, "{{"), (L.ERROR, "unclosed action")], id="err-unclosed"),
        pytest.param("{{ 12abc }}", [(L.LEFT_DELIM, "{{"), (L.ERROR, 'bad number syntax: "12a"')], id="err-number"),
        pytest.param('{{ "x }}', [(L.LEFT_DELIM, "{{"), (L.ERROR, "unterminated quoted string")], id="err-quote"),
        pytest.param("{{ `x }}", [(L.LEFT_DELIM, "{{"), (L.ERROR, "unterminated raw quoted string")], id="err-raw"),
        pytest.param("{{/* x }}", [(L.ERROR, "unclosed comment")], id="err-comment"),
        pytest.param(
            "{{ (1 }}",
            [(L.LEFT_DELIM, "{{"), (L.LEFT_PAREN, "("), (L.NUMBER, "1"), (L.ERROR, "unclosed left paren")],
            id="err-paren",
        ),
    ],
)
def test_tokens(text: str, want: list[tuple[int, str]]) -> None:
    assert kinds(text) == want


def test_positions_and_lines() -> None:
    toks = L.lex("a\n{{ .x }}")
    field = next(t for t in toks if t.typ == L.FIELD)
    assert (field.pos, field.line) == (5, 2)
