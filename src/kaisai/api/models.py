"""The API's own table: the rate limit's counters when Django's cache is not shared between the
app's processes (api/v2/ratelimit.py)."""

from django.db import models


class RateCounter(models.Model):
    """Requests of one API key (its SHA-256) in its latest fixed window (`window` = start time
    // window length, `seconds` = the window length): one row per key and rate, raised — or
    restarted at 1 by the first request of a later window — by one atomic INSERT … ON CONFLICT
    DO UPDATE, so every worker of every app server counts on the same row."""

    key = models.CharField(max_length=64)
    seconds = models.PositiveIntegerField()
    window = models.BigIntegerField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "seconds"], name="api_ratecounter_key_seconds")
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.used} in window {self.window} ({self.seconds}s)"
