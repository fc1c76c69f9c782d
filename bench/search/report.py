"""Markdown table of a search-benchmark OUTDIR (bench/search/run.sh): per run, the client side
(wrk: req/s, p50, p99), the server side (gunicorn's access log, %(D)s µs: p50, p99), and the
server-side p50 as a ratio to the baselines of the same invocation (the home page and the v2
list of an empty month, which passes the same API gate and asks the database almost nothing).
On a shared, loaded machine the ratios and the server-side figures say more than wrk's."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def server_ms(path: Path) -> list[float]:
    """Milliseconds of the 200 answers in a run's access-log lines (`status µs path`)."""
    if not path.exists():
        return []
    times = []
    for line in path.read_text().splitlines():
        status, micros, *_rest = line.split()
        if status == "200":
            times.append(int(micros) / 1000)
    return times


def main() -> None:
    out = Path(sys.argv[1])
    print((out / "machine.txt").read_text())
    runs = []
    for path in sorted(out.glob("*_c*.json")):
        name, _sep, conns = path.stem.rpartition("_c")
        server = server_ms(out / f"{path.stem}.server.txt")
        runs.append((name, conns, json.loads(path.read_text()), server))
    base = {
        (name, conns): percentile(server, 0.5)
        for name, conns, _result, server in runs
        if name in ("base_home", "base_v2_empty")
    }
    print(
        "| run | conns | req/s | p50 ms | p99 ms | non-200 | server p50 ms | server p99 ms "
        "| server p50 ÷ home | server p50 ÷ v2 empty | p99 < 50 ms (client / server) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, conns, result, server in runs:
        latency = result["latency_ms"]
        bad = result["requests"] - result["ok"]
        s50, s99 = percentile(server, 0.5), percentile(server, 0.99)
        ratios = []
        for baseline in ("base_home", "base_v2_empty"):
            b = base.get((baseline, conns))
            ratios.append(f"{s50 / b:.2f}" if b and server else "–")
        met = f"{'yes' if latency['p99'] < 50 else 'no'} / {'yes' if s99 < 50 else 'no'}"
        print(
            f"| {name} | {conns} | {result['rps']:.1f} | {latency['p50']:.1f} | "
            f"{latency['p99']:.1f} | {bad} | {s50:.1f} | {s99:.1f} | {ratios[0]} | {ratios[1]} "
            f"| {met} |"
        )


if __name__ == "__main__":
    main()
