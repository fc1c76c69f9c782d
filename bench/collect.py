"""Figures of one part of bench/run.sh, with their baselines, ratios and targets (stdlib only).

usage: python3 bench/collect.py PART OUT [--rc N] [--seconds S] [--load-before "a b c"]
                                [--load-after "a b c"] [--quick] [--note TEXT]
       python3 bench/collect.py machine OUT [--quick] [--parts LIST] [--load-before …]

Reads what the part wrote into OUT/PART/ and writes OUT/PART.json:
  {"part", "status", "rc", "seconds", "load_before", "load_after", "quick", "note",
   "figures": [{"name", "value", "unit", "baseline_name", "baseline", "ratio",
                "target", "met", "note"}]}
`met` is true/false, or null where the figure has no target (context) or was not measured.
`machine` writes OUT/machine.json (CPU, memory, kernel, PostgreSQL, commit, load).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from parts import PARTS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def run(*command: str) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return (result.stdout or result.stderr).strip()


def proc_field(path: str, key: str) -> str:
    with open(path) as f:
        for line in f:
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    return ""


def machine(args: argparse.Namespace) -> dict:
    mem_kb = int(proc_field("/proc/meminfo", "MemTotal").split()[0] or 0)
    commit = run("git", "-C", str(REPO), "rev-parse", "--short", "HEAD")
    dirty = run("git", "-C", str(REPO), "status", "--porcelain", "--", "src", "bench")
    psql = ("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atqc", "SHOW server_version", "postgres")
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": platform.node(),
        "nproc": os.cpu_count(),
        "cpu": proc_field("/proc/cpuinfo", "model name"),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "postgresql": run(*psql),
        "python": platform.python_version(),
        "wrk": " ".join(run("wrk", "-v").split()[:2]),
        "commit": commit + ("+dirty" if dirty else ""),
        "branch": run("git", "-C", str(REPO), "rev-parse", "--abbrev-ref", "HEAD"),
        "parts": args.parts,
        "quick": args.quick,
        "load_before": args.load_before,
        "load_after": args.load_after,
        "seconds": args.seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("part")
    parser.add_argument("out")
    parser.add_argument("--rc", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--load-before", default="")
    parser.add_argument("--load-after", default="")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--note", default="")
    parser.add_argument("--parts", default="")
    args = parser.parse_args()
    out = Path(args.out)
    if args.part == "machine":
        (out / "machine.json").write_text(json.dumps(machine(args), indent=1) + "\n")
        return
    figures: list[dict] = []
    status = "ok" if args.rc == 0 else f"failed (exit {args.rc})"
    if args.note.startswith("not available"):
        status = args.note
    else:
        if args.note:
            status += f"; {args.note}"
        try:
            figures = PARTS[args.part](out, args.quick)
        except (OSError, ValueError, KeyError, TypeError) as error:
            status += f"; figures incomplete: {type(error).__name__}: {error}"
    result = {
        "part": args.part, "status": status, "rc": args.rc, "seconds": args.seconds,
        "load_before": args.load_before, "load_after": args.load_after,
        "quick": args.quick, "note": args.note, "figures": figures,
    }  # fmt: skip
    (out / f"{args.part}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"{args.part}: {status}, {len(figures)} figures", file=sys.stderr)


if __name__ == "__main__":
    main()
