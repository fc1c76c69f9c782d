from django.contrib import admin

from kaisai.core.images import ADMIN_FORMFIELD_OVERRIDES
from kaisai.events.models import Event, Sponsor


class SponsorInline(admin.TabularInline):
    model = Sponsor
    extra = 0
    fields = ["name", "url", "logo", "provides", "order"]
    formfield_overrides = ADMIN_FORMFIELD_OVERRIDES


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "number", "status", "starts_at", "venue_kind"]
    list_filter = ["status", "venue_kind", "prefecture"]
    search_fields = ["title", "catch", "group__title", "group__slug"]
    list_select_related = ["group"]
    raw_id_fields = ["group", "created_by"]
    readonly_fields = ["created_at", "updated_at", "published_at"]
    date_hierarchy = "starts_at"
    inlines = [SponsorInline]
    formfield_overrides = ADMIN_FORMFIELD_OVERRIDES
