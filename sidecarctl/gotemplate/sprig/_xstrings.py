"""huandu/xstrings 1.3.3 case conversions (snakecase, kebabcase, camelcase) and shuffle."""

from __future__ import annotations

import unicodedata

from sidecarctl.gotemplate import budget

from ._util import is_space

_INVALID, _NUMBER, _UPPER, _ALPHA, _CONNECTOR, _PUNCT, _OTHER = range(7)


def _cat(r: str) -> str:
    return unicodedata.category(r)


def _is_invalid(r: str) -> bool:
    # Surrogate escapes stand for invalid UTF-8 bytes; Go decodes those and U+FFFD alike.
    return r == "\ufffd" or 0xD800 <= ord(r) <= 0xDFFF


def is_letter(r: str) -> bool:
    return _cat(r).startswith("L")


def is_upper(r: str) -> bool:
    return _cat(r) == "Lu"


def is_lower(r: str) -> bool:
    return _cat(r) == "Ll"


def is_title(r: str) -> bool:
    return _cat(r) == "Lt"


def is_number(r: str) -> bool:
    return _cat(r).startswith("N")


def is_punct(r: str) -> bool:
    return _cat(r).startswith("P")


def is_connector(r: str) -> bool:
    return r in "-_" or is_space(r)


def is_alphabet(r: str) -> bool:
    """A letter that is not a CJK ideograph."""
    if not is_letter(r):
        return False
    c = ord(r)
    if c < 0x3400:
        return True
    return not (0x4E00 <= c <= 0x9FCC or 0x3400 <= c <= 0x4D85 or 0x20000 <= c <= 0x2B81D)


def _next_valid(s: str, i: int, prev: str) -> tuple[str, int]:
    """The next valid rune at or after i and the index just past it (prev if none is valid)."""
    while i < len(s):
        r = s[i]
        i += 1
        if not _is_invalid(r):
            return r, i
    return prev, i


def _next_word(s: str, start: int) -> tuple[int, str, int]:
    """The word of `s` starting at `start`: its type, its text and the index just past it.
    Offsets, not the rest as a new string: slicing the rest for every word made snakecase and
    kebabcase quadratic (800,000 characters: minutes)."""
    if start >= len(s):
        return _INVALID, "", start
    r, off = _next_valid(s, start, "\ufffd")
    if r == "\ufffd":
        return _INVALID, s[start:off], off

    def run(pred: object, begin: int, r0: str) -> int:
        end = begin
        cur = r0
        while end < len(s):
            cur, nxt = _next_valid(s, end, cur)
            if not pred(cur):  # type: ignore[operator]
                break
            end = nxt
        return end

    if is_connector(r):
        end = run(is_connector, off, r)
        return _CONNECTOR, s[start:end], end
    if is_punct(r):
        end = run(is_punct, off, r)
        return _PUNCT, s[start:end], end
    if is_upper(r):
        return _upper_word(s, r, start, off)
    if is_alphabet(r):
        end = run(lambda c: is_alphabet(c) and not is_upper(c), off, r)
        return _ALPHA, s[start:end], end
    if is_number(r):
        end = run(is_number, off, r)
        return _NUMBER, s[start:end], end
    end = off
    cur = r
    while end < len(s):
        cur, nxt = _next_valid(s, end, cur)
        if nxt == end or is_connector(cur) or is_alphabet(cur) or is_number(cur) or is_punct(cur):
            break
        end = nxt
    return _OTHER, s[start:end], end


def _upper_word(s: str, r: str, start: int, off: int) -> tuple[int, str, int]:
    if off >= len(s):
        return _UPPER, s[start:], len(s)
    r, nxt = _next_valid(s, off, r)
    if is_upper(r):
        prev_size = nxt - off
        off = nxt
        while off < len(s):
            r, nxt = _next_valid(s, off, r)
            if not is_upper(r):
                break
            prev_size = nxt - off
            off = nxt
        # "HTTPStatus" splits as "HTTP" + "Status": the last capital starts the next word.
        if off < len(s) and is_alphabet(r):
            off -= prev_size
        return _UPPER, s[start:off], off
    if is_alphabet(r):
        off = nxt
        while off < len(s):
            r, nxt = _next_valid(s, off, r)
            if not is_alphabet(r) or is_upper(r):
                break
            off = nxt
    return _UPPER, s[start:off], off


