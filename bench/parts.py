"""Per part of bench/run.sh: its figures from the files the part wrote into OUT/PART/, each with
its baseline of the same invocation, the ratio and issue 17's target (stdlib only; used by
bench/collect.py). A figure whose files are missing is kept, with value None ("not measured").
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def load_module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fig(
    name: str, value: float | None, unit: str, *, baseline_name: str = "",
    baseline: float | None = None, ratio: float | None = None, target: str = "",
    met: bool | None = None, note: str = "",
) -> dict:  # fmt: skip
    if value is None:
        met, note = None, "not measured" + (f"; {note}" if note else "")
    elif target and met is None:
        note = "baseline not measured" + (f"; {note}" if note else "")
    return {
        "name": name, "value": value, "unit": unit, "baseline_name": baseline_name,
        "baseline": baseline, "ratio": ratio, "target": target, "met": met, "note": note,
    }  # fmt: skip


def divide(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def read(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def last_json_line(path: Path) -> dict | None:
    """The last line of a script's output that is a JSON object (hlot's scripts print one)."""
    if not path.exists():
        return None
    for line in reversed(path.read_text().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


# --- rush ---------------------------------------------------------------------------------------
def rush(out: Path, quick: bool) -> list[dict]:
    report = load_module("rush_report", HERE / "rush" / "report.py")
    rows = report.load(str(out / "rush"))
    pick = report.pick
    figures = []
    for conns in (16, 64):
        k = pick(rows, "kaisai", r"^unl", conns)
        cte = pick(rows, "pgbench", r"^counter_cte$", conns)
        counter = pick(rows, "pgbench", r"^counter$", conns)
        pretix = pick(rows, "pretix", r"unl", conns)
        rate = k["rate"] if k else None
        x = divide(rate, cte and cte["rate"])
        figures.append(fig(
            f"rush: accepted registrations/s, {conns} clients", rate, "/s",
            baseline_name=f"pgbench counter_cte (one statement), {conns} clients",
            baseline=cte and cte["rate"], ratio=x, target="≥ 0.5 × baseline",
            met=None if x is None else x >= 0.5,
            note=(f"p50 {k['p50']:.0f} ms, p99 {k['p99']:.0f} ms; {k['note']}" if k else ""),
        ))  # fmt: skip
        for label, base in (("pgbench counter (two statements)", counter), ("pretix", pretix)):
            figures.append(fig(
                f"rush: registrations/s, {conns} clients (context)", rate, "/s",
                baseline_name=f"{label}, {conns} clients", baseline=base and base["rate"],
                ratio=divide(rate, base and base["rate"]),
            ))  # fmt: skip
    k64 = pick(rows, "kaisai", r"^unl", 64)
    cte64 = pick(rows, "pgbench", r"^counter_cte$", 64)
    p99 = k64["p99"] if k64 else None
    figures.append(fig(
        "rush: p99 latency, 64 clients", p99, "ms",
        baseline_name="pgbench counter_cte p99, 64 clients", baseline=cte64 and cte64["p99"],
        ratio=divide(p99, cte64 and cte64["p99"]), target="< 100 ms",
        met=None if p99 is None else p99 < 100,
    ))  # fmt: skip
    kaisai = [r for r in rows if r["system"] == "kaisai"]
    if kaisai:
        over = sum(r["oversold"] if isinstance(r["oversold"], int) else 1 for r in kaisai)
        errors = sum(r["errors"] for r in kaisai)
        wrong = sum("COUNTER" in r["note"] for r in kaisai)
        runs = ", ".join(f"{r['run']} {r['accepted']}" for r in kaisai)
        figures.append(fig(
            "rush: oversold + errors + counters ≠ facts (all kaisai runs)", over + errors + wrong,
            "", target="0", met=over + errors + wrong == 0,
            note=f"oversold {over}, errors {errors}, counter ≠ facts {wrong}; accepted: {runs}",
        ))  # fmt: skip
    else:
        figures.append(fig("rush: oversold + errors + counters ≠ facts", None, "", target="0"))
    return figures


# --- event page ---------------------------------------------------------------------------------
def page(out: Path, quick: bool) -> list[dict]:
    d = out / "page"
    figures = []
    for conns in (16, 64):
        pretix = read(d / f"pretix_B_page_c{conns}.json")
        p_rate = pretix["wrk"]["ok_per_s"] if pretix else None
        for who, label in (("anon", "anonymous"), ("user", "logged in")):
            k = read(d / f"kaisai_page_{who}_c{conns}.json")
            rate = k["wrk"]["ok_per_s"] if k else None
            note = ""
            if k:
                w = k["wrk"]
                bad = w["requests"] - w["ok"]
                app_ms = 1000 * k["cpu_s"].get("app", 0) / max(w["requests"], 1)
                lat = w["latency_ms"]
                note = (f"p50 {lat['p50']:.0f} ms, p99 {lat['p99']:.0f} ms, "
                        f"non-200 {bad}, app CPU {app_ms:.1f} ms/page")  # fmt: skip
            x = divide(rate, p_rate)
            figures.append(fig(
                f"event page, {label}: req/s, {conns} connections", rate, "/s",
                baseline_name=f"pretix public event page, {conns} connections", baseline=p_rate,
                ratio=x, target="≥ 30 × baseline", met=None if x is None else x >= 30, note=note,
            ))  # fmt: skip
    queries = read(d / "queries.json")
    for key, label in (("anonymous", "anonymous"), ("logged_in", "logged in")):
        q = queries[key] if queries else None
        # The larger of the two requests: the first fills the page cache (a miss), the next
        # reads it (anonymous); both must stay within the target.
        value = max(q["first"]["queries"], q["next"]["queries"]) if q else None
        note = (
            f"first request {q['first']['queries']}"
            f" (+ {q['first'].get('transaction_control', 0)} BEGIN/COMMIT),"
            f" next {q['next']['queries']}, status {q['next']['status']}"
            if q
            else ""
        )
        figures.append(fig(
            f"event page, {label}: SQL queries", value, "queries", target="≤ 10",
            met=None if value is None else value <= 10, note=note,
        ))  # fmt: skip
    event = read(d / "event.json")
    if event:
        figures[0]["note"] += (f"; event {event['event']}: {event['registrations']} registrations, "
                               f"{event['talks']} talks")  # fmt: skip
    return figures


# --- search -------------------------------------------------------------------------------------
SEARCHES = {
    "page_ja_tokyo": "search page, keyword (ja) + prefecture",
    "page_en_osaka": "search page, keyword (en) + prefecture",
    "v2_ja_tokyo": "API v2, keyword (ja) + prefecture",
}


def search(out: Path, quick: bool) -> list[dict]:
    d = out / "search"
    report = load_module("search_report", HERE / "search" / "report.py")
    conns = sorted({int(m.group(1)) for p in d.glob("*_c*.json")
                    if (m := re.search(r"_c(\d+)$", p.stem))}) or [1, 4]  # fmt: skip

    def server_p99(name: str, c: int) -> float | None:
        times = report.server_ms(d / f"{name}_c{c}.server.txt")
        return report.percentile(times, 0.99) if times else None

    figures = []
    for c in conns:
        home = server_p99("base_home", c)
        for name, label in SEARCHES.items():
            value = server_p99(name, c)
            client = read(d / f"{name}_c{c}.json")
            note = ""
            if client:
                bad = client["requests"] - client["ok"]
                note = (f"client p99 {client['latency_ms']['p99']:.0f} ms, "
                        f"{client['rps']:.0f} req/s, non-200 {bad}")  # fmt: skip
            figures.append(fig(
                f"{label}: server p99, {c} connection{'s' if c > 1 else ''}", value, "ms",
                baseline_name=f"home page server p99, {c} conn.", baseline=home,
                ratio=divide(value, home), target="< 50 ms",
                met=None if value is None else value < 50, note=note,
            ))  # fmt: skip
    machine = d / "machine.txt"
    if machine.exists() and figures:
        sizes = [line for line in machine.read_text().splitlines() if line.startswith("events ")]
        figures[0]["note"] += f"; {sizes[0]}" if sizes else ""
    return figures


# --- lottery ------------------------------------------------------------------------------------
def lottery(out: Path, quick: bool) -> list[dict]:
    r = last_json_line(out / "lottery" / "output.txt")
    n = r.get("applicants") if r else None
    draw = r.get("draw_s") if r else None
    size = f"{n:,} applicants" if n else ""
    peak = r.get("peak_rss_mb") if r else None
    before = r.get("rss_before_mb") if r else None
    return [
        fig(f"lottery draw incl. mails queued ({size})", draw, "s", target="< 2 s at 100,000",
            met=None if draw is None else draw < 2,
            note=(f"mails queued {r.get('mails_queued')}" if r else "")),
        fig("lottery: the draw's own check (ok)", None if r is None else int(bool(r.get("ok"))),
            "", target="1 (ok)", met=None if r is None else bool(r.get("ok"))),
        fig("lottery: peak RSS of the draw process", peak, "MB",
            baseline_name="the same process before the draw", baseline=before,
            ratio=divide(peak, before),
            note=f"tracemalloc peak {r.get('tracemalloc_peak_mb')} MB" if r else ""),
    ]  # fmt: skip


# --- mail ---------------------------------------------------------------------------------------
def mail(out: Path, quick: bool) -> list[dict]:
    r = last_json_line(out / "mail" / "output.txt")
    value = r.get("kaisai_mails_per_s") if r else None
    base = r.get("smtplib_mails_per_s") if r else None
    x = r.get("ratio") if r and r.get("ratio") is not None else divide(value, base)
    return [fig(
        "mail worker: mails/s to aiosmtpd", value, "/s",
        baseline_name="plain smtplib loop, same server", baseline=base, ratio=x,
        target="≥ 0.9 × baseline", met=None if x is None else x >= 0.9,
    )]  # fmt: skip


# --- memory -------------------------------------------------------------------------------------
def memory(out: Path, quick: bool) -> list[dict]:
    figures = []
    servers = (
        ("rush", "after the rush", True),
        ("search", "after the search benchmark", True),
        ("page", "after the event page benchmark (context)", False),
    )
    for part, label, target in servers:
        start, after = read(out / part / "rss_start.json"), read(out / part / "rss_after.json")
        value = after["max_worker_rss_mb"] if after else None
        base = start["max_worker_rss_mb"] if start else None
        note = "" if (out / part).exists() else f"part {part} not run in this invocation"
        if after:
            note = "workers: " + ", ".join(f"{mb} MB" for mb in after["workers_rss_mb"].values())
        figures.append(fig(
            f"largest app worker RSS {label}", value, "MB",
            baseline_name="the same server's largest worker right after start-up",
            baseline=base, ratio=divide(value, base),
            target="< 150 MB" if target else "",
            met=None if value is None or not target else value < 150, note=note,
        ))  # fmt: skip
    r = last_json_line(out / "memory" / "message.txt")
    value = r.get("worker_rss_mb") if r else None
    n = r.get("message", r.get("mails")) if r else None
    figures.append(fig(
        f"worker RSS after a message to {n or 10_000:,} people", value, "MB",
        target="< 150 MB (at 10,000 mails)", met=None if value is None else value < 150,
    ))  # fmt: skip
    return figures


PARTS: dict[str, Callable[[Path, bool], list[dict]]] = {
    "rush": rush, "page": page, "search": search, "lottery": lottery, "mail": mail,
    "memory": memory,
}  # fmt: skip
