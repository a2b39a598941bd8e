"""The webhook's view of a pod before injection: whether to inject, names for logs, URL parameters.

The decision itself is the engine's `inject_required` (sidecarctl.inject.policy), called with the
whole of the inject config's policy and selectors, as Istio's webhook does (kube-inject forces the
policy to `enabled` and ignores the selectors). Its order: host networking, ignored namespaces,
the `sidecar.istio.io/inject` label (preferred) or annotation, `neverInjectSelector`,
`alwaysInjectSelector`, then `policy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sidecarctl.inject import policy as engine_policy


@dataclass(frozen=True)
class InjectPolicy:
    """The deciding parts of the inject config (the `config` key of `istio-sidecar-injector`)."""

    policy: str = "enabled"
    never_inject_selector: tuple[Any, ...] = ()
    always_inject_selector: tuple[Any, ...] = ()


@dataclass
class Decision:
    inject: bool
    why: str
    warnings: list[str] = field(default_factory=list)


def decide(pod: Mapping[str, Any], policy: InjectPolicy) -> Decision:
    """Istio's injectRequired for a pod that already carries its namespace."""
    meta = dict(pod.get("metadata") or {})
    spec = dict(pod.get("spec") or {})
    d = engine_policy.inject_required(
        meta,
        spec,
        policy=policy.policy,
        never=list(policy.never_inject_selector),
        always=list(policy.always_inject_selector),
    )
    return Decision(d.inject, d.why or ("injected" if d.inject else d.reason), list(d.warnings))


def potential_pod_name(meta: Mapping[str, Any]) -> str:
    """The pod's name for messages: its name, else its generateName marked as not yet known."""
    if meta.get("name"):
        return str(meta["name"])
    if meta.get("generateName"):
        return f"{meta['generateName']}***** (actual name not yet known)"
    return ""


# URL path keys with a fixed proxy environment variable; any other key is upper-cased.
URL_PARAMETER_TO_ENV = {"cluster": "ISTIO_META_CLUSTER_ID", "net": "ISTIO_META_NETWORK"}


def parse_inject_envs(path: str, warnings: list[str] | None = None) -> dict[str, str]:
    """Proxy environment from `/inject/k1/v1/k2/v2` (`--slash--` stands for `/` in values), or the
    deprecated `/inject/:ENV:k1=v1:ENV:k2=v2` form."""
    parts = path.removesuffix("/").split("/", 2)
    if len(parts) < 3:
        return {}
    items = _env_pairs(parts[2])
    envs: dict[str, str] = {}
    for i in range(0, len(items), 2):
        key = items[i]
        if i == len(items) - 1:
            if warnings is not None:
                warnings.append(f"Odd number of inject env entries, ignored the last key {key}")
            break
        env = URL_PARAMETER_TO_ENV.get(key, key.upper())
        if env:
            envs[env] = items[i + 1]
    return envs


def _env_pairs(rest: str) -> list[str]:
    if rest.startswith(":ENV:"):
        out: list[str] = []
        for pair in rest.split(":ENV:")[1:]:
            name, sep, value = pair.partition("=")
            # `k=` is valid (empty value); `=v` and a bare `k` are not
            if name and sep:
                out += [name, value]
        return out
    items = rest.split("/")
    return [v.replace("--slash--", "/") if i % 2 else v for i, v in enumerate(items)]
