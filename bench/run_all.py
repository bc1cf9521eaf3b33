"""Run every benchmark, one after the other, each in its own interpreter (``make bench``).

Usage: python bench/run_all.py [--quick]

Separate processes keep one benchmark's threads, servers and imports from
skewing the next. ``--quick`` is passed to each. The exit code is the worst
of theirs: 0 unless a benchmark could not produce valid numbers.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BENCHMARKS = ("bench_server.py", "bench_production.py", "bench_notebooks.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter, noisier runs (about 10 s for the server part)")
    args = parser.parse_args(argv)
    worst = 0
    began = time.perf_counter()
    for script in BENCHMARKS:
        command = [sys.executable, str(BENCH_DIR / script), *(["--quick"] if args.quick else [])]
        print(f"\n######## {script} ########", flush=True)
        code = subprocess.run(command, cwd=BENCH_DIR.parent).returncode
        if code:
            print(f"######## {script} exited with {code}", flush=True)
        worst = max(worst, code if code > 0 else int(code != 0))  # a negative code means killed by a signal
    print(f"\nall benchmarks took {time.perf_counter() - began:.1f} s")
    return worst


if __name__ == "__main__":
    sys.exit(main())
