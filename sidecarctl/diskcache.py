"""Results kept on disk across runs, keyed by the content they were computed from.

kube-inject decodes the same settings files and parses the same injector templates on almost
every run, although they rarely change: this cache lets a run reuse what an earlier run computed.
Each entry is one pickle file `<key>.pickle` in a folder per kind of result, under
`$SIDECARCTL_CACHE_DIR`, else `$XDG_CACHE_HOME/sidecarctl`, else `~/.cache/sidecarctl` (at most
MAX_ENTRIES files per folder). Callers build the key with `content_key` from everything the
result depends on, including `code_stamp` of the modules that compute it, so a changed input or a
changed sidecarctl never reuses an old result.

Safe by construction: an entry stores its key and the text it was computed from, and a file that
is missing, unreadable, corrupt or for another text is ignored (and rewritten); failures to write
are ignored; callers store only successful results, so errors are always reported afresh.
`SIDECARCTL_NO_CACHE=1` (any non-empty value but 0) turns it off.
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import Any

FORMAT = 2
MAX_ENTRIES = 256  # per folder; past this, storing first removes the least recently written half
_stamps: dict[tuple[str, ...], str] = {}


def enabled() -> bool:
    return os.environ.get("SIDECARCTL_NO_CACHE", "") in ("", "0")


def directory(kind: str) -> str:
    """The folder of one kind of result ("templates", "yaml")."""
    explicit = os.environ.get("SIDECARCTL_CACHE_DIR")
    if explicit:
        return os.path.join(explicit, kind)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sidecarctl", kind)


def code_stamp(*module_files: str) -> str:
    """The identity of the code computing a result: Python's version and the size and mtime of each
    source file (fixed in an installed package, changed by every edit in a development tree)."""
    stamp = _stamps.get(module_files)
    if stamp is None:
        parts = [f"v{FORMAT}", sys.version]
        for path in module_files:
            try:
                st = os.stat(path)
                parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{path}:?")
        stamp = _stamps[module_files] = "\0".join(parts)
    return stamp


def content_key(*parts: str) -> str:
    """A digest of the parts (each length-prefixed, so no two lists of parts collide by joining)."""
    try:
        from _blake2 import blake2b  # what hashlib.blake2b is, without loading OpenSSL at startup
    except ImportError:  # pragma: no cover
        from hashlib import blake2b

    h = blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _path(kind: str, key: str) -> str:
    return os.path.join(directory(kind), key + ".pickle")


def exists(kind: str, key: str) -> bool:
    """Whether an entry is stored under the key (without reading it)."""
    return os.path.exists(_path(kind, key))


def load(kind: str, key: str, text: str) -> Any:
    """The value stored for this key and text, or None (never an error)."""
    try:
        with open(_path(kind, key), "rb") as f:
            stored = pickle.load(f)
    except Exception:  # missing, unreadable, truncated, corrupt, from an incompatible version
        return None
    if not (isinstance(stored, tuple) and len(stored) == 3 and stored[0] == key and stored[1] == text):
        return None
    return stored[2]


def store(kind: str, key: str, text: str, value: Any) -> None:
    """Write the entry atomically (temporary file + rename); any failure is ignored."""
    folder = directory(kind)
    path = _path(kind, key)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        data = pickle.dumps((key, text, value), protocol=pickle.HIGHEST_PROTOCOL)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        _trim(folder)
        with open(temporary, "wb") as f:
            f.write(data)
        os.replace(temporary, path)
    except Exception:  # a read-only home, a full disk, an unpicklable value: just no cache
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _trim(folder: str) -> None:
    """Keep the folder bounded: at MAX_ENTRIES entries, drop the oldest (by mtime) down to half."""
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
