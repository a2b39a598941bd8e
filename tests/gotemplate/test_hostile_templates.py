"""Templates a hostile author could write: each must stop with one line naming a limit (or render),
never crash the process, print a traceback or run on past its budget. Each case runs the CLI in a
child process, so a crash (a C stack overflow kills the process) fails its case only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DEEP = '{{ $d := dict }}{{ range until 100000 }}{{ $d = dict "a" $d }}{{ end }}'
CYCLIC = '{{ $d := dict }}{{ $_ := set $d "self" $d }}'
NESTING = "nested deeper than sidecarctl's limit"


def render(tmp_path: Path, template: str, *flags: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "t.tmpl").write_text(template)
    (tmp_path / "data.json").write_text("{}")
    code = "import sys; from sidecarctl.cli import main; main(sys.argv[1:])"
    return subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "template",
            "render",
            *flags,
            "--data",
            str(tmp_path / "data.json"),
            str(tmp_path / "t.tmpl"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "template,message",
    [
        (DEEP + "{{ toYaml $d }}", NESTING),
        (DEEP + "{{ toString $d }}", NESTING),
        (DEEP + "{{ deepEqual $d $d }}", NESTING),
        (DEEP + "{{ omitNil $d }}", NESTING),
        (DEEP + "{{ structToJSON $d }}", NESTING),
        (DEEP + "{{ toPrettyJson $d }}", NESTING),
        (DEEP + "{{ $d }}", NESTING),
        (CYCLIC + "{{ toYaml $d }}", NESTING),
        (CYCLIC + "{{ toJson $d }}", NESTING),
        (CYCLIC + "{{ deepEqual $d $d }}", NESTING),
    ],
    ids=[
        "deep-toYaml",
        "deep-toString",
        "deep-deepEqual",
        "deep-omitNil",
        "deep-structToJSON",
        "deep-toPrettyJson",
        "deep-print",
        "cyclic-toYaml",
        "cyclic-toJson",
        "cyclic-deepEqual",
    ],
)
def test_deep_and_cyclic_values_fail_with_one_line(tmp_path: Path, template: str, message: str) -> None:
    result = render(tmp_path, template)
    assert result.returncode == 1, result.stderr[-2000:]
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
