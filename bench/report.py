"""The Markdown report of one bench/run.sh invocation, and bench/RESULTS.md's block of it.

usage: python3 bench/report.py OUT [--results bench/RESULTS.md]

Reads OUT/machine.json and OUT/PART.json (bench/collect.py) and writes OUT/report.md. With
--results, replaces the block between the markers below in that file with the report (the
block is put at the top when absent), so the file's older sections stay. Stdlib only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

BEGIN = "<!-- bench:run.sh begin -->"
END = "<!-- bench:run.sh end -->"
ORDER = ["rush", "page", "search", "lottery", "mail", "memory"]
TITLES = {
    "rush": "Registration rush (bench/rush/run.sh)",
    "page": "Event page (bench/page/run.sh)",
    "search": "Search (bench/search/run.sh)",
    "lottery": "Lottery draw (python -m bench.lottery)",
    "mail": "Mail throughput (bench/mail/run.py)",
    "memory": "Memory (worker RSS)",
}


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if value else "0"
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip() if unit and unit != "/s" else text + (unit or "")


def verdict(figure: dict) -> str:
    if not figure["target"]:
        return "context"
    if figure["met"] is None:
        return "not measured"
    return "yes" if figure["met"] else "**no**"


def escape(text: str) -> str:
    return text.replace("|", "\\|")


def render(out: Path) -> str:
    machine = json.loads((out / "machine.json").read_text())
    parts = {p: json.loads((out / f"{p}.json").read_text()) for p in ORDER
             if (out / f"{p}.json").exists()}  # fmt: skip
    lines = [
        f"## Latest `bench/run.sh` ({machine['date']}, commit {machine['commit']})",
        "",
    ]
    if machine.get("quick"):
        lines += [
            "**Quick run (`--quick`)**: small sizes and 5 s runs, a smoke test of the command. "
            "These figures are **not** the targets' figures: the targets are for the full sizes "
            "(`bench/run.sh` without `--quick`) on a quiet machine.",
            "",
        ]
    lines += [
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory_gib']} GiB, "
        f"kernel {machine['kernel']}, PostgreSQL {machine['postgresql']}, "
        f"Python {machine['python']}, {machine['wrk']}. "
        f"Load average (1/5/15 min) before: {machine['load_before']}, after: "
        f"{machine['load_after']}; {machine['seconds'] or 0:.0f} s in all. "
        f"Parts: {machine['parts']}.",
        "",
        "| part | status | seconds | load before | load after |",
        "|---|---|---|---|---|",
    ]
    for name, part in parts.items():
        lines.append(f"| {name} | {escape(part['status'])} | {part['seconds'] or 0:.0f} "
                     f"| {part['load_before']} | {part['load_after']} |")  # fmt: skip
    summary = [(f, name) for name, part in parts.items() for f in part["figures"] if f["target"]]
    met = sum(1 for f, _ in summary if f["met"])
    missed = sum(1 for f, _ in summary if f["met"] is False)
    caveat = " (quick sizes: not the targets)" if machine.get("quick") else ""
    lines += [
        "",
        f"Targets: {met} met, {missed} not met, {len(summary) - met - missed} not measured"
        f"{caveat}.",
        "",
    ]
    for name, part in parts.items():
        lines += [f"### {TITLES.get(name, name)}", ""]
        if not part["figures"]:
            lines += [f"{part['status']}.", ""]
            continue
        lines += [
            "| figure | value | baseline (same run) | baseline value | ratio | target | met "
            "| notes |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for f in part["figures"]:
            ratio = f"{f['ratio']:.2f}" if f["ratio"] is not None else "–"
            lines.append(
                f"| {escape(f['name'])} | {number(f['value'], f['unit'])} "
                f"| {escape(f['baseline_name']) or '–'} | {number(f['baseline'], f['unit'])} "
                f"| {ratio} | {escape(f['target']) or '–'} | {verdict(f)} | {escape(f['note'])} |"
            )
        lines.append("")
    try:
        where = out.resolve().relative_to(Path(__file__).resolve().parents[1])
    except ValueError:
        where = out
    lines.append(f"Raw results: `{where}/` (a JSON file per part; each part's own files inside).")
    return "\n".join(lines) + "\n"


def update(results: Path, report: str) -> None:
    block = f"{BEGIN}\n{report}{END}\n"
    text = results.read_text() if results.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + block + ("\n" + tail if tail else "")
    else:
        text = block + ("\n" + text if text else "")
    results.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--results", default="")
    args = parser.parse_args()
    out = Path(args.out)
    report = render(out)
    (out / "report.md").write_text(report)
    if args.results:
        update(Path(args.results), report)
    print(report)


if __name__ == "__main__":
    main()
