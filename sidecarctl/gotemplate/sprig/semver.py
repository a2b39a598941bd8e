"""Sprig's semver functions over Masterminds/semver 3.2.0 (NewVersion, constraints, Version)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sidecarctl.gotemplate import budget
from sidecarctl.gotemplate._lazy import LazyPattern
from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoObject, Uint64

FUNCS: dict[str, GoFunc] = {}

_S = r"[\t\n\f\r ]"  # Go's \s
# Compiled when first used (LazyPattern, on RE2 as Masterminds/semver's are on Go's regexp: a
# constraint like "1   1   1 ... !" backtracked for minutes in Python's re): most runs never
# compare versions.
_VERSION = LazyPattern(
    r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_CONSTRAINT = LazyPattern(rf"^{_S}*({_OPS}){_S}*({_CV}){_S}*\z")
_RANGE = LazyPattern(rf"{_S}*({_CV}){_S}+-{_S}+({_CV}){_S}*")
_FIND = LazyPattern(rf"({_OPS}){_S}*({_CV})")
_VALID = LazyPattern(rf"^({_S}*({_OPS}){_S}*({_CV}){_S}*)((?:{_S}+|,{_S}*)({_OPS}){_S}*({_CV}){_S}*)*\z")
_ALLOWED = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789")


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: str = ""
    metadata: str = ""
    original: str = ""

    def string(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + self.pre
        if self.metadata:
            text += "+" + self.metadata
        return text

    def compare(self, o: Version) -> int:
        for a, b in ((self.major, o.major), (self.minor, o.minor), (self.patch, o.patch)):
            if a != b:
                return -1 if a < b else 1
        if not self.pre and not o.pre:
            return 0
        if not self.pre:
            return 1
        if not o.pre:
            return -1
        return compare_prerelease(self.pre, o.pre)

    def v_prefix(self) -> str:
        return "v" if self.original.startswith("v") else ""

    def bumped(self, **changes: Any) -> Version:
        nxt = replace(self, **changes)
        return replace(nxt, original=self.v_prefix() + nxt.string())


def _parse_uint(text: str) -> int:
    digits = text.lstrip("0")  # Python's int() refuses over 4,300 digits; Go's range ends at 20
    n = int(digits) if 0 < len(digits) <= 20 else (0 if not digits else 1 << 64)
    if n >= 1 << 64:
        raise GoError(f'Error parsing version segment: strconv.ParseUint: parsing "{text}": value out of range')
    return n


def new_version(v: str) -> Version:
    m = _VERSION.fullmatch(v)
    if m is None:
        raise GoError("Invalid Semantic Version")
    major = _parse_uint(m.group(1))
    minor = _parse_uint(m.group(2)[1:]) if m.group(2) else 0
    patch = _parse_uint(m.group(3)[1:]) if m.group(3) else 0
    pre = m.group(5) or ""
    meta = m.group(8) or ""
    if pre:
        _validate_prerelease(pre)
    if meta and any(not set(p) <= _ALLOWED for p in meta.split(".")):
        raise GoError("Invalid Metadata string")
    return Version(major, minor, patch, pre, meta, v)


def _validate_prerelease(pre: str) -> None:
    for part in pre.split("."):
        if part.isdigit() and part.isascii():
            if len(part) > 1 and part[0] == "0":
                raise GoError("Version segment starts with 0")
        elif not set(part) <= _ALLOWED:
            raise GoError("Invalid Prerelease string")


def compare_prerelease(a: str, b: str) -> int:
    sa, sb = a.split("."), b.split(".")
    for i in range(max(len(sa), len(sb))):
        d = _compare_part(sa[i] if i < len(sa) else "", sb[i] if i < len(sb) else "")
        if d:
            return d
    return 0


def _uint(s: str) -> int | None:
    """strconv.ParseUint(s, 10, 64), None where it fails (checked by length before Python's
    int(), which refuses over 4,300 digits)."""
    if not (s and s.isascii() and s.isdigit() and len(s.lstrip("0")) <= 20):
        return None
    n = int(s.lstrip("0") or "0")
    return n if n < 1 << 64 else None


def _compare_part(s: str, o: str) -> int:
    if s == o:
        return 0
    if s == "":
        return -1
    if o == "":
        return 1
    si, oi = _uint(s), _uint(o)
    if si is None and oi is None:
        return 1 if s.encode() > o.encode() else -1
    if oi is None:
        return -1
    if si is None:
        return 1
    return 1 if si > oi else -1


# --- constraints ----------------------------------------------------------------------------


@dataclass
class _Constraint:
    con: Version
    orig: str
    op: str
    minor_dirty: bool = False
    patch_dirty: bool = False
    dirty: bool = False


def _is_x(s: str) -> bool:
    return s in ("x", "X", "*")


def _parse_constraint(c: str) -> _Constraint:
    m = _CONSTRAINT.match(c)
    if m is None:
        raise GoError(f"improper constraint: {c}")
    op, ver = m.group(1), m.group(2)
    g3, g4, g5, g6 = m.group(3) or "", m.group(4) or "", m.group(5) or "", m.group(6) or ""
    minor_dirty = patch_dirty = dirty = False
    if _is_x(g3) or g3 == "":
        ver, dirty = f"0.0.0{g6}", True
    elif _is_x(g4[1:]) or g4 == "":
        ver, minor_dirty, dirty = f"{g3}.0.0{g6}", True, True
    elif _is_x(g5[1:]) or g5 == "":
        ver, patch_dirty, dirty = f"{g3}{g4}.0{g6}", True, True
    try:
        con = new_version(ver)
    except GoError:
        raise GoError("constraint Parser Error") from None
    return _Constraint(con, m.group(2), op, minor_dirty, patch_dirty, dirty)


def _rewrite_range(c: str) -> str:
    for m in _RANGE.finditer(c):
        budget.charge_steps(1 + len(c) // 4096)  # each replace copies the whole constraint
        c = c.replace(m.group(0), f">= {m.group(1)}, <= {m.group(11)}", 1)
    return c


def new_constraint(c: str) -> list[list[_Constraint]]:
    c = _rewrite_range(c)
    out = []
    for part in c.split("||"):
        if not _VALID.match(part):
            raise GoError(f"improper constraint: {part}")
        found: list[str] = []
        for m in _FIND.finditer(part):
            budget.charge_steps(1)  # each found (~5 µs) and parsed (~20 µs): the clock is read every 64
            found.append(m.group(0))
        parsed: list[_Constraint] = []
        for s in found or [part]:
            budget.charge_steps(1)
            parsed.append(_parse_constraint(s))
        out.append(parsed)
    return out


def _check(v: Version, c: _Constraint) -> bool:
    # A prerelease version only satisfies constraints that name a prerelease; `!=` applies
    # that rule only to its wildcard forms.
    if v.pre and not c.con.pre and c.op != "!=":
        return False
    return _CHECKS[c.op](v, c)


def _not_equal(v: Version, c: _Constraint) -> bool:
    if c.dirty:
        if v.pre and not c.con.pre:
            return False
        if c.con.major != v.major:
            return True
        if c.con.minor != v.minor and not c.minor_dirty:
            return True
        if c.minor_dirty:
            return False
        if c.con.patch != v.patch and not c.patch_dirty:
            return True
        if c.patch_dirty:
            if v.pre or c.con.pre:
                return compare_prerelease(v.pre, c.con.pre) != 0
            return False
    return v.compare(c.con) != 0


def _greater(v: Version, c: _Constraint) -> bool:
    if not c.dirty:
        return v.compare(c.con) == 1
    if v.major != c.con.major:
        return v.major > c.con.major
    if c.minor_dirty:
        return False
    if c.patch_dirty:
        return v.minor > c.con.minor
    return v.compare(c.con) == 1


def _less_equal(v: Version, c: _Constraint) -> bool:
    if not c.dirty:
        return v.compare(c.con) <= 0
    if v.major > c.con.major:
        return False
    return not (v.major == c.con.major and v.minor > c.con.minor and not c.minor_dirty)


def _tilde(v: Version, c: _Constraint) -> bool:
    if v.compare(c.con) < 0:
        return False
    if c.con.major == 0 and c.con.minor == 0 and c.con.patch == 0 and not c.minor_dirty and not c.patch_dirty:
        return True
    if v.major != c.con.major:
        return False
    return not (v.minor != c.con.minor and not c.minor_dirty)


def _tilde_or_equal(v: Version, c: _Constraint) -> bool:
    if c.dirty:
        return _tilde(v, c)
    return v.compare(c.con) == 0


def _caret(v: Version, c: _Constraint) -> bool:
    if v.compare(c.con) < 0:
        return False
    if c.con.major > 0 or c.minor_dirty:
        return v.major == c.con.major
    if v.major > 0:
        return False
    if c.con.minor > 0 or c.patch_dirty:
        return v.minor == c.con.minor
    if v.minor > 0:
        return False
    return c.con.patch == v.patch


_CHECKS = {
    "": _tilde_or_equal,
    "=": _tilde_or_equal,
    "!=": _not_equal,
    ">": _greater,
    "<": lambda v, c: v.compare(c.con) < 0,
    ">=": lambda v, c: v.compare(c.con) >= 0,
    "=>": lambda v, c: v.compare(c.con) >= 0,
    "<=": _less_equal,
    "=<": _less_equal,
    "~": _tilde,
    "~>": _tilde,
    "^": _caret,
}


def check(constraints: list[list[_Constraint]], v: Version) -> bool:
    return any(all(_check(v, c) for c in group) for group in constraints)


# --- template values ------------------------------------------------------------------------


class SemverValue(GoObject):
    """A semver.Version struct value (what IncMajor & co. return): value methods only."""

    go_type = "semver.Version"
    go_kind = "struct"
    pointer = False

    def __init__(self, v: Version) -> None:
        self.v = v

    def go_string(self) -> str:
        return self.v.string()

    def go_json(self) -> str:
        return self.v.string()

    def go_deep_equal(self, other: Any) -> bool:
        return type(other) is type(self) and other.v == self.v

    def go_field(self, name: str) -> Any:
        raise AttributeError(name)  # all fields are unexported

    def go_method(self, name: str) -> GoFunc | None:
        v = self.v
        value_methods: dict[str, GoFunc] = {
            "String": GoFunc("String", v.string, (), result="string"),
            "Major": GoFunc("Major", lambda: Uint64(v.major), (), result="uint64"),
            "Minor": GoFunc("Minor", lambda: Uint64(v.minor), (), result="uint64"),
            "Patch": GoFunc("Patch", lambda: Uint64(v.patch), (), result="uint64"),
            "Prerelease": GoFunc("Prerelease", lambda: v.pre, (), result="string"),
            "Metadata": GoFunc("Metadata", lambda: v.metadata, (), result="string"),
            "IncPatch": GoFunc("IncPatch", lambda: SemverValue(_inc_patch(v)), (), result="semver.Version"),
            "IncMinor": GoFunc(
                "IncMinor",
                lambda: SemverValue(v.bumped(metadata="", pre="", patch=0, minor=v.minor + 1)),
                (),
                result="semver.Version",
            ),
            "IncMajor": GoFunc(
                "IncMajor",
                lambda: SemverValue(v.bumped(metadata="", pre="", patch=0, minor=0, major=v.major + 1)),
                (),
                result="semver.Version",
            ),
            "SetPrerelease": GoFunc(
                "SetPrerelease",
                lambda p: SemverValue(_set_pre(v, p)),
                ("string",),
                returns_error=True,
                result="semver.Version",
            ),
            "SetMetadata": GoFunc(
                "SetMetadata",
                lambda m: SemverValue(_set_meta(v, m)),
                ("string",),
                returns_error=True,
                result="semver.Version",
            ),
            "MarshalJSON": GoFunc("MarshalJSON", lambda: _json_bytes(v), (), returns_error=True, result="[]uint8"),
            "MarshalText": GoFunc("MarshalText", lambda: v.string().encode(), (), returns_error=True, result="[]uint8"),
        }
        if self.pointer:
            value_methods.update(
                {
                    "Original": GoFunc("Original", lambda: v.original, (), result="string"),
                    "LessThan": GoFunc(
                        "LessThan", lambda o: v.compare(_ver(o)) < 0, ("*semver.Version",), result="bool"
                    ),
                    "GreaterThan": GoFunc(
                        "GreaterThan", lambda o: v.compare(_ver(o)) > 0, ("*semver.Version",), result="bool"
                    ),
                    "Equal": GoFunc("Equal", lambda o: v.compare(_ver(o)) == 0, ("*semver.Version",), result="bool"),
                    "Compare": GoFunc("Compare", lambda o: v.compare(_ver(o)), ("*semver.Version",), result="int"),
                }
            )
        return value_methods.get(name)


class SemverPointer(SemverValue):
    """A *semver.Version, as `semver` returns."""

    go_type = "*semver.Version"
    go_kind = "ptr"
    pointer = True

    def go_deref(self) -> SemverValue:
        return SemverValue(self.v)


def _ver(o: Any) -> Version:
    if isinstance(o, SemverValue):
        return o.v
    raise GoError("runtime error: invalid memory address or nil pointer dereference")


def _json_bytes(v: Version) -> bytes:
    from .gojson import encode_string

    return encode_string(v.string()).encode()


def _inc_patch(v: Version) -> Version:
    if v.pre:
        return v.bumped(metadata="", pre="")
    return v.bumped(metadata="", pre="", patch=v.patch + 1)


def _set_pre(v: Version, pre: str) -> Version:
    if pre:
        _validate_prerelease(pre)
    return v.bumped(pre=pre)


def _set_meta(v: Version, meta: str) -> Version:
    if meta and any(not set(p) <= _ALLOWED for p in meta.split(".")):
        raise GoError("Invalid Metadata string")
    return v.bumped(metadata=meta)


def _semver(version: str) -> SemverPointer:
    return SemverPointer(new_version(version))


def _semver_compare(constraint: str, version: str) -> bool:
    cs = new_constraint(constraint)
    return check(cs, new_version(version))


FUNCS["semver"] = GoFunc("semver", _semver, ("string",), returns_error=True, result="*semver.Version")
FUNCS["semverCompare"] = GoFunc(
    "semverCompare", _semver_compare, ("string", "string"), returns_error=True, result="bool"
)
