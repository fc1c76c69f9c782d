"""Summary of one bench/rush/run.sh invocation: a row per run and the ratios to the baselines.

usage: python3 bench/rush/report.py OUTDIR      (stdlib only; prints Markdown)

Reads OUTDIR/kaisai_*.json and OUTDIR/pretix_*.json (../shared/bench/measure.sh results) and
OUTDIR/*.pgbench.json (run_pgbench.sh). "registered/s" is successful requests per second
(kaisai: 201, accepted or waitlisted; pretix: 201; pgbench: transactions); "accepted" is
counted in the database after the run. Errors are non-success statuses plus socket errors.
"""

from __future__ import annotations

import glob
import json
import os
import re
import sys

TARGET_PRETIX = 20.0  # × pretix's registrations/s
TARGET_PGBENCH = 0.25  # of the pgbench figure of the same run
TARGET_P99_MS = 100.0  # at 64 clients


def read_json(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def pgbench_row(data: dict) -> dict:
    lat = data["latency_ms"]
    return {
        "system": "pgbench", "run": data["script"], "conns": data["clients"],
        "rate": data["tps"] or 0.0, "p50": lat["p50"], "p99": lat["p99"],
        "errors": data["failed"] or 0, "accepted": f"{data['registrations']}/{data['capacity']}",
        "oversold": data["oversold"], "note": "",
    }  # fmt: skip


def http_row(name: str, data: dict) -> dict:
    wrk, check = data["wrk"], data.get("check") or {}
    system, run = name.split("_", 1)
    conns = int(re.findall(r"c(\d+)", run)[-1])
    errors = sum(n for code, n in wrk["status"].items() if code != "201")
    errors += sum(v for k, v in wrk["socket_errors"].items() if k != "status_non2xx3xx")
    cpu, nreq = data.get("cpu_s", {}), max(wrk["requests"], 1)
    note = []
    if "counter_ok" in check and not check["counter_ok"]:
        note.append("COUNTER != FACTS")
    if check.get("waitlisted"):
        note.append(f"waitlisted {check['waitlisted']}")
    if "audit" in check:
        note.append(f"audit rows {check['audit']}, mails {check['outbox']}")
    note.append(f"CPU ms/req: app {1000 * cpu.get('app', 0) / nreq:.1f}")
    note.append(f"db {1000 * max(cpu.get('db', 0), 0) / nreq:.1f}")
    size = check.get("size", "?")
    return {
        "system": system, "run": run, "conns": conns, "rate": wrk["ok_per_s"],
        "p50": wrk["latency_ms"]["p50"], "p99": wrk["latency_ms"]["p99"], "errors": errors,
        "accepted": f"{check.get('sold', '?')}/{size}", "oversold": check.get("oversold", "?"),
        "note": ", ".join(note),
    }  # fmt: skip


def load(outdir: str) -> list[dict]:
    rows = []
    for path in sorted(glob.glob(os.path.join(outdir, "*.json"))):
        name = os.path.basename(path)[: -len(".json")]
        data = read_json(path)
        if name.endswith(".pgbench"):
            rows.append(pgbench_row(data))
        elif "wrk" in data:
            rows.append(http_row(name, data))
    order = {"kaisai": 0, "pretix": 1, "pgbench": 2}
    rows.sort(key=lambda r: (order.get(r["system"], 9), r["run"], r["conns"]))
    return rows


def pick(rows: list[dict], system: str, run_rx: str, conns: int) -> dict | None:
    for row in rows:
        if row["system"] == system and re.search(run_rx, row["run"]) and row["conns"] == conns:
            return row
    return None


def ratio(a: dict | None, b: dict | None) -> float | None:
    return a["rate"] / b["rate"] if a and b and b["rate"] else None


def show(value: float | None, fmt: str) -> str:
    return fmt.format(value) if value is not None else "–"


def main(outdir: str) -> None:
    rows = load(outdir)
    machine = os.path.join(outdir, "machine.txt")
    if os.path.exists(machine):
        with open(machine) as f:
            print("```\n" + f.read().rstrip() + "\n```\n")
    print("| system | run | clients | registered/s | p50 ms | p99 ms | errors | accepted "
          "| oversold | notes |\n|---|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    for r in rows:
        print(f"| {r['system']} | {r['run']} | {r['conns']} | {r['rate']:.1f} | {r['p50']:.1f} "
              f"| {r['p99']:.1f} | {r['errors']} | {r['accepted']} | {r['oversold']} "
              f"| {r['note']} |")  # fmt: skip

    print(
        "\n| clients | kaisai/s | pretix/s | kaisai/pretix | pgbench counter/s | kaisai/counter "
        "| pgbench counter_cte/s | kaisai/counter_cte |\n|---|---|---|---|---|---|---|---|"
    )
    verdict = []
    for conns in sorted({r["conns"] for r in rows if r["system"] == "kaisai"}):
        k = pick(rows, "kaisai", r"^unl", conns)
        if k is None:
            continue
        p = pick(rows, "pretix", r"unl", conns)
        c = pick(rows, "pgbench", r"^counter$", conns)
        cte = pick(rows, "pgbench", r"^counter_cte$", conns)
        x_p, x_c, x_cte = ratio(k, p), ratio(k, c), ratio(k, cte)
        print(f"| {conns} | {k['rate']:.0f} | {show(p and p['rate'], '{:.1f}')} "
              f"| {show(x_p, '{:.0f}×')} | {show(c and c['rate'], '{:.0f}')} "
              f"| {show(x_c and 100 * x_c, '{:.0f} %')} | {show(cte and cte['rate'], '{:.0f}')} "
              f"| {show(x_cte and 100 * x_cte, '{:.0f} %')} |")  # fmt: skip
        if x_p is not None:
            verdict.append((f"≥ {TARGET_PRETIX:.0f}× pretix at c{conns}",
                            x_p >= TARGET_PRETIX, f"{x_p:.1f}×"))  # fmt: skip
        for label, x in (("counter", x_c), ("counter_cte", x_cte)):
            if x is not None:
                verdict.append((f"≥ 25 % of pgbench {label} at c{conns}",
                                x >= TARGET_PGBENCH, f"{100 * x:.0f} %"))  # fmt: skip
    for r in rows:
        if r["system"] == "kaisai" and r["conns"] == 64:
            verdict.append((f"p99 < {TARGET_P99_MS:.0f} ms ({r['run']})",
                            r["p99"] < TARGET_P99_MS, f"{r['p99']:.0f} ms"))  # fmt: skip
    kaisai = [r for r in rows if r["system"] == "kaisai"]
    if kaisai:
        over = sum(r["oversold"] if isinstance(r["oversold"], int) else 1 for r in kaisai)
        facts = not any("COUNTER" in r["note"] for r in kaisai)
        errors = sum(r["errors"] for r in kaisai)
        verdict.append(("0 oversold, seat counter = accepted rows", over == 0 and facts,
                        f"{over} oversold"))  # fmt: skip
        verdict.append(("0 errors", errors == 0, str(errors)))
    print("\n| target | met | value |\n|---|---|---|")
    for what, ok, value in verdict:
        print(f"| {what} | {'yes' if ok else '**no**'} | {value} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/out")
