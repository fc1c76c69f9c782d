"""Three simultaneous registration rushes and the event page on a generated city, through the
reference stack of deploy/ on this machine (tests/live/stack.py): PgBouncer in transaction
mode, two app servers with the kaisai-web@ unit's command line and KAISAI_PGBOUNCER=true,
Redis for the cache, nginx terminating TLS in front. wrk through ../shared/bench/run_wrk.sh
with a fresh API token per request (bench/rush/request_tokens.lua)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from kaisai.accounts.services import create_api_tokens, create_users_without_password
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.models import Group, Organizer
from kaisai.registrations import services
from tests.live.conftest import free_port
from tests.live.stack import environment_file, exec_start, nginx, pgbouncer, wait_for_url

ROOT = Path(__file__).resolve().parents[2]
RUSH_LUA = ROOT / "bench" / "rush" / "request_tokens.lua"
REDIS_DB = os.environ.get("CITY_REDIS_DB", "13")


def shared_bench() -> Path:
    path = Path(os.environ.get("SHARED_BENCH", ROOT.parent / "shared" / "bench")).resolve()
    if not (path / "run_wrk.sh").exists():
        sys.exit(f"the wrk harness is not at {path} (set SHARED_BENCH)")
    return path


def rush_frame(group: Group, capacity: int, name: str) -> int:
    owner = Organizer.objects.filter(group=group).first().user
    starts = timezone.now() + timedelta(days=30)
    event = Event.objects.create(
        group=group,
        title=f"Rush {name}",
        status=EventStatus.PUBLISHED,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="City hall",
        published_at=timezone.now(),
    )
    return services.create_frame(event=event, by=owner, capacity=capacity, name=name).pk


def token_file(prefix: str, count: int, path: Path) -> Path:
    with path.open("w") as out:
        for start in range(0, count, 5000):
            names = [f"{prefix}{i}" for i in range(start, min(start + 5000, count))]
            users = create_users_without_password(nicknames=names)
            out.writelines(f"{key}\n" for _token, key in create_api_tokens(users=users))
    return path


def frame_check(frame_id: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT f.capacity, f.accepted_count,
                   count(*) FILTER (WHERE r.status = 'accepted'),
                   count(*) FILTER (WHERE r.status = 'waitlisted'),
                   count(DISTINCT r.waitlist_key),
                   count(r.id), count(DISTINCT r.user_id)
            FROM registrations_frame f LEFT JOIN registrations_registration r ON r.frame_id = f.id
            WHERE f.id = %s GROUP BY f.id
            """,
            [frame_id],
        )
        cap, counter, accepted, waitlisted, keys, total, people = cursor.fetchone()
    return {
        "capacity": cap,
        "accepted": accepted,
        "counter": counter,
        "waitlisted": waitlisted,
        "registrations": total,
        "oversold": max(0, accepted - cap),
        "counter_ok": counter == accepted,
        "waitlist_keys_distinct": keys == waitlisted,
        "one_per_person": people == total,
    }


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(args) -> None:
    shared = shared_bench()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path(args.out or ROOT / "bench" / "out" / f"city-{stamp}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kaisai-city-"))
    os.chmod(work, 0o755)  # noqa: S103 (nginx workers read from here)
    data_dir = work / "data"
    data_dir.mkdir()
    os.chmod(data_dir, 0o755)  # noqa: S103

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM accounts_user), (SELECT count(*) FROM events_event),"
            " (SELECT count(*) FROM registrations_registration)"
        )
        people, events, registrations = cursor.fetchone()
    city = {"people": people, "events": events, "registrations": registrations}
    if city["events"] < 4:
        sys.exit("no city in this database: python -m bench.city generate first")
    # The event page of a big city event: the upcoming one with the most registrations.
    page_event = (
        Event.objects.filter(starts_at__gt=timezone.now(), status=EventStatus.PUBLISHED)
        .annotate(n=Count("registrations"))
        .order_by("-n", "id")
        .values_list("pk", "n")
        .first()
    )
    groups = list(Group.objects.order_by("id")[:3])
    print(
        f"### {time.strftime('%H:%M:%S')} objects: 3 rush frames, 3 × {args.people_per_rush} tokens"
    )
    frames, tokens = [], []
    for index, group in enumerate(groups):
        frames.append(rush_frame(group, args.capacity, f"rush{stamp}-{index}"))
        tokens.append(token_file(f"rush{stamp}x{index}u", args.people_per_rush,
                                 work / f"tokens{index}.txt"))  # fmt: skip
    warm_frame = rush_frame(groups[0], 100_000, f"warm{stamp}")
    warm_tokens = token_file(f"warm{stamp}u", 1500, work / "tokens_warm.txt")

    # The shared harness with our request script (a fresh token per request), as bench/rush.
    harness = work / "harness"
    (harness / "wrk").mkdir(parents=True)
    for name in ("run_wrk.sh",):
        (harness / name).symlink_to(shared / name)
    (harness / "wrk" / "request.lua").symlink_to(RUSH_LUA)

    logs = out / "logs"
    logs.mkdir(exist_ok=True)
    subprocess.run(["redis-cli", "-n", REDIS_DB, "FLUSHDB"], check=False, capture_output=True)
    processes: list[subprocess.Popen] = []
    with ExitStack() as stack:
        bouncer = stack.enter_context(pgbouncer())
        app_ports = [free_port(), free_port()]
        http_port, https_port = free_port(), free_port()
        base = f"https://localhost:{https_port}"
        db_user = connection.settings_dict.get("USER") or "postgres"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("KAISAI_", "DJANGO_"))},
            **environment_file(
                SECRET_KEY="city-benchmark-" + "k" * 50,
                ALLOWED_HOSTS="localhost,127.0.0.1",
                KAISAI_BASE_URL=base,
                KAISAI_DATA_DIR=str(data_dir),
                DATABASE_URL=f"postgres://{db_user}@127.0.0.1:{bouncer}/kaisai",
                REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
                EMAIL_URL="",
                KAISAI_LOG_LEVEL="WARNING",
            ),
        }
        kaisai = str(Path(sys.executable).parent / "kaisai")
        done = subprocess.run([kaisai, "collectstatic", "--noinput"], env=env,
                              capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        try:
            for index, port in enumerate(app_ports):
                log = (logs / f"web{index}.log").open("w")
                command = exec_start("kaisai-web@.service", **{"%i": str(port)})
                processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=log))
                wait_for_url(f"http://127.0.0.1:{port}/healthz", processes[-1],
                             logs / f"web{index}.log")  # fmt: skip
            stack.enter_context(nginx(work / "nginx", app_ports, data_dir, http_port, https_port))
            results = measure(args, shared, harness, base, frames, tokens, warm_frame,
                              warm_tokens, page_event, out)  # fmt: skip
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            shutil.rmtree(work, ignore_errors=True)  # token files, certificate, static
    results["checks"] = [frame_check(f) for f in frames]
    results["city"] = city
    results["page_event"] = {"id": page_event[0], "registrations": page_event[1]}
    results["machine"] = machine()
    results["load_after"] = loadavg()
    results["command"] = (
        f"bench/city/run.sh  # rush --capacity {args.capacity} --people-per-rush "
        f"{args.people_per_rush} --connections {args.connections} --duration {args.duration}"
    )
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print(report(results))
    (out / "summary.md").write_text(report(results))
    for index in range(2):
        text = (logs / f"web{index}.log").read_text()
        if "Traceback" in text:
            print(f"WARNING: tracebacks in {logs / f'web{index}.log'}")


