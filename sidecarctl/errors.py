"""The errors a user sees. Each carries enough position to act on and an exit code.

Exit codes: 1 for bad input or settings, 2 for bad usage (click's own convention).
The CLI catches `SidecarError` in one place and prints `Error: <message>` on one line.
"""

from __future__ import annotations


class SidecarError(Exception):
    """Root of every error the CLI reports without a traceback."""

    exit_code = 1


class UsageError(SidecarError):
    """Flags that do not fit together."""

    exit_code = 2


class InputError(SidecarError):
    """A manifest that cannot be read or parsed (names the file, document and line)."""


class ConfigError(SidecarError):
    """Injection settings (inject config, values, mesh config) that cannot be used."""


class InjectionError(SidecarError):
    """A workload the injector cannot inject (template execution, invalid annotations, ...)."""


class FileError(InputError):
    """A file or stream the user pointed at cannot be read or written (disk full, file too large,
    permission, loops, ...): the path, the system's words for the cause, and what to do."""


# errno name -> what the user can do about it (the cause itself is the system's strerror)
_OS_HINTS: dict[str, str] = {
    "ENOSPC": "free some space or write elsewhere",
    "EDQUOT": "free some space within your quota or write elsewhere",
    "EFBIG": "raise the file size limit, `ulimit -f`, or write elsewhere",
    "EMLINK": "the directory or file has too many links; write elsewhere",
    "EACCES": "check the permissions of the file and of its directory",
    "EPERM": "the file may be immutable, see `lsattr`, or owned by another user; check who may change it",
    "ELOOP": "a symbolic link points back to itself or too many links are chained; fix the link",
    "EROFS": "the file system is mounted read-only; write elsewhere",
    "ENAMETOOLONG": "use a shorter path",
    "EISDIR": "it is a directory; give a file name",
    "ENOTDIR": "a part of the path is not a directory",
    "ENOENT": "check the path, or create the directory first",
    "ENXIO": "it is a socket or a device without a driver; write elsewhere",
    "ETXTBSY": "the file is a running program; write elsewhere",
    "EIO": "the device reported an I/O error; check the disk",
    "EBADF": "the file descriptor is not open for writing",
}


def os_error(action: str, path: str, err: OSError) -> FileError:
    """`ACTION PATH: CAUSE (WHAT TO DO)` for an OSError met reading or writing `path`."""
    import errno

    cause = err.strerror or str(err)
    hint = _OS_HINTS.get(errno.errorcode.get(err.errno or 0, ""), "")
    return FileError(f"{action} {path}: {cause}" + (f" ({hint})" if hint else ""))