def _lower_into(buf: list[str], wt: int, word: str, connector: str) -> None:
    if wt not in (_UPPER, _CONNECTOR):
        buf.append(word)
        return
    for r in word:
        if is_connector(r):
            buf.append(connector)
        elif is_upper(r):
            buf.append(_to_lower_rune(r))
        else:
            buf.append(r)


def camel_to_lower(s: str, connector: str) -> str:
    """xstrings' camelCaseToLowerCase, shared by ToSnakeCase and ToKebabCase."""
    if not s:
        return ""
    n = len(s)
    buf: list[str] = []
    wt, word, pos = _next_word(s, 0)
    while pos < n:
        budget.check_time()  # ~3 µs a rune: the longest string the step limit allows takes seconds
        if wt != _CONNECTOR:
            _lower_into(buf, wt, word, connector)
        prev, last = wt, word
        wt, word, pos = _next_word(s, pos)
        if prev == _NUMBER:
            while wt in (_ALPHA, _NUMBER):
                _lower_into(buf, wt, word, connector)
                wt, word, pos = _next_word(s, pos)
            if wt not in (_INVALID, _PUNCT, _CONNECTOR):
                buf.append(connector)
        elif prev == _CONNECTOR:
            _lower_into(buf, prev, last, connector)
        elif prev == _PUNCT:
            pass
        else:
            wt, word, pos = _after_word(buf, wt, word, s, pos, connector)
    _lower_into(buf, wt, word, connector)
    return "".join(buf)


def _after_word(buf: list[str], wt: int, word: str, s: str, pos: int, connector: str) -> tuple[int, str, int]:
    if wt != _NUMBER:
        if wt not in (_CONNECTOR, _PUNCT):
            buf.append(connector)
        return wt, word, pos
    if pos >= len(s):
        return wt, word, pos
    last = word
    wt, word, pos = _next_word(s, pos)
    # A number followed by a non-letter belongs to the previous word ("Bld4Floor" -> "bld4_floor").
    if wt != _ALPHA:
        _lower_into(buf, _NUMBER, last, connector)
        if wt not in (_CONNECTOR, _PUNCT):
            buf.append(connector)
        return wt, word, pos
    # Lower-case letters after a number start a new word with it ("HTTP2xx" -> "http_2xx").
    buf.append(connector)
    _lower_into(buf, _NUMBER, last, connector)
    while wt in (_ALPHA, _NUMBER):
        _lower_into(buf, wt, word, connector)
        wt, word, pos = _next_word(s, pos)
    if wt not in (_INVALID, _CONNECTOR, _PUNCT):
        buf.append(connector)
    return wt, word, pos


def _to_upper_rune(r: str) -> str:
    u = r.upper()
    return u if len(u) == 1 else r


def _to_lower_rune(r: str) -> str:
    low = r.lower()
    return low if len(low) == 1 else ("i" if r == "\u0130" else r)


def to_camel_case(s: str) -> str:
    """xstrings.ToCamelCase: connectors are dropped and the rune after each is upper-cased."""
    if not s:
        return ""
    buf: list[str] = []
    i = 0
    r0 = ""
    while i < len(s):
        r0 = s[i]
        i += 1
        if not is_connector(r0):
            r0 = _to_upper_rune(r0)
            break
        buf.append(r0)
    if i >= len(s):
        buf.append(r0)  # Go writes the last rune again even when it was a connector
        return "".join(buf)
    while i < len(s):
        if not i & 4095:
            budget.check_time()  # ~1 µs a rune
        r1 = r0
        r0 = s[i]
        i += 1
        if is_connector(r0) and is_connector(r1):
            buf.append(r1)
            continue
        if is_connector(r1):
            r0 = _to_upper_rune(r0)
        else:
            r0 = _to_lower_rune(r0)
            buf.append(r1)
    buf.append(r0)
    return "".join(buf)


def shuffle(s: str) -> str:
    """xstrings.Shuffle: a random permutation of the runes."""
    runes = list(s)
    import random  # only here: most runs never shuffle

    random.shuffle(runes)
    return "".join(runes)
