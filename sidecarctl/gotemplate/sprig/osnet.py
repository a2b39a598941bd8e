"""Sprig's environment and network functions: env, expandenv (os.ExpandEnv), getHostByName."""

from __future__ import annotations

import os
import random

from sidecarctl.gotemplate._lazy import lazy_module
from sidecarctl.gotemplate.gotypes import GoError, GoFunc

socket = lazy_module("socket")  # getHostByName only

FUNCS: dict[str, GoFunc] = {}


def _is_shell_special(c: str) -> bool:
    return c in "*#$@!?-" or ("0" <= c <= "9")


def _is_alnum(c: str) -> bool:
    return c == "_" or ("0" <= c <= "9") or ("a" <= c <= "z") or ("A" <= c <= "Z")


def _shell_name(s: str) -> tuple[str, int]:
    """os.getShellName: the variable name after `$` and how many bytes it used."""
    if s.startswith("{"):
        if len(s) > 2 and _is_shell_special(s[1]) and s[2] == "}":
            return s[1:2], 3
        for i in range(1, len(s)):
            if s[i] == "}":
                if i == 1:
                    return "", 2  # ${} is a bad substitution: eat it
                return s[1:i], i + 1
        return "", 1  # no closing brace: eat the {
    if s and _is_shell_special(s[0]):
        return s[0:1], 1
    i = 0
    while i < len(s) and _is_alnum(s[i]):
        i += 1
    return s[:i], i


def expand_env(s: str) -> str:
    """os.ExpandEnv: $var and ${var}; a `$` not followed by a name is kept."""
    out: list[str] = []
    i = 0
    j = 0
    while j < len(s):
        if s[j] == "$" and j + 1 < len(s):
            out.append(s[i:j])
            name, w = _shell_name(s[j + 1 :])
            if name == "" and w > 0:
                pass  # invalid syntax: the characters are eaten
            elif name == "":
                out.append(s[j])  # a lone `$`
            else:
                out.append(os.environ.get(name, ""))
            j += w
            i = j + 1
        j += 1
    if not out and i == 0:
        return s
    return "".join(out) + s[i:]


def get_host_by_name(name: str) -> str:
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        infos = []
    addrs = list(dict.fromkeys(info[4][0] for info in infos))
    if not addrs:
        raise GoError("invalid argument to Intn")  # Sprig picks rand.Intn(len(addrs)) unchecked
    return random.choice(addrs)


FUNCS["env"] = GoFunc("env", lambda k: os.environ.get(k, ""), ("string",), result="string")
FUNCS["expandenv"] = GoFunc("expandenv", expand_env, ("string",), result="string")
FUNCS["getHostByName"] = GoFunc("getHostByName", get_host_by_name, ("string",), result="string")
