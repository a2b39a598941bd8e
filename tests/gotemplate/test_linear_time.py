"""Template-controlled text never meets a backtracking regular expression: inputs that take a
backtracking engine minutes (exponential or quadratic) render at once. Each case runs `template
render` in a subprocess under a generous 60 s timeout, so a regression fails instead of hanging;
the speed itself is measured by bench/bench_template_safety.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CASES = [
    # Python's re: 4.8 s at 27 characters, doubling with each more
    ("regex-nested-quantifier", '{{ regexMatch "^(a+)+$" (printf "%sb" (repeat 10000 "a")) }}', "false"),
    ("regexFindAll-nested", '{{ regexFindAll "(a|aa)+$" (printf "%sb" (repeat 10000 "a")) -1 | len }}', "0"),
    ("regexReplaceAll-nested", '{{ regexReplaceAll "(x+x+)+y" (repeat 5000 "x") "-" | len }}', "5000"),
    # Masterminds/semver's constraint pattern: 36 s at 40 characters in Python's re
    ("semver-constraint", '{{ semverCompare (printf "%s!" (repeat 5000 "1   ")) "1.0.0" }}', None),
    # strconv.ParseFloat's syntax check: quadratic in Python's re (6 s at 20,000 digits)
    ("float64-digits", '{{ float64 (printf "%sx" (repeat 200000 "1")) }}', "0"),
]


@pytest.mark.parametrize("template,want", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_renders_at_once(tmp_path: Path, template: str, want: str | None) -> None:
    (tmp_path / "t").write_text(template)
    (tmp_path / "d.json").write_text("{}")
    sidecarctl = Path(sys.executable).parent / "sidecarctl"
    done = subprocess.run(
        [str(sidecarctl), "template", "render", "--data", str(tmp_path / "d.json"), str(tmp_path / "t")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if want is None:
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr
    else:
        assert (done.returncode, done.stdout) == (0, want), done.stderr
