"""krm-fn functionConfig spellings a user writes by hand."""

from __future__ import annotations

import pytest
import yaml

from cli_runner import run_cli

POD = "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec: {containers: [{name: a, image: nginx}]}\n"


def _error(stdout: str) -> str:
    """The message of the one error result of the ResourceList written."""
    (result,) = [r for r in yaml.safe_load(stdout).get("results") or [] if r["severity"] == "error"]
    return str(result["message"])


def _resource_list(config: str) -> str:
    return (
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig:\n"
        f"  apiVersion: example.com/v1\n  kind: Inject\n  metadata: {{name: f}}\n  spec: {config}\nitems:\n{POD}"
    )


@pytest.mark.parametrize(
    "config,image",
    [
        ('{istioVersion: "1.30"}', "proxyv2:1.30.3"),
        ("{istioVersion: 1.29}", "proxyv2:1.29.6"),
    ],
    ids=["quoted", "number-that-survives"],
)
def test_istio_version_spellings(config: str, image: str) -> None:
    result = run_cli("krm-fn", stdin=_resource_list(config))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert image in result.stdout


def test_an_unquoted_1_30_says_to_quote_it() -> None:
    # YAML reads `1.30` as the number 1.3: "Istio 1.3 is not supported" would send the user astray.
    result = run_cli("krm-fn", stdin=_resource_list("{istioVersion: 1.30}"))
    assert result.exit_code == 1
    message = _error(result.stdout)
    assert "quote it" in message and '"1.30"' in message, message


@pytest.mark.parametrize(
    "value,native",
    [
        ("true", True),
        ('"TRUE"', True),
        ("false", False),
        ('"False"', False),
    ],
    ids=["true", "TRUE", "false", "False"],
)
def test_native_sidecars_values(value: str, native: bool) -> None:
    result = run_cli("krm-fn", stdin=_resource_list(f"{{nativeSidecars: {value}}}"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert ("restartPolicy: Always" in result.stdout) == native


@pytest.mark.parametrize("value", ['"yes"', "1", '"enabled"'])
def test_an_unknown_native_sidecars_value_is_refused_not_taken_as_false(value: str) -> None:
    # It used to mean `false` silently: a typo turned native sidecars off with nothing said.
    result = run_cli("krm-fn", stdin=_resource_list(f"{{nativeSidecars: {value}}}"))
    assert result.exit_code == 1
    message = _error(result.stdout)
    assert "nativeSidecars" in message and "true or false" in message, message


@pytest.mark.parametrize("key", ["istio-version", "istio_version", "nativesidecars", "injectConfig"])
def test_a_misspelt_key_is_refused_not_ignored(key: str) -> None:
    # `istio-version: "1.28"` used to be ignored: 1.30's proxy went to a 1.28 mesh with nothing said.
    result = run_cli("krm-fn", stdin=_resource_list(f'{{{key}: "1.28"}}'))
    assert result.exit_code == 1
    message = _error(result.stdout)
    assert f"unknown key {key!r}" in message and "istioVersion" in message, message


def test_the_documented_keys_are_taken() -> None:
    config = '{revision: "", nativeSidecars: "false", istioVersion: "1.29", valuesFile: null}'
    result = run_cli("krm-fn", stdin=_resource_list(config))
    assert result.exit_code == 0, result.stdout
    assert "proxyv2:1.29.6" in result.stdout
