"""YAML text to JSON-shaped data, as sigs.k8s.io/yaml's Unmarshal sees it (via sidecarctl.yamlio)."""

from __future__ import annotations

from typing import Any


class YamlTextError(ValueError):
    """Text that is not YAML; the message is the decoder's."""


# Settings files are long (an injector config is ~100 KB of YAML holding the templates) and rarely
# change between runs: decoding one costs ~20 ms, reading its decoded form from the on-disk cache
# (`sidecarctl.diskcache`, keyed by the text and the decoder's sources) well under 1 ms. Shorter
# texts decode faster than a cache file is read.
CACHE_MIN_CHARS = 8192
# The sources whose change changes a decoded value (the cache key): yamlio's readers and the Go
# number spelling they use.
_DECODER_FILES = ("yamlio/read.py", "yamlio/resolve.py", "yamlio/goparse.py", "golang/strconv.py", "golang/json.py")


def load_yaml(text: str) -> Any:
    """One YAML (or JSON) document as JSON-shaped data; None for an empty document."""
    from sidecarctl import diskcache

    if len(text) < CACHE_MIN_CHARS or not diskcache.enabled():
        return _decode(text)
    key = diskcache.content_key(diskcache.code_stamp(*_decoder_paths()), text)
    hit = diskcache.load("yaml", key, text)
    if hit is not None:
        return hit[0]
    value = _decode(text)
    diskcache.store("yaml", key, text, (value,))  # boxed: a cached None is a hit, not a miss
    return value


def _decoder_paths() -> tuple[str, ...]:
    import os

    import sidecarctl

    here = os.path.dirname(os.path.abspath(sidecarctl.__file__))
    return tuple(os.path.join(here, name) for name in _DECODER_FILES)


def _decode(text: str) -> Any:
    from sidecarctl.yamlio import YamlError, load_document

    try:
        return load_document(text)
    except YamlError as err:
        raise YamlTextError(str(err)) from None


def to_go_numbers(value: Any) -> Any:
    """JSON decoded into `any` by Go: every number is a float64."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {str(k): to_go_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_go_numbers(v) for v in value]
    return value
