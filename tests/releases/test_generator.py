"""hack/istio_release.py: a release's settings rendered from its pinned chart.

The first check is the generator against the shared, independently reconstructed 1.30.3 settings,
byte for byte; then the committed built-in defaults and suite settings must be what it writes now
(regenerate with `python3 hack/istio_release.py defaults` / `suite`); then its pieces (the operator's
--set typing and merging, the reading of Istio's TestInjection table).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from sidecarctl.releases import SUPPORTED

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "conformance" / "istio-1.30.3"
FILES = ("inject-config.yaml", "inject-values.yaml", "mesh-config.yaml")
OTEL = {
    "extensionProviders": [
        {
            "name": "otel",
            "opentelemetry": {
                "service": "otel-collector.observability.svc.cluster.local",
                "port": 4317,
                "serviceAttributeEnrichment": "OTEL_SEMANTIC_CONVENTIONS",
            },
        }
    ]
}


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    sys.path.insert(0, str(REPO / "hack"))
    try:
        return importlib.import_module("istio_release")
    finally:
        sys.path.remove(str(REPO / "hack"))


needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/conformance/istio-1.30.3 is absent")

# (shared settings folder, --set flags, IstioOperator file in the suite's cases/, install meshConfig)
SHARED_VARIANTS = [
    ("default", [], None, None),
    ("cni-multus", ["components.cni.enabled=true", "values.cni.provider=multus"], None, None),
    (
        "traffic-params",
        [
            "values.global.proxy.includeIPRanges=127.0.0.1/24,10.96.0.1/24",
            "values.global.proxy.excludeIPRanges=10.96.0.2/24,10.96.0.3/24",
            "values.global.proxy.excludeInboundPorts=4,5,6",
            "values.global.proxy.statusPort=0",
        ],
        None,
        None,
    ),
    ("proxy-resources-null", [], "proxy-resources-null.iop.yaml", None),
    ("proxy-resources-mixed-null", [], "proxy-resources-mixed-null.iop.yaml", None),
    ("custom-template", [], "custom-template.iop.yaml", None),
    ("spire-template", [], "spire-template.iop.yaml", None),
    ("interception-mode-tproxy", [], None, {"defaultConfig": {"interceptionMode": "TPROXY"}}),
    ("otel-semconv", [], None, OTEL),
]


@needs_shared
@pytest.mark.parametrize("name,flags,iop,mesh", SHARED_VARIANTS, ids=[v[0] for v in SHARED_VARIANTS])
def test_reproduces_the_shared_1_30_3_settings_byte_for_byte(
    gen: ModuleType, name: str, flags: list[str], iop: str | None, mesh: dict[str, Any] | None
) -> None:
    files = [SHARED / "cases" / iop] if iop else []
    got = gen.render_settings(gen.CHARTS / "1.30.3", "test", flags, files, mesh)
    for piece, file in gen.SETTINGS_FILES.items():
        assert got[piece] == (SHARED / "settings" / name / file).read_text(encoding="utf-8"), f"{name}/{file}"


@pytest.mark.parametrize("release", SUPPORTED)
def test_built_in_defaults_are_what_the_generator_writes(gen: ModuleType, release: str) -> None:
    got = gen.render_settings(gen.CHARTS / release, "default", release=release)
    folder = REPO / "sidecarctl" / "defaults" / release
    for piece, file in gen.DEFAULTS_FILES.items():
        assert (folder / file).read_text(encoding="utf-8") == got[piece], f"regenerate {folder / file}"
    assert f'"tag": "{release}"' in got["values"] and '"hub": "docker.io/istio"' in got["values"]


@pytest.mark.parametrize("suite", sorted(p.name for p in (REPO / "tests" / "conformance").glob("istio-*")))
def test_committed_suites_default_settings_are_current(gen: ModuleType, suite: str) -> None:
    release = suite.removeprefix("istio-")
    got = gen.render_settings(gen.CHARTS / release, "test")
    for piece, file in gen.SETTINGS_FILES.items():
        path = REPO / "tests" / "conformance" / suite / "settings" / "default" / file
        assert path.read_text(encoding="utf-8") == got[piece], f"regenerate {path}"


def test_the_test_profile_differs_from_a_default_install_only_in_hub_and_tag(gen: ModuleType) -> None:
    test = gen.render_settings(gen.CHARTS / "1.28.10", "test")
    install = gen.render_settings(gen.CHARTS / "1.28.10", "default", release="1.28.10")
    assert test["config"] == install["config"] and test["mesh"] == install["mesh"]
    assert '"hub": "gcr.io/istio-testing"' in test["values"] and '"tag": "latest"' in test["values"]
    assert (
        test["values"].replace('"gcr.io/istio-testing"', '"docker.io/istio"').replace('"latest"', '"1.28.10"')
        == install["values"]
    )


@pytest.mark.parametrize(
    "text,want",
    [
        ("123", 123),
        ("-4", -4),
        ("1.5", 1.5),
        ("true", True),
        ("False", False),
        ("proxyTest", "proxyTest"),
        ("4,5,6", "4,5,6"),
        ("a\\,b", "a,b"),
        ("1.28.10", "1.28.10"),
    ],
    ids=["int", "negative", "float", "true", "False", "word", "list", "escaped-comma", "version"],
)
def test_set_values_are_typed_as_the_operator_types_them(gen: ModuleType, text: str, want: Any) -> None:
    got = gen.parse_value(text)
    assert got == want and type(got) is type(want)


def test_the_tag_stays_a_string(gen: ModuleType) -> None:
    tree: dict[str, Any] = {}
    gen.set_path(tree, "spec.values.global.tag=1.30")
    gen.set_path(tree, "spec.values.global.proxy.statusPort=123")
    assert tree == {"spec": {"values": {"global": {"tag": "1.30", "proxy": {"statusPort": 123}}}}}


def test_merge_overwrites_lists_and_merges_maps(gen: ModuleType) -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    gen.merge_from(base, {"a": {"c": [3], "e": None}})
    assert base == {"a": {"b": 1, "c": [3], "e": None}, "d": 1}


TABLE = """
func TestInjection(t *testing.T) {
	cases := []testCase{
		// a comment with { braces
		{
			in:   "hello.yaml",
			want: "hello-tproxy.yaml.injected",
			mesh: func(m *meshapi.MeshConfig) {
				m.DefaultConfig.InterceptionMode = meshapi.ProxyConfig_TPROXY
			},
		},
		{
			in:       "hello.yaml",
			want:     "hello-never.yaml.injected",
			setFlags: []string{"values.global.imagePullPolicy=Never", `values.global.proxy.statusPort=0`},
			skipWebhook: true,
		},
		{
			in:            "bad.yaml",
			expectedError: "includeipranges",
		},
		{
			in:   "pod.yaml",
			want: "pod-old-version.yaml.injected",
			setup: func(t test.Failer) {
				test.SetForTest(t, &features.EnableNativeSidecars, features.NativeSidecarModeDisabled)
			},
			expectedLog: "Skipping \\"x\\" {here}",
		},
	}
}
"""


def test_reads_the_injection_test_table(gen: ModuleType) -> None:
    rows = gen.test_injection_table(TABLE)
    assert [r.get("want", r["in"]) for r in rows] == [
        "hello-tproxy.yaml.injected",
        "hello-never.yaml.injected",
        "bad.yaml",
        "pod-old-version.yaml.injected",
    ]
    assert gen.MESH_MUTATIONS[rows[0]["mesh"]][0] == "interception-mode-tproxy"
    assert rows[1]["setFlags"] == ["values.global.imagePullPolicy=Never", "values.global.proxy.statusPort=0"]
    assert rows[1]["skipWebhook"] and not rows[0]["skipWebhook"]
    assert rows[2]["expectedError"] == "includeipranges"
    assert rows[3]["nativeDisabled"] and rows[3]["expectedLog"] == 'Skipping "x" {here}'


def test_an_unknown_mesh_mutation_stops_with_what_to_do(gen: ModuleType) -> None:
    with pytest.raises(gen.ReleaseError, match="MESH_MUTATIONS"):
        gen._variant({"in": "x.yaml", "want": "x.yaml.injected", "mesh": "m.Something=1"})


def _git(cwd: Path, *args: str) -> None:
    import subprocess

    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True, capture_output=True
    )


def test_adding_a_release_is_one_command(gen: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`add X.Y.Z --istio-git DIR` on a small Istio-shaped repository: it pins the chart, writes the
    defaults and the golden suite, and registers the release."""
    import shutil

    if shutil.which("git") is None:
        pytest.skip("git is not on PATH")
    istio = tmp_path / "istio"
    shutil.copytree(gen.CHARTS / "1.30.3", istio, ignore=shutil.ignore_patterns("PROVENANCE.md"))
    testdata = istio / "pkg" / "kube" / "inject" / "testdata" / "inject"
    testdata.mkdir(parents=True)
    for name in (
        "hello.yaml",
        "hello.yaml.injected",
        "hello-tproxy.yaml.injected",
        "hello-never.yaml.injected",
        "pod.yaml",
        "pod.yaml.injected",
        "pod-old-version.yaml.injected",
        "bad.yaml",
    ):
        (testdata / name).write_text(f"# {name}\n")
    (istio / "pkg" / "kube" / "inject" / "inject_test.go").write_text(TABLE.replace('"bad.yaml"', '"bad.yaml"'))
    _git(istio, "init", "-q")
    _git(istio, "add", "-A")
    _git(istio, "commit", "-qm", "release")
    _git(istio, "tag", "1.31.0")
    releases_module = tmp_path / "releases.py"
    releases_module.write_text('SUPPORTED: tuple[str, ...] = ("1.28.10", "1.29.6", "1.30.3")\n')
    for name, value in (
        ("CHARTS", tmp_path / "charts"),
        ("DEFAULTS", tmp_path / "defaults"),
        ("SUITES", tmp_path / "suites"),
        ("RELEASES_MODULE", releases_module),
    ):
        monkeypatch.setattr(gen, name, value)
    monkeypatch.setattr(gen, "ROOT", tmp_path)

    assert gen.main(["add", "1.31.0", "--istio-git", str(istio)]) == 0

    assert releases_module.read_text() == 'SUPPORTED: tuple[str, ...] = ("1.28.10", "1.29.6", "1.30.3", "1.31.0")\n'
    assert (tmp_path / "charts" / "1.31.0" / "LICENSE").read_bytes() == (istio / "LICENSE").read_bytes()
    values = json.loads((tmp_path / "defaults" / "1.31.0" / "values.json").read_text())
    assert values["global"]["tag"] == "1.31.0" and values["global"]["hub"] == "docker.io/istio"
    suite = tmp_path / "suites" / "istio-1.31.0"
    cases = {c["name"]: c for c in yaml.safe_load((suite / "cases.yaml").read_text())}
    # the table's cases, then every other X.yaml with golden X.yaml.injected, as TestInjection adds them
    assert sorted(cases) == [
        "bad.yaml",
        "hello-never.yaml",
        "hello-tproxy.yaml",
        "hello.yaml",
        "pod-old-version.yaml",
        "pod.yaml",
    ]
    assert cases["hello-tproxy.yaml"]["settings"] == "interception-mode-tproxy"
    assert cases["pod-old-version.yaml"]["native_sidecars"] is False
    assert cases["bad.yaml"]["expected_error"] == "includeipranges" and "golden" not in cases["bad.yaml"]
    assert (suite / "cases" / "hello.yaml").read_text() == "# hello.yaml\n"
    mesh = (suite / "settings" / "interception-mode-tproxy" / "mesh-config.yaml").read_text()
    assert "interceptionMode: TPROXY" in mesh


