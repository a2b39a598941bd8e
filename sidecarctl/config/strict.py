"""Settings checks stricter than Istio's: a field name that the mesh config does not have.

Istio's ApplyJSON retries with unknown fields allowed, so a misspelt field (`defaultConfg:`) is
silently ignored and the mesh runs with defaults. sidecarctl refuses it in files the user gives
(the cluster's own ConfigMap, possibly from a newer Istio, is still read as Istio reads it).
"""

from __future__ import annotations

import re
from typing import Any

from sidecarctl.config.proto import TYPES
from sidecarctl.golang.strconv import quote


def unknown_field(type_name: str, data: Any, path: str = "") -> str | None:
    """jsonpb's strict complaint about the first field `data` has that `type_name` does not, with
    the path to it; None when every field is known."""
    mtype = TYPES.get(type_name)
    if mtype is None or not isinstance(data, dict):
        return None
    for key, value in data.items():
        field = mtype.field_for_key(str(key))
        where = f"{path}.{key}" if path else str(key)
        if field is None:
            return f'unknown field "{key}" in {mtype.go_type}' + (f" (at {where})" if path else "")
        for sub, item in _children(field, value, where):
            found = unknown_field(field.value_type, item, sub)
            if found:
                return found
    return None


def _children(field: Any, value: Any, where: str) -> list[tuple[str, Any]]:
    if field.value_type not in TYPES:
        return []
    if field.repeated and isinstance(value, list):
        return [(f"{where}[{i}]", item) for i, item in enumerate(value)]
    if field.is_map and isinstance(value, dict):
        return [(f"{where}.{k}", item) for k, item in value.items()]
    return [(where, value)]


# --- label selectors ------------------------------------------------------------------------------
# kube-inject ignores neverInjectSelector/alwaysInjectSelector and Istio's webhook only warns about
# an invalid one (then never matches it); sidecarctl refuses the config, with apimachinery's words.

# Compiled on first use (re's cache): most runs have no selectors to check.
_NAME = r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"
_DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def selector_problem(selector: Any) -> str | None:
    """metav1.LabelSelectorAsSelector's complaint about a selector (None when it is valid)."""
    if selector is None:
        return None
    if not isinstance(selector, dict):
        return "a label selector must be a mapping"
    for key, value in (selector.get("matchLabels") or {}).items():
        problem = _key_problem(str(key)) or _value_problem(value)
        if problem:
            return f"matchLabels: {problem}"
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        problem = _expression_problem(expr or {})
        if problem:
            return f"matchExpressions[{i}]: {problem}"
    return None


def _expression_problem(expr: dict[str, Any]) -> str | None:
    operator, values = expr.get("operator"), list(expr.get("values") or [])
    if operator not in _OPERATORS:
        return f"{_go_quote(operator)} is not a valid label selector operator"
    problem = _key_problem(str(expr.get("key") or ""))
    if problem:
        return problem
    if operator in ("In", "NotIn") and not values:
        return "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"
    if operator in ("Exists", "DoesNotExist") and values:
        return "values: Invalid value: values set must be empty for exists and does not exist"
    for value in values:
        problem = _value_problem(value)
        if problem:
            return problem
    return None


def _key_problem(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if (
        not name
        or len(name) > 63
        or not re.match(_NAME, name)
        or (prefix and (len(prefix) > 253 or not re.match(_DNS_SUBDOMAIN, prefix)))
        or key.startswith("/")
    ):
        return (
            f"key: Invalid value: {_go_quote(key)}: must be a qualified name (an optional DNS subdomain "
            "prefix and '/', and a name of at most 63 alphanumeric characters, '-', '_' or '.')"
        )
    return None


def _value_problem(value: Any) -> str | None:
    text = "" if value is None else str(value)
    if len(text) > 63 or (text and not re.match(_NAME, text)):
        return (
            f"values: Invalid value: {_go_quote(text)}: a valid label must be an empty string or at most 63 "
            "alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character"
        )
    return None


def _go_quote(value: Any) -> str:
    """%q of the value as a string (Kubernetes' field.Invalid prints string values with %q)."""
    return quote("" if value is None else str(value))
