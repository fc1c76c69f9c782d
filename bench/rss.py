"""Resident memory of a gunicorn server's worker processes, from /proc (stdlib only).

usage: python3 bench/rss.py MASTER_PID [LABEL]

Prints one JSON line: the master's VmRSS, every direct child's (the app workers) and the
largest of them, in MB (1 MB = 1024 kB, as /proc reports kB). Run it while the server is up:
bench/rush/run.sh and bench/search/run.sh call it right after start-up ("start") and after
their measured runs, before stopping gunicorn ("after").
"""

from __future__ import annotations

import json
import os
import sys


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name (field 2) may contain spaces: the parent pid follows its ")"
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def main() -> None:
    master = int(sys.argv[1])
    label = sys.argv[2] if len(sys.argv) > 2 else ""
    workers = {pid: rss_mb(pid) for pid in children(master)}
    sizes = [mb for mb in workers.values() if mb is not None]
    print(
        json.dumps(
            {
                "label": label,
                "master_pid": master,
                "master_rss_mb": rss_mb(master),
                "workers_rss_mb": {str(pid): mb for pid, mb in workers.items()},
                "max_worker_rss_mb": max(sizes) if sizes else None,
            }
        )
    )


if __name__ == "__main__":
    main()
