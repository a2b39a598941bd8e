"""config/protoschema.py is generated (hack/gen_protoschema.py from the pinned istio/api protos):
the file in the tree must be exactly what the generator writes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sidecarctl.config import protoschema

GENERATOR = Path(__file__).resolve().parents[2] / "hack" / "gen_protoschema.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_protoschema", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # NamedTuples look their module up while being built
    spec.loader.exec_module(module)
    return module


GEN = _generator()


def test_the_table_is_what_the_generator_writes() -> None:
    text = GEN.render(*GEN.load())
    assert GEN.OUTPUT.read_text(encoding="utf-8") == text, "run python3 hack/gen_protoschema.py"


def test_the_table_covers_the_mesh_and_proxy_config() -> None:
    for name in ("istio.mesh.v1alpha1.MeshConfig", "istio.mesh.v1alpha1.ProxyConfig"):
        assert name in protoschema.MESSAGES


@pytest.mark.parametrize(
    "proto,go",
    [
        pytest.param("proxy_listen_port", "ProxyListenPort", id="words"),
        pytest.param("enable_64bit_trace_id", "Enable_64BitTraceId", id="digit-after-underscore"),
        pytest.param("k8s_sa_jwt_path", "K8SSaJwtPath", id="digit-inside-word"),
        pytest.param("consecutive_5xx_errors", "Consecutive_5XxErrors", id="digits-then-letters"),
        pytest.param("MeshConfig.ExtensionProvider", "MeshConfig_ExtensionProvider", id="nested-type"),
        pytest.param("matchLabels", "MatchLabels", id="camel-already"),
    ],
)
def test_go_names_follow_protoc_gen_go(proto: str, go: str) -> None:
    """The Go names istio/api's generated code has (config.pb.go, proxy.pb.go, destination_rule.pb.go)."""
    assert GEN.go_camel_case(proto) == go


@pytest.mark.parametrize(
    "proto,json",
    [
        pytest.param("enable_64bit_trace_id", "enable64bitTraceId", id="digits"),
        pytest.param("tls_settings", "tlsSettings", id="words"),
    ],
)
def test_json_names_follow_protoc(proto: str, json: str) -> None:
    assert GEN.json_name(proto) == json
