"""kube-inject's workflow flags through the CLI: inputs, output formats, in-place, summary, views."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from workflow_support import HOST_POD, POD, SAMPLES, SERVICE, inject

SHOP = SAMPLES / "gitops" / "shop.yaml"


def _kinds_and_names(stream: str) -> list[str]:
    return re.findall(r"^  name: (\S+)$", stream, flags=re.M)


# --- inputs -------------------------------------------------------------------------------------


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "b.yaml").write_text(POD.replace("name: p", "name: b"))
    (tmp_path / "a.yml").write_text(POD.replace("name: p", "name: a"))
    (tmp_path / "c.json").write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "c"},
                "spec": {"containers": [{"name": "app", "image": "nginx"}]},
            }
        )
    )
    (tmp_path / "notes.txt").write_text("not a manifest")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.yaml").write_text(POD.replace("name: p", "name: d"))
    return tmp_path


@pytest.mark.parametrize(
    "args,names",
    [
        pytest.param(["DIR"], ["a", "b", "c"], id="directory-sorted-yaml-yml-json"),
        pytest.param(["-R", "DIR"], ["a", "b", "c", "d"], id="recursive"),
        pytest.param(["DIR/b.yaml", "DIR/a.yml"], ["b", "a"], id="files-in-given-order"),
        pytest.param(["DIR/sub", "DIR/c.json"], ["d", "c"], id="directory-then-json-file"),
    ],
)
def test_inputs(tmp_path: Path, args: list[str], names: list[str]) -> None:
    root = _tree(tmp_path)
    flags = [part for arg in args for part in (["-R"] if arg == "-R" else ["-f", arg.replace("DIR", str(root))])]
    result = inject("-q", *flags)
    assert result.exit_code == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  name: ")] == ["name:"] * len(
        names
    )
    assert re.findall(r"^  name: (\w)$", result.stdout, flags=re.M) == names


@pytest.mark.parametrize(
    "args,stdin,code,message",
    [
        pytest.param([], "", 2, "filename not specified (see --filename or -f)", id="empty-stdin-without-f"),
        pytest.param(["-f", "-", "-f", "-"], POD, 2, "stdin ('-') can be given only once", id="stdin-twice"),
        pytest.param(["-f", "EMPTY"], None, 1, "no .yaml, .yml, .json files", id="empty-directory"),
        pytest.param(["-f", "MISSING"], None, 1, "open ", id="missing-file"),
        pytest.param(["--in-place"], POD, 2, "--in-place needs files", id="in-place-stdin"),
        pytest.param(["--in-place", "-o", "x", "-f", "FILE"], None, 2, "cannot be used together", id="in-place-with-o"),
        pytest.param(
            ["--diff", "--in-place", "-f", "FILE"], None, 2, "cannot be used with --in-place", id="diff-in-place"
        ),
        pytest.param(["--diff", "--output-format", "json"], POD, 2, "--output-format json", id="diff-json"),
        pytest.param(["--diff", "--patch"], POD, 2, "--diff and --patch cannot be used together", id="diff-and-patch"),
        pytest.param(["--patch", "--preserve-formatting"], POD, 2, "does not apply", id="patch-preserve"),
        pytest.param(
            ["--preserve-formatting", "--output-format", "json"], POD, 2, "keeps YAML comments", id="preserve-json"
        ),
    ],
)
def test_usage_and_input_errors(tmp_path: Path, args: list[str], stdin: str | None, code: int, message: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.yaml").write_text(POD)
    paths = {
        "EMPTY": str(tmp_path / "empty"),
        "MISSING": str(tmp_path / "nope.yaml"),
        "FILE": str(tmp_path / "file.yaml"),
    }
    result = inject(*[paths.get(arg, arg) for arg in args], stdin=stdin)
    assert result.exit_code == code
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert message in lines[-1] and "Traceback" not in result.stderr


def test_piped_stdin_without_f_is_read() -> None:
    result = inject("-q", stdin=POD)
    assert result.exit_code == 0, result.stderr
    assert "istio-proxy" in result.stdout


def test_every_f_is_read_where_istioctl_keeps_the_last(tmp_path: Path) -> None:
    first = tmp_path / "svc.yaml"
    first.write_text(SERVICE)
    result = inject("-q", "-f", str(first), "-f", "-", stdin=POD)
    assert result.stdout.startswith(SERVICE + "---\n") and "istio-proxy" in result.stdout


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": "p"},
                    "spec": {"containers": [{"name": "app", "image": "nginx"}]},
                },
                indent="\t",
            ),
            id="object-tabs",
        ),
        pytest.param(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "List",
                    "items": [
                        {
                            "apiVersion": "v1",
                            "kind": "Pod",
                            "metadata": {"name": "p"},
                            "spec": {"containers": [{"name": "a", "image": "x"}]},
                        },
                        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}},
                    ],
                },
                indent=4,
            ),
            id="list",
        ),
    ],
)
def test_json_input(text: str) -> None:
    result = inject("--output-format", "json", stdin=text)
    assert result.exit_code == 0, result.stderr
    value = json.loads(result.stdout)
    pods = value["items"] if value["kind"] == "List" else [value]
    assert any(c["name"] == "istio-proxy" for c in pods[0]["spec"]["containers"])
    assert "1 workload: 1 injected, 0 skipped" in result.stderr


# --- outputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stdin,kind",
    [
        pytest.param(POD, "Pod", id="one-document-is-the-object"),
        pytest.param(SERVICE + "---\n" + POD, "List", id="several-make-a-v1-List"),
        pytest.param("# only a comment\n", "List", id="none-is-an-empty-List"),
    ],
)
def test_output_format_json(stdin: str, kind: str) -> None:
    result = inject("-q", "--output-format", "json", stdin=stdin)
    assert result.exit_code == 0, result.stderr
    value = json.loads(result.stdout)
    assert value["kind"] == kind
    if kind == "List":
        assert value["apiVersion"] == "v1" and len(value["items"]) == stdin.count("kind:")
    assert result.stdout.startswith('{\n    "')


def test_in_place_rewrites_each_file_keeping_mode(tmp_path: Path) -> None:
    yaml_file, json_file = tmp_path / "pod.yaml", tmp_path / "pod.json"
    yaml_file.write_text(POD)
    json_file.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "j"},
                "spec": {"containers": [{"name": "app", "image": "nginx"}]},
            }
        )
    )
    os.chmod(yaml_file, 0o640)
    result = inject("--in-place", "-f", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "istio-proxy" in yaml_file.read_text() and yaml_file.stat().st_mode & 0o777 == 0o640
    assert json.loads(json_file.read_text())["metadata"]["name"] == "j", "a .json file stays JSON"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pod.json", "pod.yaml"], "no temporary files left"


def test_in_place_writes_nothing_when_any_file_fails(tmp_path: Path) -> None:
    good, bad = tmp_path / "a.yaml", tmp_path / "b.yaml"
    good.write_text(POD)
    bad.write_text("kind: Pod\nmetadata: [\n")
    result = inject("--in-place", "-f", str(tmp_path))
    assert result.exit_code == 1
    assert good.read_text() == POD and bad.read_text() == "kind: Pod\nmetadata: [\n"
    assert result.stderr.strip().splitlines()[-1].startswith(f"Error: {bad}: document 1")


# --- summary, -q, --fail-on-skip ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args,code,tail",
    [
        pytest.param([], 0, "has host networking enabled\n\n2 workloads: 1 injected, 1 skipped\n", id="summary"),
        pytest.param(
            ["-v"],
            0,
            "pod/p injected\npod/h skipped: host networking\n2 workloads: 1 injected, 1 skipped\n",
            id="verbose",
        ),
        pytest.param(["-q"], 0, "has host networking enabled\n\n", id="quiet-keeps-istioctl-warnings-only"),
        pytest.param(["--fail-on-skip"], 1, "Error: 1 workload skipped (--fail-on-skip)\n", id="fail-on-skip"),
    ],
)
def test_summary_and_exit_codes(args: list[str], code: int, tail: str) -> None:
    result = inject(*args, stdin=POD + "---\n" + HOST_POD)
    assert result.exit_code == code
    assert result.stderr.endswith(tail)
    assert result.stdout.count("---\n") == 2, "the output is written either way"


def test_fail_on_skip_passes_when_nothing_was_skipped() -> None:
    assert inject("-q", "--fail-on-skip", stdin=POD).exit_code == 0


def test_settings_from_environment_variables() -> None:
    result = invoke_without_offline(env={"SIDECARCTL_OFFLINE": "true", "SIDECARCTL_REVISION": "canary"})
    assert result.exit_code == 0, result.stderr
    assert '"revision":"canary"' in result.stdout


def invoke_without_offline(env: dict[str, str]) -> object:
    from workflow_support import invoke

    return invoke("kube-inject", "-q", stdin=POD, env=env)


# --- views --------------------------------------------------------------------------------------


def test_diff_shows_only_changed_documents() -> None:
    result = inject("-q", "--diff", stdin=SERVICE + "---\n" + POD)
    assert result.exit_code == 0, result.stderr
    assert "--- a/-#2\n+++ b/-#2\n" in result.stdout and "a/-#1" not in result.stdout
    assert "+  - name: istio-proxy\n" in result.stdout or "+    name: istio-proxy\n" in result.stdout
    assert "\033[" not in result.stdout, "no colour when stdout is not a terminal"


def test_diff_with_preserved_formatting_is_only_the_sidecar() -> None:
    result = inject("-q", "--diff", "--preserve-formatting", "-f", str(SHOP))
    removed = [line for line in result.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == [], "nothing of the input is rewritten"
    assert "#2" in result.stdout and "#1" not in result.stdout and "#3" not in result.stdout


def test_patch_documents_target_each_injected_workload() -> None:
    import yaml

    result = inject("-q", "--patch", "-f", str(SHOP))
    patches = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    assert [(p["apiVersion"], p["kind"], p["metadata"]["name"], p["metadata"]["namespace"]) for p in patches] == [
        ("apps/v1", "Deployment", "web", "shop")
    ]
    spec = patches[0]["spec"]["template"]["spec"]
    assert spec["containers"][0] == {"$patch": "replace"}, "kustomize keeps Istio's order only for a whole list"
    assert [c["name"] for c in spec["containers"][1:]] == ["web", "istio-proxy"]
    assert "replicas" not in patches[0]["spec"]


def test_preserve_formatting_keeps_every_comment_and_unchanged_documents() -> None:
    source = SHOP.read_text()
    result = inject("-q", "--preserve-formatting", "-f", str(SHOP))
    assert result.exit_code == 0, result.stderr
    comments = [line[line.index("#") :] for line in source.splitlines() if "#" in line]
    for comment in comments:
        assert comment in result.stdout, comment
    service, _, _ = source.partition("--- # the Deployment\n")
    assert result.stdout.startswith(service + "--- # the Deployment\n")
    assert result.stdout.endswith(source[source.index("# A database") :]), "the skipped StatefulSet is as it was"
    assert 'version: "v1"   # quoted on purpose' in result.stdout
    closing = result.stdout.index("      # end of containers\n")
    assert result.stdout.rindex("name: istio-proxy", 0, closing) > result.stdout.index("image: nginx:1.27  # pinned")
    assert result.stdout[closing:].split("\n")[1] == "      initContainers:", "the list's closing comment closes it"


# --- preserve-formatting styles, in place, JSON; diff colour; patch as JSON ----------------------

_STYLES = {
    "kubectl": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p  # keep\nspec:\n  containers:\n  - name: app\n    image: nginx\n",
    "indented": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p  # keep\nspec:\n  containers:\n    - name: app\n      image: nginx\n",
    "four": "apiVersion: v1\nkind: Pod\nmetadata:\n    name: p  # keep\nspec:\n    containers:\n    -   name: app\n        image: nginx\n",
}


@pytest.mark.parametrize("style", sorted(_STYLES))
def test_preserve_formatting_keeps_the_indentation_style(style: str) -> None:
    text = _STYLES[style]
    result = inject("-q", "--preserve-formatting", stdin=text)
    assert result.exit_code == 0, result.stderr
    container_lines = text.splitlines()[-2:]
    assert all(line in result.stdout.splitlines() for line in container_lines)
    assert "name: p  # keep" in result.stdout
    item = container_lines[0][: container_lines[0].index("name")]
    assert f"\n{item}name: istio-proxy\n" in result.stdout or f"\n{item}args:\n" in result.stdout


def test_preserve_formatting_of_json_stays_json(tmp_path: Path) -> None:
    source = tmp_path / "pod.json"
    value = {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": "j"},
        "spec": {"containers": [{"name": "app", "image": "nginx"}]},
    }
    source.write_text(json.dumps(value, indent=2) + "\n")
    result = inject("-q", "--in-place", "--preserve-formatting", "-f", str(source))
    assert result.exit_code == 0, result.stderr
    written = source.read_text()
    assert list(json.loads(written))[:2] == ["kind", "apiVersion"], "key order kept"
    assert written.startswith('{\n  "kind": "Pod",\n')


def test_in_place_with_preserved_formatting(tmp_path: Path) -> None:
    target = tmp_path / "shop.yaml"
    target.write_text(SHOP.read_text())
    result = inject("-q", "--in-place", "--preserve-formatting", "-f", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_text() == inject("-q", "--preserve-formatting", "-f", str(SHOP)).stdout
    assert "# end of containers" in target.read_text()


def test_diff_colours_for_a_terminal() -> None:
    from sidecarctl.workflow.diff import unified

    coloured = unified("a\nb\n", "a\nc\n", "a/x", "b/x", color=True)
    assert "\033[31m-b\033[0m\n" in coloured and "\033[32m+c\033[0m\n" in coloured
    assert unified("a\n", "a\n", "a/x", "b/x") == ""


def test_patch_as_json() -> None:
    result = inject("-q", "--patch", "--output-format", "json", stdin=POD)
    value = json.loads(result.stdout)
    assert value["kind"] == "Pod" and value["metadata"]["name"] == "p" and "annotations" in value["metadata"]
    assert value["spec"]["containers"][0] == {"$patch": "replace"}
    assert not [key for key in value["spec"] if key.startswith("$")], "no directive kustomize ignores"


def test_summary_names_the_file_of_each_workload_when_there_are_several(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(POD)
    (tmp_path / "b.yaml").write_text(SERVICE + "---\n" + HOST_POD)
    result = inject("-v", "-f", str(tmp_path))
    assert result.stderr.endswith(
        f"{tmp_path}/a.yaml: pod/p injected\n{tmp_path}/b.yaml: pod/h skipped: host networking\n"
        "2 workloads in 2 files: 1 injected, 1 skipped\n"
    )


def test_summary_when_nothing_is_a_workload() -> None:
    assert inject(stdin=SERVICE).stderr == "0 workloads: 0 injected, 0 skipped\n"


def test_in_place_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    service = tmp_path / "svc.yaml"
    service.write_text(SERVICE + "---\n")
    os.utime(service, (1_000_000, 1_000_000))
    result = inject("-q", "--in-place", "-f", str(service))
    assert result.exit_code == 0, result.stderr
    assert service.stat().st_mtime == 1_000_000


def test_preserve_formatting_keeps_crlf_line_endings(tmp_path: Path) -> None:
    target = tmp_path / "crlf.yaml"
    text = POD.replace("kind: Pod", "kind: Pod  # windows-authored").replace("\n", "\r\n")
    target.write_bytes(text.encode())
    result = inject("-q", "--in-place", "--preserve-formatting", "-f", str(target))
    assert result.exit_code == 0, result.stderr
    written = target.read_bytes().decode()
    assert "# windows-authored\r\n" in written and "istio-proxy" in written
    assert written.count("\n") == written.count("\r\n")  # every line ends CRLF
