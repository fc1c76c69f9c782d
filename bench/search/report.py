"""Markdown table of a search-benchmark OUTDIR (the wrk JSON lines of bench/search/run.sh)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    out = Path(sys.argv[1])
    print((out / "machine.txt").read_text())
    print("| run | conns | req/s | p50 ms | p99 ms | max ms | non-200 | p99 < 50 ms |")
    print("|---|---|---|---|---|---|---|---|")
    for path in sorted(out.glob("*_c*.json")):
        name, _sep, conns = path.stem.rpartition("_c")
        result = json.loads(path.read_text())
        latency = result["latency_ms"]
        bad = result["requests"] - result["ok"]
        met = "yes" if latency["p99"] < 50 else "no"
        print(
            f"| {name} | {conns} | {result['rps']:.0f} | {latency['p50']:.1f} | "
            f"{latency['p99']:.1f} | {latency['max']:.0f} | {bad} | {met} |"
        )


if __name__ == "__main__":
    main()
