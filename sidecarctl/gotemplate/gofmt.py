"""Go's fmt over the gotypes value model: Sprint, Sprintln and Sprintf.

Public: `sprint(args)`, `sprintln(args)`, `sprintf(format, args)` (args are lists of Python values
as the gotypes module describes them). The numbers and quotes fmt prints come from
sidecarctl.golang.strconv.
"""

from __future__ import annotations

from typing import Any

from sidecarctl.golang.strconv import can_backquote, format_float, is_print, quote, quote_rune
from sidecarctl.gotemplate.budget import charge_output
from sidecarctl.gotemplate.gotypes import (
    MISSING,
    Float32,
    GoFunc,
    GoObject,
    GoSizedInt,
    GoSlice,
    sorted_items,
    type_name,
)

# --- value classification ----------------------------------------------------------------------


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _unsigned(v: Any) -> bool:
    return isinstance(v, GoSizedInt) and not v.signed


class _Printer:
    """One fmt call: the output buffer and the flags of the verb being formatted."""

    def __init__(self, template_print: bool = False) -> None:
        self.buf: list[str] = []
        # The executor prints `{{ .ptr }}` after dereferencing it (Go's printableValue): no `&`.
        self.template_print = template_print
        self.clear_flags()

    def clear_flags(self) -> None:
        self.wid: int | None = None
        self.prec: int | None = None
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False

    # padding ----------------------------------------------------------------------------------

    def pad(self, s: str) -> None:
        if not self.wid:
            self.buf.append(s)
            return
        width = self.wid - len(s)
        if width <= 0:
            self.buf.append(s)
        elif self.minus:
            self.buf.append(s + " " * width)
        else:
            self.buf.append(("0" if self.zero else " ") * width + s)

    # entry points ------------------------------------------------------------------------------

    def print_arg(self, arg: Any, verb: str) -> None:
        if arg is None or arg is MISSING:
            if verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb, arg)
            return
        if verb == "T":
            self.fmt_s(type_name(arg))
            return
        if verb == "p" or verb == "w":  # no pointers here; Sprintf does not wrap errors
            self.bad_verb(verb, arg)
            return
        self.print_value(arg, verb, 0)

    def print_value(self, v: Any, verb: str, depth: int) -> None:
        if v is None or v is MISSING:  # fmt writes these without padding
            if depth == 0:
                self.buf.append("<invalid reflect.Value>" if v is MISSING else "<nil>")
            else:
                self.buf.append("interface {}(nil)" if self.sharp_v else "<nil>")
            return
        if v is True or v is False:
            self.fmt_bool(v, verb)
        elif isinstance(v, int):
            self.fmt_integer(v, verb)
        elif isinstance(v, float):
            self.fmt_float(v, 32 if isinstance(v, Float32) else 64, verb)
        elif isinstance(v, complex):
            self.fmt_complex(v, verb)
        elif isinstance(v, str):
            self.fmt_string(v, verb)
        elif isinstance(v, (bytes, bytearray)):
            self.fmt_bytes(bytes(v), verb)
        elif isinstance(v, GoObject):
            self.fmt_object(v, verb, depth)
        elif isinstance(v, dict):
            self.fmt_map(v, verb, depth)
        elif isinstance(v, GoSlice) and v.elem == "uint8" and verb in "sqxX":
            self.fmt_bytes(bytes(int(b) & 0xFF for b in v), verb)
        elif isinstance(v, (list, tuple)):
            self.fmt_list(v, verb, depth)
        elif isinstance(v, GoFunc):
            self.pad("0x0") if verb in "vp" else self.bad_verb(verb, v)
        else:
            self.fmt_string(str(v), verb)

    def bad_verb(self, verb: str, arg: Any) -> None:
        """`%!d(string=x)`: the value is printed with `%v` but with the verb's flags (Go keeps them)."""
        self.buf.append("%!" + verb + "(")
        if arg is None or arg is MISSING:
            self.buf.append("<nil>")
        else:
            self.buf.append(type_name(arg) + "=")
            self.print_value(arg, "v", 0)
        self.buf.append(")")

    # bool / ints -------------------------------------------------------------------------------

    def fmt_bool(self, v: bool, verb: str) -> None:
        if verb in "tv":
            self.pad("true" if v else "false")
        else:
            self.bad_verb(verb, v)

    def fmt_integer(self, v: int, verb: str) -> None:
        u = int(v)
        if verb in "vd":
            if self.sharp_v and _unsigned(v):
                self.sharp = True
                self._integer(u, 16, verb, "0123456789abcdefx")
            else:
                self._integer(u, 10, verb, "0123456789")
        elif verb == "b":
            self._integer(u, 2, verb, "01")
        elif verb in "oO":
            self._integer(u, 8, verb, "01234567")
        elif verb == "x":
            self._integer(u, 16, verb, "0123456789abcdefx")
        elif verb == "X":
            self._integer(u, 16, verb, "0123456789ABCDEFX")
        elif verb == "c":
            self.pad(chr(u) if 0 <= u <= 0x10FFFF and not 0xD800 <= u <= 0xDFFF else "\ufffd")
        elif verb == "q":
            self.pad(quote_rune(u if u >= 0 else 0xFFFD, self.plus))
        elif verb == "U":
            self._unicode(u)
        else:
            self.bad_verb(verb, v)

    def _integer(self, u: int, base: int, verb: str, digits: str) -> None:
        negative = u < 0
        u = abs(u)
        prec = 0
        if self.prec is not None:
            prec = self.prec
            if prec == 0 and u == 0:
                zero, self.zero = self.zero, False
                self.pad("")
                self.zero = zero
                return
        elif self.zero and self.wid is not None:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        body = ""
        while u >= base:
            body = digits[u % base] + body
            u //= base
        body = digits[u] + body
        body = "0" * max(0, prec - len(body)) + body
        if self.sharp:
            if base == 2:
                body = "0b" + body
            elif base == 8 and body[0] != "0":
                body = "0" + body
            elif base == 16:
                body = "0" + digits[16] + body
        if verb == "O":
            body = "0o" + body
        sign = "-" if negative else "+" if self.plus else " " if self.space else ""
        zero, self.zero = self.zero, False
        self.pad(sign + body)
        self.zero = zero

    def _unicode(self, u: int) -> None:
        prec = 4 if self.prec is None or self.prec <= 4 else self.prec
        text = "U+" + f"{u & 0xFFFFFFFFFFFFFFFF:X}".rjust(prec, "0")
        if self.sharp and 0 <= u <= 0x10FFFF and is_print(chr(u)):
            text += " '" + chr(u) + "'"
        zero, self.zero = self.zero, False
        self.pad(text)
        self.zero = zero

    # floats ------------------------------------------------------------------------------------

    def fmt_float(self, v: float, size: int, verb: str) -> None:
        if verb == "v":
            self._float(v, size, "g", -1)
        elif verb in "bgGxX":
            self._float(v, size, verb, -1)
        elif verb in "feEF":
            self._float(v, size, verb, 6)
        else:
            self.bad_verb(verb, v)

    def _float(self, v: float, size: int, verb: str, prec: int) -> None:
        if self.prec is not None:
            prec = self.prec
        num = format_float(v, verb, prec, size)
        if num[0] not in "+-":
            num = "+" + num
        if self.space and num[0] == "+" and not self.plus:
            num = " " + num[1:]
        if num[1] in "IN":
            zero, self.zero = self.zero, False
            if num[1] == "N" and not self.space and not self.plus:
                num = num[1:]
            self.pad(num)
            self.zero = zero
            return
        if self.sharp and verb != "b":
            num = _sharp_float(num, verb, prec)
        if self.plus or num[0] != "+":
            if self.zero and self.wid is not None and self.wid > len(num):
                self.buf.append(num[0] + "0" * (self.wid - len(num)) + num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    def fmt_complex(self, v: complex, verb: str) -> None:
        if verb not in "vbgGxXfFeE":
            self.bad_verb(verb, v)
            return
        plus = self.plus
        self.buf.append("(")
        self.fmt_float(v.real, 64, verb)
        self.plus = True
        self.fmt_float(v.imag, 64, verb)
        self.buf.append("i)")
        self.plus = plus

    # strings -------------------------------------------------------------------------------------

    def fmt_string(self, v: str, verb: str) -> None:
        if verb == "v":
            if self.sharp_v:
                self.pad(quote(v))
            else:
                self.fmt_s(v)
        elif verb == "s":
            self.fmt_s(v)
        elif verb in "xX":
            self.fmt_sx(v.encode("utf-8", "surrogateescape"), verb)
        elif verb == "q":
            self.fmt_q(v)
        else:
            self.bad_verb(verb, v)

    def fmt_s(self, s: str) -> None:
        if self.prec is not None:
            s = s[: self.prec]
        self.pad(s)

    def fmt_sx(self, b: bytes, verb: str) -> None:
        digits = "0123456789abcdef" if verb == "x" else "0123456789ABCDEF"
        if self.prec is not None:
            b = b[: self.prec]
        parts = []
        for i, c in enumerate(b):
            if self.space and i > 0:
                parts.append(" ")
            if self.sharp and (self.space or i == 0):
                parts.append("0" + verb)
            parts.append(digits[c >> 4] + digits[c & 15])
        self.pad("".join(parts))

    def fmt_q(self, s: str) -> None:
        if self.prec is not None:
            s = s[: self.prec]
        if self.sharp and can_backquote(s):
            self.pad("`" + s + "`")
        else:
            self.pad(quote(s, self.plus))

    def fmt_bytes(self, b: bytes, verb: str) -> None:
        if verb in "vd":
            self.buf.append("[]byte{" if self.sharp_v else "[")
            sep = ", " if self.sharp_v else " "
            for i, c in enumerate(b):
                if i:
                    self.buf.append(sep)
                self.fmt_integer(c, verb)
            self.buf.append("}" if self.sharp_v else "]")
        elif verb == "s":
            self.fmt_s(b.decode("utf-8", "surrogateescape"))
        elif verb in "xX":
            self.fmt_sx(b, verb)
        elif verb == "q":
            self.fmt_q(b.decode("utf-8", "surrogateescape"))
        else:
            self.fmt_list(list(b), verb, 0)

    # composites ----------------------------------------------------------------------------------

    def fmt_list(self, v: list[Any] | tuple[Any, ...], verb: str, depth: int) -> None:
        if self.sharp_v:
            self.buf.append(type_name(v) + "{")
            for i, e in enumerate(v):
                if i:
                    self.buf.append(", ")
                self.print_value(e, verb, depth + 1)
            self.buf.append("}")
            return
        self.buf.append("[")
        for i, e in enumerate(v):
            if i:
                self.buf.append(" ")
            self.print_value(e, verb, depth + 1)
        self.buf.append("]")

    def fmt_map(self, v: dict[Any, Any], verb: str, depth: int) -> None:
        if self.sharp_v:
            self.buf.append(type_name(v) + "{")
            sep = ", "
        else:
            self.buf.append("map[")
            sep = " "
        for i, (k, e) in enumerate(sorted_items(v)):
            if i:
                self.buf.append(sep)
            self.print_value(k, verb, depth + 1)
            self.buf.append(":")
            self.print_value(e, verb, depth + 1)
        self.buf.append("}" if self.sharp_v else "]")

    def fmt_object(self, v: GoObject, verb: str, depth: int) -> None:
        if v.go_is_nil() and verb in "vs" and not self.sharp_v:
            text = v.go_string()
            self.pad(text if text is not None else "<nil>")
            return
        text = v.go_string()
        if text is not None and verb in "vsxXq" and not self.sharp_v:
            self.fmt_string(text, verb)
            return
        basic = v.go_value()
        if basic is not None:  # a named basic type without String(): formatted as its value
            self.print_value(basic, verb, depth)
            return
        fields = getattr(v, "go_fields_for_print", None)
        values = list(fields()) if callable(fields) else []
        if depth == 0 and not self.template_print and _is_pointer(v):
            self.buf.append("&")  # fmt prints a pointer to a struct as &{...} at top level
        self.buf.append("{")
        for i, e in enumerate(values):
            if i:
                self.buf.append(" ")
            self.print_value(e, verb, depth + 1)
        self.buf.append("}")


def _is_pointer(v: GoObject) -> bool:
    return v.go_kind == "ptr" or str(v.go_type).startswith("*")


def _sharp_float(num: str, verb: str, prec: int) -> str:
    """The `#` flag on floats (num starts with its sign): always a decimal point, and %g/%v/%x
    keep trailing zeros up to the precision. Follows fmt's digit counting, quirks included
    (the `x` of a hex prefix counts as a significant digit)."""
    digits = (6 if prec == -1 else prec) if verb in "vgGx" else 0
    tail = ""
    has_point = saw_nonzero = False
    i = 1
    while i < len(num):
        c = num[i]
        if c == ".":
            has_point = True
        elif c in "pP" or (c in "eE" and verb not in "xX"):
            tail, num = num[i:], num[:i]
            break
        else:
            saw_nonzero = saw_nonzero or c != "0"
            if saw_nonzero:
                digits -= 1
        i += 1
    if not has_point:
        if len(num) == 2 and num[1] == "0":
            digits -= 1
        num += "."
    return num + "0" * max(0, digits) + tail


# --- Printf ------------------------------------------------------------------------------------


def _int_from_arg(args: list[Any], n: int) -> tuple[int, bool, int]:
    """Go's intFromArg: (value, is_int, next arg index)."""
    if n >= len(args):
        return 0, False, n
    a = args[n]
    if _is_int(a) and -(10**6) <= int(a) <= 10**6:
        return int(a), True, n + 1
    return 0, False, n + 1


def _parse_arg_number(fmt: str, i: int) -> tuple[int, int, bool]:
    """`[n]` at fmt[i]: (index, width consumed, ok). Go's parseArgNumber."""
    if len(fmt) - i < 3:
        return 0, 1, False
    for j in range(i + 1, len(fmt)):
        if fmt[j] == "]":
            body = fmt[i + 1 : j]
            if not body or not body.isdigit() or not body.isascii():
                return 0, j - i + 1, False
            return int(body) - 1, j - i + 1, True
    return 0, 1, False


class _Scan:
    """Printf's cursor over the format and the arguments."""

    def __init__(self, fmt: str, nargs: int) -> None:
        self.fmt, self.i, self.end = fmt, 0, len(fmt)
        self.arg_num, self.nargs = 0, nargs
        self.reordered = False
        self.good = True

    def arg_number(self) -> bool:
        """Go's argNumber: an explicit `[n]`; returns whether one was found (afterIndex)."""
        if self.i >= self.end or self.fmt[self.i] != "[":
            return False
        self.reordered = True
        index, wid, ok = _parse_arg_number(self.fmt, self.i)
        self.i += wid
        if ok and 0 <= index < self.nargs:
            self.arg_num = index
            return True
        self.good = False
        return ok

    def number(self) -> int | None:
        """Go's parsenum: a number past 10**6 (tooLarge) swallows the rest of the format."""
        num, found = 0, False
        while self.i < self.end and "0" <= self.fmt[self.i] <= "9":
            if num > 10**6:
                self.i = self.end
                return None
            num, found = num * 10 + ord(self.fmt[self.i]) - 48, True
            self.i += 1
        return num if found else None


def _flags(p: _Printer, sc: _Scan) -> None:
    while sc.i < sc.end:
        c = sc.fmt[sc.i]
        if c == "#":
            p.sharp = True
        elif c == "0":
            p.zero = not p.minus
        elif c == "+":
            p.plus = True
        elif c == "-":
            p.minus, p.zero = True, False
        elif c == " ":
            p.space = True
        else:
            return
        sc.i += 1


def _star(p: _Printer, sc: _Scan, args: list[Any], what: str) -> int | None:
    sc.i += 1
    value, ok, sc.arg_num = _int_from_arg(args, sc.arg_num)
    if not ok:
        p.buf.append(f"%!(BAD{what})")
        return None
    return value


def _width_and_precision(p: _Printer, sc: _Scan, args: list[Any]) -> bool:
    after_index = sc.arg_number()
    if sc.i < sc.end and sc.fmt[sc.i] == "*":
        wid = _star(p, sc, args, "WIDTH")
        if wid is not None and wid < 0:
            p.minus, p.zero, wid = True, False, -wid
        p.wid = wid
        after_index = False
    else:
        p.wid = sc.number()
        if after_index and p.wid is not None:
            sc.good = False
    if sc.i + 1 < sc.end and sc.fmt[sc.i] == ".":
        sc.i += 1
        if after_index:
            sc.good = False
        after_index = sc.arg_number()
        if sc.i < sc.end and sc.fmt[sc.i] == "*":
            prec = _star(p, sc, args, "PREC") if sc.i + 1 > 0 else None
            if prec is not None and prec < 0:
                p.buf.append("%!(BADPREC)")
            p.prec = prec if prec is not None and prec >= 0 else None
            after_index = False
        else:
            prec = sc.number()
            p.prec = 0 if prec is None else prec
    if not after_index:
        after_index = sc.arg_number()
    if (p.wid or 0) > 64 or (p.prec or 0) > 64:  # up to 10**8 characters of padding or digits
        charge_output(max(p.wid or 0, p.prec or 0))
    return after_index


def sprintf(fmt: str, args: list[Any]) -> str:
    """fmt.Sprintf."""
    p = _Printer()
    buf = p.buf
    sc = _Scan(fmt, len(args))
    while sc.i < sc.end:
        sc.good = True
        j = fmt.find("%", sc.i)
        if j < 0:
            buf.append(fmt[sc.i :])
            break
        if j > sc.i:
            buf.append(fmt[sc.i : j])
        sc.i = j + 1
        p.clear_flags()
        _flags(p, sc)
        _width_and_precision(p, sc, args)
        if sc.i >= sc.end:
            buf.append("%!(NOVERB)")
            break
        verb = fmt[sc.i]
        sc.i += 1
        if verb == "%":
            buf.append("%")
        elif not sc.good:
            buf.append("%!" + verb + "(BADINDEX)")
        elif sc.arg_num >= len(args):
            buf.append("%!" + verb + "(MISSING)")
        else:
            if verb == "v":
                p.sharp_v, p.sharp = p.sharp, False
                p.plus_v, p.plus = p.plus, False
            p.print_arg(args[sc.arg_num], verb)
            sc.arg_num += 1
    if not sc.reordered and sc.arg_num < len(args):
        _extra(p, args[sc.arg_num :])
    return "".join(buf)


def _extra(p: _Printer, extra: list[Any]) -> None:
    p.clear_flags()
    p.buf.append("%!(EXTRA ")
    for k, a in enumerate(extra):
        if k:
            p.buf.append(", ")
        if a is None or a is MISSING:
            p.buf.append("<nil>")
        else:
            p.buf.append(type_name(a) + "=")
            p.print_arg(a, "v")
    p.buf.append(")")


def _is_string(a: Any) -> bool:
    return isinstance(a, str)


def sprint(args: list[Any]) -> str:
    """fmt.Sprint: spaces between operands when neither side is a string."""
    p = _Printer()
    prev_string = False
    for n, a in enumerate(args):
        is_string = isinstance(a, str) or (isinstance(a, GoObject) and a.go_kind == "string")
        if n > 0 and not is_string and not prev_string:
            p.buf.append(" ")
        if type(a) is str:
            p.buf.append(a)
        else:
            p.print_arg(a, "v")
        prev_string = is_string
    return "".join(p.buf)


def sprintln(args: list[Any]) -> str:
    """fmt.Sprintln: always spaces, and a newline."""
    p = _Printer()
    for n, a in enumerate(args):
        if n > 0:
            p.buf.append(" ")
        p.print_arg(a, "v")
    p.buf.append("\n")
    return "".join(p.buf)


def format_value(v: Any) -> str:
    """`%v` of one value (what `{{ . }}` prints); strings and ints take a fast path."""
    if type(v) is str:
        return v
    if type(v) is int:
        return str(v)
    p = _Printer(template_print=True)
    p.print_arg(v, "v")
    return "".join(p.buf)


__all__ = ["sprint", "sprintf", "sprintln", "format_value"]
