"""The registrations' metrics read at scrape time (core.metrics.add_source, in ready())."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily

from kaisai.registrations.models import LotteryDraw


def families() -> Iterator[CounterMetricFamily]:
    drawn = LotteryDraw.objects.filter(drawn_at__isnull=False).count()
    yield CounterMetricFamily(
        "kaisai_lottery_draws", "Lotteries drawn (by any worker, ever)", value=drawn
    )