def wrk(shared_or_harness: Path, base: str, path: str, *, tokens: Path | None, body: str | None,
        ok: str, connections: int, duration: str, env_extra=None) -> subprocess.Popen:  # fmt: skip
    command = [str(shared_or_harness / "run_wrk.sh"), "-u", base, "-p", path, "-k", ok,
               "-c", str(connections), "-d", duration]  # fmt: skip
    if body:
        command += ["-b", body]
    env = dict(os.environ)
    if tokens:
        env.update(RUSH_TOKENS=str(tokens), RUSH_THREADS="2")
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def measure(args, shared, harness, base, frames, tokens, warm_frame, warm_tokens, page_event, out):
    api = "/api/v1/registrations/"
    os.environ["RUSH_BASE_LUA"] = str(shared / "wrk" / "request.lua")
    print(f"### {time.strftime('%H:%M:%S')} warm-up")
    warm = wrk(harness, base, api, tokens=warm_tokens, body=f'{{"frame_id": {warm_frame}}}',
               ok="201", connections=16, duration="3s")  # fmt: skip
    warm.communicate()
    time.sleep(3)
    load_before = loadavg()
    print(f"### {time.strftime('%H:%M:%S')} three rushes (load {load_before})")
    runs = [
        wrk(harness, base, api, tokens=tokens[i], body=f'{{"frame_id": {frames[i]}}}', ok="201",
            connections=args.connections, duration=args.duration)
        for i in range(3)
    ]  # fmt: skip
    rushes = []
    for i, process in enumerate(runs):
        stdout, stderr = process.communicate()
        (out / f"rush{i}.wrk.txt").write_text(stderr)
        rushes.append(json.loads(stdout.strip().splitlines()[-1]))
    time.sleep(3)
    load_between = loadavg()
    print(f"### {time.strftime('%H:%M:%S')} event page /events/{page_event[0]}/")
    page = wrk(shared, base, f"/events/{page_event[0]}/", tokens=None, body=None, ok="200",
               connections=args.connections, duration=args.duration)  # fmt: skip
    stdout, stderr = page.communicate()
    (out / "page.wrk.txt").write_text(stderr)
    return {
        "load_before": load_before,
        "load_between": load_between,
        "rushes": rushes,
        "page": json.loads(stdout.strip().splitlines()[-1]),
        "frames": frames,
        "args": vars(args),
    }


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())  # fmt: skip
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(mem) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "postgres": pg,
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def report(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, Linux {m['kernel']}, "
        f"PostgreSQL {m['postgres']}; kaisai {m['commit']}; {m['date']}.",
        f"Load average (1/5/15 min): before the rushes {r['load_before']}, after them "
        f"{r['load_between']}, at the end {r['load_after']}.",
        f"City: {r['city']['people']} people, {r['city']['events']} events, "
        f"{r['city']['registrations']} registrations; event page: event {r['page_event']['id']} "
        f"({r['page_event']['registrations']} registrations).",
        "",
        "| run | 201/s | requests/s | p50 ms | p99 ms | status codes | accepted / capacity "
        "| counter = facts | waitlisted (keys distinct) | oversold |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, (w, c) in enumerate(zip(r["rushes"], r["checks"], strict=True)):
        lines.append(
            f"| rush {i + 1} | {w['ok_per_s']:.0f} | {w['rps']:.0f} | {w['latency_ms']['p50']:.0f} "
            f"| {w['latency_ms']['p99']:.0f} | {json.dumps(w['status'])} | "
            f"{c['accepted']} / {c['capacity']} | {'yes' if c['counter_ok'] else 'NO'} | "
            f"{c['waitlisted']} ({'yes' if c['waitlist_keys_distinct'] else 'NO'}) | "
            f"{c['oversold']} |"
        )
    total = sum(w["ok_per_s"] for w in r["rushes"])
    lines.append(f"| all three | {total:.0f} | {sum(w['rps'] for w in r['rushes']):.0f} | | | | "
                 "| | | |")  # fmt: skip
    p = r["page"]
    lines += [
        "",
        f"Event page (anonymous GET through nginx): {p['rps']:.0f} requests/s, "
        f"p50 {p['latency_ms']['p50']:.0f} ms, p99 {p['latency_ms']['p99']:.0f} ms, "
        f"status {json.dumps(p['status'])}.",
    ]
    return "\n".join(lines) + "\n"
