"""Struct types compile their fields on first use: same results, fewer structs compiled, and
threads that race to first use see complete nodes."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import sys, threading
from sidecarctl import kube
from sidecarctl.kube import typed

pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}},
       "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80}],
                                "resources": {"limits": {"cpu": "1"}}}]}}
mode = sys.argv[1]
if mode == "count":
    kube.normalize(pod)
    structs = [n for n in typed._NODES.values() if isinstance(n, typed.StructNode)]
    complete = [n for n in structs if "fields" in n.__dict__]
    print(len(complete), len(structs))
else:
    results, errors = [], []
    def work():
        try:
            results.append(repr(kube.normalize(pod)))
        except Exception as e:  # a half-built node would show up here
            errors.append(repr(e))
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    print(len(set(results)), len(results), errors)
"""


def run(mode: str) -> str:
    return subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True).stdout


def test_only_the_structs_a_document_reaches_are_compiled() -> None:
    complete, known = (int(x) for x in run("count").split())
    assert 0 < complete < known


def test_threads_racing_to_first_use_agree() -> None:
    assert run("threads").strip() == "1 8 []"
