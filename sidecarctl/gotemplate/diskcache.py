"""Parse trees kept on disk across runs, keyed by content: a hit means "this text parsed before".

kube-inject parses every template of the injector config on every run (Istio reports a parse error
in any of them), although the config rarely changes between runs. `load` / `store` keep the parse
trees (not the compiled closures, which are rebuilt on first use) as one pickle per template in
`$SIDECARCTL_CACHE_DIR`, else `$XDG_CACHE_HOME/sidecarctl/templates`, else
`~/.cache/sidecarctl/templates` (at most MAX_ENTRIES files). The key hashes the text, the
template name, the set of function names the parser accepted, the Python version and the
engine's own parser sources (size and mtime of lexer/parser/nodes), so a changed engine or
function map never reuses old trees.

Safe by construction: a file that is missing, unreadable, corrupt or for another text is ignored
(and rewritten); failures to write are ignored; only successful parses are stored, so parse errors
are always reported afresh. `SIDECARCTL_NO_CACHE=1` (any non-empty value but 0) turns it off.
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import Any

FORMAT = 1
MAX_ENTRIES = 256  # past this, storing a new entry first removes the least recently written ones
_ENGINE_FILES = ("lexer.py", "parser.py", "nodes.py")
_engine_stamp: str | None = None


def enabled() -> bool:
    flag = os.environ.get("SIDECARCTL_NO_CACHE", "")
    return flag in ("", "0")


def directory() -> str:
    explicit = os.environ.get("SIDECARCTL_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sidecarctl", "templates")


def _stamp() -> str:
    """The parser's identity: its source files' sizes and mtimes (fixed in an installed package)."""
    global _engine_stamp
    if _engine_stamp is None:
        here = os.path.dirname(os.path.abspath(__file__))
        parts = [f"v{FORMAT}", sys.version]
        for name in _ENGINE_FILES:
            try:
                st = os.stat(os.path.join(here, name))
                parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{name}:?")
        _engine_stamp = "\0".join(parts)
    return _engine_stamp


def key(text: str, name: str, func_names: Any) -> str:
    try:
        from _blake2 import blake2b  # what hashlib.blake2b is, without loading OpenSSL
    except ImportError:  # pragma: no cover
        from hashlib import blake2b

    h = blake2b(digest_size=20)
    for part in (_stamp(), name, "\0".join(sorted(func_names)), text):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def load(cache_key: str, text: str) -> dict[str, Any] | None:
    """The trees stored under the key, or None (never an error)."""
    try:
        with open(os.path.join(directory(), cache_key + ".pickle"), "rb") as f:
            stored = pickle.load(f)
    except Exception:  # missing, unreadable, truncated, corrupt, from an incompatible engine
        return None
    if not (isinstance(stored, tuple) and len(stored) == 3 and stored[0] == cache_key and stored[1] == text
            and isinstance(stored[2], dict)):
        return None
    return stored[2]


def store(cache_key: str, text: str, trees: dict[str, Any]) -> None:
    """Write the trees (without compiled closures) atomically; any failure is ignored."""
    folder = directory()
    path = os.path.join(folder, cache_key + ".pickle")
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        compiled = {n: t.compiled for n, t in trees.items()}
        try:
            for t in trees.values():
                t.compiled = None
            data = pickle.dumps((cache_key, text, trees), protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            for n, t in trees.items():
                t.compiled = compiled[n]
        _trim(folder)
        with open(temporary, "wb") as f:
            f.write(data)
        os.replace(temporary, path)
    except Exception:  # a read-only home, a full disk, an unpicklable tree: just no cache
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _trim(folder: str) -> None:
    """Keep the directory bounded: at MAX_ENTRIES entries, drop the oldest (by mtime) down to half."""
    names = [n for n in os.listdir(folder) if n.endswith(".pickle")]
    if len(names) < MAX_ENTRIES:
        return
    aged = []
    for name in names:
        try:
            aged.append((os.stat(os.path.join(folder, name)).st_mtime_ns, name))
        except OSError:
            continue
    aged.sort()
    for _, name in aged[: len(aged) - MAX_ENTRIES // 2]:
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass
