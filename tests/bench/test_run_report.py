"""bench/run.sh's bookkeeping, so that the one command cannot rot between full runs: the
figures of a part from the files it writes (ratio to the baseline, target met or not, a
missing baseline reported as not measured), the report's block in RESULTS.md (replaced, the
older sections kept; put at the top when absent) and the worker RSS reader (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench import parts, report, rss

ROOT = Path(__file__).resolve().parents[2]


def wrk_result(ok_per_s: float, p99: float = 20.0) -> dict:
    requests = int(ok_per_s * 20)
    return {
        "wrk": {
            "ok_per_s": ok_per_s, "ok": requests, "requests": requests,
            "latency_ms": {"p50": p99 / 2, "p99": p99},
        },
        "cpu_s": {"app": 1.0},
    }  # fmt: skip


def write_page(out: Path, kaisai: float, pretix: float | None, queries: int) -> None:
    page = out / "page"
    page.mkdir(parents=True)
    for conns in (16, 64):
        for who in ("anon", "user"):
            (page / f"kaisai_page_{who}_c{conns}.json").write_text(json.dumps(wrk_result(kaisai)))
        if pretix is not None:
            (page / f"pretix_B_page_c{conns}.json").write_text(json.dumps(wrk_result(pretix)))
    count = {
        "first": {"status": 200, "queries": queries + 2},
        "next": {"status": 200, "queries": queries},
    }
    (page / "queries.json").write_text(json.dumps({"anonymous": count, "logged_in": count}))


def test_event_page_figures_are_ratios_to_pretix_against_the_targets(tmp_path):
    write_page(tmp_path, kaisai=1500.0, pretix=50.0, queries=12)
    figures = parts.page(tmp_path, quick=False)

    rates = [f for f in figures if f["unit"] == "/s"]
    assert len(rates) == 4
    assert all(f["ratio"] == 30.0 and f["met"] is True for f in rates)
    queries = [f for f in figures if f["unit"] == "queries"]
    assert [f["value"] for f in queries] == [14, 14]  # the larger: the first request's
    assert all(f["met"] is False for f in queries)


def test_the_page_query_figure_is_the_cache_miss_when_it_is_the_larger(tmp_path):
    write_page(tmp_path, kaisai=1500.0, pretix=50.0, queries=1)  # a cache hit: 1, the miss 3
    queries = [f for f in parts.page(tmp_path, quick=False) if f["unit"] == "queries"]

    assert [f["value"] for f in queries] == [3, 3]
    assert all(f["met"] is True for f in queries)
    assert queries[0]["note"].startswith("first request 3 (+ 0 BEGIN/COMMIT), next 1")


def test_a_missing_baseline_is_not_measured_not_met(tmp_path):
    write_page(tmp_path, kaisai=1500.0, pretix=None, queries=5)
    rates = [f for f in parts.page(tmp_path, quick=False) if f["unit"] == "/s"]

    assert all(f["met"] is None and f["ratio"] is None for f in rates)
    assert all(f["note"].startswith("baseline not measured") for f in rates)
    assert {report.verdict(f) for f in rates} == {"not measured"}


def test_the_scripts_last_json_line_gives_the_mail_figure(tmp_path):
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "output.txt").write_text(
        "round 1 …\n{not json\n"
        '{"kaisai_mails_per_s": 85.0, "smtplib_mails_per_s": 100.0, "ratio": 0.85}\n'
    )
    [figure] = parts.mail(tmp_path, quick=False)

    assert (figure["value"], figure["baseline"], figure["ratio"]) == (85.0, 100.0, 0.85)
    assert figure["met"] is False


def test_the_report_replaces_its_block_and_keeps_the_older_sections(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Older results\n\nkept\n")

    report.update(results, "first report\n")
    assert results.read_text().startswith(report.BEGIN + "\nfirst report\n" + report.END)
    assert results.read_text().endswith("# Older results\n\nkept\n")

    report.update(results, "second report\n")
    text = results.read_text()
    assert "first report" not in text
    assert text.count(report.BEGIN) == 1
    assert text == f"{report.BEGIN}\nsecond report\n{report.END}\n\n# Older results\n\nkept\n"


def test_the_rss_reader_finds_the_children_of_a_process():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in rss.children(os.getpid())
        size = rss.rss_mb(child.pid)
        assert size is not None and size > 1
        assert rss.children(child.pid) == []
    finally:
        child.kill()
        child.wait()


def test_run_sh_refuses_an_unknown_part():
    result = subprocess.run(
        ["bash", str(ROOT / "bench" / "run.sh"), "--parts", "rush,nonsense"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "unknown part nonsense" in result.stderr


def test_the_lottery_figures_and_a_failed_check(tmp_path):
    (tmp_path / "lottery").mkdir()
    (tmp_path / "lottery" / "output.txt").write_text(
        '{"applicants": 100000, "draw_s": 1.5, "mails_queued": 100000, "peak_rss_mb": 90.0,'
        ' "rss_before_mb": 60.0, "tracemalloc_peak_mb": 12.0, "ok": false}\n'
    )
    draw, ok, peak = parts.lottery(tmp_path, quick=False)

    assert (draw["value"], draw["met"]) == (1.5, True)
    assert (ok["value"], ok["met"]) == (0, False)
    assert (peak["baseline"], peak["ratio"], peak["met"]) == (60.0, 1.5, None)
