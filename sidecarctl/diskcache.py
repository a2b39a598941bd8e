"""Results kept on disk across runs, keyed by the content they were computed from.

kube-inject decodes the same settings files and parses the same injector templates on almost
every run, although they rarely change: this cache lets a run reuse what an earlier run computed.
Each entry is one file `<key>.json` in a folder per kind of result, under `$SIDECARCTL_CACHE_DIR`,
else `$XDG_CACHE_HOME/sidecarctl`, else `~/.cache/sidecarctl` (at most MAX_ENTRIES files per
folder, each at most MAX_ENTRY_BYTES). Callers build the key with `content_key` from everything
the result depends on, including `code_stamp` of the modules that compute it, so a changed input
or a changed sidecarctl never reuses an old result.

A cache folder may be restored by CI or shared on a machine, so nothing in it is trusted:
- Data only: an entry is a header line naming the format version, then JSON of plain values
  (dict with string keys, list, str, int, float, bool, None). Reading one runs no code (no
  pickle, no marshal); callers turn their objects into such values and back (`gotemplate.diskcache`
  does it for parse trees, from a fixed list of node classes).
- Checked before use: the folder must be a directory owned by the current user and writable by
  no one else, inside a parent that others cannot rename it out of (owned by the user or root,
  and not group/other-writable unless sticky); each file must be a regular file (not a link) with
  the same owner and mode rules. Otherwise the cache is ignored for the run, with one warning
  line on stderr.
- Self-checking: an entry stores its key and the text it was computed from; a file that is
  missing, unreadable, too large, corrupt, from another format or for another text is ignored
  (and rewritten). Entries are written atomically (a private temporary file, then a rename);
  failures to write are ignored; callers store only successful results, so errors are always
  reported afresh.
`SIDECARCTL_NO_CACHE=1` (any non-empty value but 0) turns it off.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from typing import Any

FORMAT = 3  # 2 was pickle; entries of other formats are ignored (and replaced)
HEADER = b"sidecarctl-cache %d\n" % FORMAT
SUFFIX = ".json"
MAX_ENTRIES = 256  # per folder; past this, storing first removes the least recently written half
MAX_ENTRY_BYTES = 16 * 1024 * 1024  # an injector config and its trees are ~0.3 MB
_stamps: dict[tuple[str, ...], str] = {}
_checked: dict[str, bool] = {}  # folder -> safe to use (checked once per run)
_warned = False


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
    """The identity of the code computing a result: the format, Python's version and the size and
    mtime of each source file (fixed in an installed package, changed by every edit in a
    development tree)."""
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


# --- trust ------------------------------------------------------------------------------------


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        try:
            sys.stderr.write(
                f"sidecarctl: warning: {message}; the cache is not used "
                "(fix its owner/mode, or set SIDECARCTL_CACHE_DIR or SIDECARCTL_NO_CACHE=1)\n"
            )
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def _unsafe_dir(path: str, st: os.stat_result, own: bool) -> str | None:
    """Why a folder cannot be trusted (None: it can). `own`: the cache folder itself (owned by
    the user, writable by no one else); else its parent (owned by the user or root, and not
    writable by others unless sticky, so no one else can swap the folder)."""
    uid = os.geteuid()
    if not stat.S_ISDIR(st.st_mode):
        return f"{path} is not a directory"
    if own:
        if st.st_uid != uid:
            return f"the cache folder {path} is owned by uid {st.st_uid}, not the current user ({uid})"
        if st.st_mode & 0o022:
            return f"the cache folder {path} is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
        return None
    if st.st_uid not in (uid, 0):
        return f"the cache folder's parent {path} is owned by uid {st.st_uid}"
    if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
        return f"the cache folder's parent {path} is writable by others (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def _folder_ok(folder: str, create: bool) -> bool:
    """Whether `folder` may be used (checked once per run; False with a warning when unsafe).
    With `create`, a missing folder (and its parent) is created private."""
    known = _checked.get(folder)
    if known is not None:
        return known
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        if not create:
            return False  # nothing stored yet; checked when first written
        try:
            parent = os.path.dirname(folder)
            if not os.path.isdir(parent):
                os.makedirs(os.path.dirname(parent), exist_ok=True)
                os.mkdir(parent, 0o700)
            os.mkdir(folder, 0o700)
            st = os.lstat(folder)
        except OSError:
            _checked[folder] = False  # a read-only home: just no cache, silently
            return False
    except OSError:
        _checked[folder] = False
        return False
    try:
        parent = os.path.dirname(os.path.abspath(folder))
        reason = _unsafe_dir(folder, st, True) or _unsafe_dir(parent, os.stat(parent), False)
    except OSError:
        _checked[folder] = False
        return False
    if reason:
        _warn_once(reason)
    _checked[folder] = reason is None
    return reason is None


def _path(kind: str, key: str) -> str:
    return os.path.join(directory(kind), key + SUFFIX)


# --- entries ----------------------------------------------------------------------------------


def exists(kind: str, key: str) -> bool:
    """Whether an entry is stored under the key in a folder that may be used (without reading it)."""
    return _folder_ok(directory(kind), create=False) and os.path.exists(_path(kind, key))


def load(kind: str, key: str, text: str) -> Any:
    """The value stored for this key and text, or None (never an error)."""
    if not _folder_ok(directory(kind), create=False):
        return None
    try:
        # O_NONBLOCK: a FIFO planted under an entry's name would block the open until a writer
        # came; so it opens at once and fstat below refuses it (no effect on regular files).
        fd = os.open(_path(kind, key), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if (
            not stat.S_ISREG(st.st_mode)
            or st.st_uid != os.geteuid()
            or st.st_mode & 0o022
            or st.st_size > MAX_ENTRY_BYTES
        ):
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if not data.startswith(HEADER):
        return None
    try:
        stored = json.loads(data[len(HEADER) :])
    except (ValueError, RecursionError):  # truncated, corrupt
        return None
    if not (isinstance(stored, dict) and stored.get("key") == key and stored.get("text") == text):
        return None
    return stored.get("value")


def store(kind: str, key: str, text: str, value: Any) -> None:
    """Write the entry atomically (private temporary file + rename); any failure is ignored.
    `value` must be plain data (see the module's docstring): anything else is not stored."""
    folder = directory(kind)
    if not _plain(value):
        return
    try:
        data = HEADER + json.dumps(
            {"key": key, "text": text, "value": value}, ensure_ascii=True, separators=(",", ":")
        ).encode("ascii")
    except (ValueError, RecursionError):
        return
    if len(data) > MAX_ENTRY_BYTES or not _folder_ok(folder, create=True):
        return
    import tempfile  # writes are rare (a changed input); tempfile costs startup (it loads random, shutil)

    temporary = None
    try:
        _trim(folder)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")  # 0600, O_EXCL
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temporary, _path(kind, key))
        temporary = None
    except OSError:  # a read-only home, a full disk: just no cache
        pass
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _plain(value: Any) -> bool:
    """Whether `value` is plain data that JSON writes and reads back unchanged: dict (string
    keys), list/tuple (read back as list), str, int, float, bool, None. Iterative (deep values)."""
    todo = [value]
    while todo:
        v = todo.pop()
        t = type(v)
        if t is dict:
            if not all(type(k) is str for k in v):
                return False
            todo.extend(v.values())
        elif t is list or t is tuple:
            todo.extend(v)
        elif not (v is None or t is str or t is int or t is float or t is bool):
            return False
    return True


def _trim(folder: str) -> None:
    """Keep the folder bounded: at MAX_ENTRIES entries, drop the oldest (by mtime) down to half."""
    names = [n for n in os.listdir(folder) if n.endswith(SUFFIX)]
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
