"""Annotations that fold a count of related rows into the parent's own query (one query for a
page instead of one per part)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_of(rows: QuerySet, *, parent: str) -> Coalesce:
    """The number of `rows` whose `parent` (a foreign key's name) is the outer row: for
    `Event.objects.annotate(n=count_of(Material.objects.all(), parent="event"))`. 0, not NULL,
    when there are none."""
    counted = Subquery(
        rows.filter(**{parent: OuterRef("pk")})
        .order_by()
        .values(parent)
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    return Coalesce(counted, 0)