def test_add_refuses_a_tag_the_repository_lacks(
    gen: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    if shutil.which("git") is None:
        pytest.skip("git is not on PATH")
    _git(tmp_path, "init", "-q")
    monkeypatch.setattr(gen, "CHARTS", tmp_path / "charts")
    assert gen.main(["add", "1.31.0", "--istio-git", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "1.31.0" in err and "fetch the tag" in err and err.count("\n") == 1


ISTIO_GIT = os.environ.get("ISTIO_GIT", "")


@needs_shared
@pytest.mark.skipif(not ISTIO_GIT, reason="ISTIO_GIT (a clone of istio/istio with tag 1.30.3) is not set")
def test_builds_every_case_of_the_shared_1_30_3_suite(gen: ModuleType, tmp_path: Path) -> None:
    """The suite builder, run on tag 1.30.3, writes each case of the shared suite as it is written there,
    with settings of the same bytes (the shared suite is a public subset of TestInjection)."""
    gen.build_suite(Path(ISTIO_GIT), "1.30.3", tmp_path / "suite")
    mine = {c["name"]: c for c in yaml.safe_load((tmp_path / "suite" / "cases.yaml").read_text())}
    for case in yaml.safe_load((SHARED / "cases.yaml").read_text()):
        built = mine[case["name"]]
        for key in ("input", "golden", "native_sidecars", "expected_error", "expected_log", "webhook"):
            assert built.get(key) == case.get(key), (case["name"], key)
        for file in FILES:
            got = (tmp_path / "suite" / "settings" / built["settings"] / file).read_text(encoding="utf-8")
            assert got == (SHARED / "settings" / case["settings"] / file).read_text(encoding="utf-8"), case["name"]
