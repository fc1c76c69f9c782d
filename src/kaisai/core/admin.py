"""Admin for mail delivery: the outbox (read-only) and undeliverable addresses (deleting one
lets mail go to that address again)."""

from __future__ import annotations

from django.contrib import admin

from kaisai.core.models import OutboxMail, UndeliverableAddress


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(admin.ModelAdmin):
    list_display = ("email", "failures", "failed_at", "reason")
    search_fields = ("email",)
    readonly_fields = ("email", "failures", "failed_at", "reason")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(OutboxMail)
class OutboxMailAdmin(admin.ModelAdmin):
    list_display = ("key", "to_email", "template", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state", "template")
    search_fields = ("key", "to_email")
    exclude = ("context",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
