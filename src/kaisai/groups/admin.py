from django.contrib import admin

from kaisai.core.images import ADMIN_FORMFIELD_OVERRIDES
from kaisai.groups.models import (
    ActionLog,
    Group,
    Member,
    Organizer,
    OrganizerInvitation,
    OrganizerRequest,
)


class OrganizerInline(admin.TabularInline):
    model = Organizer
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["added_at"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "created_at"]
    search_fields = ["title", "slug", "subtitle"]
    readonly_fields = ["created_at"]
    inlines = [OrganizerInline]
    formfield_overrides = ADMIN_FORMFIELD_OVERRIDES


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "joined_at"]
    list_select_related = ["user", "group"]
    search_fields = ["user__nickname", "user__email", "group__title", "group__slug"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["group"]
    list_filter = ["joined_at"]


@admin.register(OrganizerInvitation)
class OrganizerInvitationAdmin(admin.ModelAdmin):
    list_display = ["group", "role", "created_by", "created_at", "expires_at", "used_by", "used_at"]
    list_select_related = ["group", "created_by", "used_by"]
    list_filter = ["role"]
    search_fields = ["group__title", "group__slug", "created_by__nickname"]
    exclude = ["token"]  # a secret: organizers copy the link from the group's team page
    readonly_fields = ["group", "role", "created_by", "created_at", "used_by", "used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # links are made on the team page, where the token is generated


@admin.register(OrganizerRequest)
class OrganizerRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "status", "created_at", "decided_by", "decided_at"]
    list_select_related = ["user", "group", "decided_by"]
    list_filter = ["status"]
    search_fields = ["user__nickname", "group__title", "group__slug"]
    raw_id_fields = ["user", "decided_by"]
    autocomplete_fields = ["group"]
    readonly_fields = ["created_at"]


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the services, never by hand."""

    list_display = ["created_at", "group", "actor", "action", "event"]
    list_select_related = ["group", "actor", "event"]
    list_filter = ["action"]
    search_fields = ["group__slug", "actor__nickname"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
