"""Server CPU per uncached review, in-process: what one render worker runs for the sleep pod.

Builds the injector as `webhook serve --offline --injectConfigFile` does (the same inject config as
bench_webhook.py), then times `InjectionService.answer` (the worker's call: review JSON decode,
normalisation, decision, inject, JSON patch diff, the answer) plus the answer's JSON encode, over
distinct uids so nothing is shared between reviews. `--profile N` prints cProfile's top functions.

    python3 bench/bench_review_cpu.py [--reviews 500] [--rounds 5] [--profile 30]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_webhook import inject_config, review, sleep_pod  # noqa: E402
from sidecarctl.webhook.engine import EngineInjector, SettingsFlags  # noqa: E402
from sidecarctl.webhook.service import InjectionService, Options  # noqa: E402


def one_pass(service: InjectionService, bodies: list[bytes]) -> float:
    t0 = time.process_time()
    for body in bodies:
        result, answer, _ = service.answer(body, "/inject")
        if result != "injected":
            raise SystemExit(f"unexpected result {result}: {answer}")
        json.dumps(answer, separators=(",", ":")).encode()
    return time.process_time() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=500, help="reviews per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best is reported")
    parser.add_argument("--profile", type=int, default=0, help="print this many cProfile rows (cumulative)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = inject_config(Path(tmp))
        injector = EngineInjector.load(SettingsFlags(inject_config_file=str(config), offline=True))
    service = InjectionService(injector, None, Options(native_sidecars=False))
    pod = sleep_pod()
    bodies = [review(pod, f"uid-{i}") for i in range(args.reviews)]
    one_pass(service, bodies[:50])  # warm-up: lazy imports, template parse caches
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        one_pass(service, bodies)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    best = min(one_pass(service, bodies) for _ in range(args.rounds))
    print(
        f"server CPU per uncached review (sleep pod): {best / args.reviews * 1000:.3f} ms (best of {args.rounds} x {args.reviews})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
