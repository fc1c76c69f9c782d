"""Admin for tickets and check-ins: for looking, not for changing.

Tickets are issued and check-ins recorded through the services (receipt numbers under the
event's lock, one check-in per registration, nonces for offline scans); organizers undo a
check-in on the reception page. So both are view-only here. Tokens are not shown in lists.
"""

from __future__ import annotations

from django.contrib import admin

from kaisai.checkin.models import CheckIn, Ticket


class ViewOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["receipt_number", "event", "registration", "issued_at"]
    list_select_related = ["event", "registration__user", "registration__frame"]
    search_fields = ["event__title", "registration__user__nickname", "=receipt_number"]
    fields = readonly_fields = ("event", "registration", "receipt_number", "issued_at")
    ordering = ["-issued_at", "-id"]


@admin.register(CheckIn)
class CheckInAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["registration", "event", "checked_in_at", "method", "by", "late"]
    list_filter = ["method", "late"]
    list_select_related = ["event", "by", "registration__user", "registration__frame"]
    search_fields = ["event__title", "registration__user__nickname"]
    fields = readonly_fields = (
        "event", "registration", "checked_in_at", "received_at", "method", "by", "nonce", "late",
    )  # fmt: skip
    ordering = ["-checked_in_at", "-id"]
