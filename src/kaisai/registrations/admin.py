"""Admin for the registration core: mostly for looking, not for changing.

Frames and registrations are view-only here. Saving their rows from the admin would skip
the services' lock, the seat counter (`Frame.accepted_count`, which a stale form would
overwrite), waitlist promotion, the audit log and the mails; organizers change them on the
event's frame and registration pages, which go through the services. Questions can be
edited (through the questionnaire services, with the same checks as the organizer page).
A lottery's seed stays hidden until the draw: only its commitment is public before.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import (
    Answer,
    Frame,
    LotteryDraw,
    Question,
    Registration,
    RegistrationLog,
)
from kaisai.registrations.services import questions as question_services


class ViewOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Frame)
class FrameAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "event", "method", "capacity", "accepted_count", "overbooking",
                    "accept_limit", "lottery_at"]  # fmt: skip
    list_filter = ["method", "overbooking"]
    list_select_related = ["event"]
    search_fields = ["name", "event__title"]
    readonly_fields = ["manage_link", "accepted_count", "accept_limit", "waitlist_seq"]

    @admin.display(description=_("change on"))
    def manage_link(self, frame: Frame) -> str:
        url = reverse(
            "registrations:frame_edit", kwargs={"pk": frame.event_id, "frame_id": frame.pk}
        )
        return format_html('<a href="{}">{}</a>', url, _("the event's frame page"))


class RegistrationLogInline(ViewOnlyMixin, admin.TabularInline):
    model = RegistrationLog
    extra = 0
    fields = readonly_fields = (
        "created_at",
        "from_status",
        "to_status",
        "frame",
        "actor",
        "reason",
    )
    ordering = ["created_at", "id"]


class AnswerInline(ViewOnlyMixin, admin.TabularInline):
    model = Answer
    extra = 0
    fields = readonly_fields = ("question", "value")


@admin.register(Registration)
class RegistrationAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "event", "frame", "status", "nominated", "afterparty", "created_at"]
    list_filter = ["status", "nominated"]
    list_select_related = ["user", "event", "frame"]
    search_fields = ["user__nickname", "user__display_name", "user__email", "event__title"]
    readonly_fields = ["manage_link", "created_at", "updated_at", "waitlist_key"]
    inlines = [AnswerInline, RegistrationLogInline]

    @admin.display(description=_("change on"))
    def manage_link(self, registration: Registration) -> str:
        url = reverse(
            "registrations:registration_detail",
            kwargs={"pk": registration.event_id, "registration_id": registration.pk},
        )
        return format_html('<a href="{}">{}</a>', url, _("the registration's organizer page"))


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["event", "label", "kind", "choices", "required", "order"]

    def clean(self):
        data = super().clean() or self.cleaned_data
        candidate = Question(**{name: data.get(name) for name in question_services.EDITABLE})
        try:
            question_services.validate_question(candidate)
        except RegistrationError as exc:
            for name, errors in exc.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        answered = self.instance.pk and self.instance.answers.exists()
        if answered and "kind" in self.changed_data:
            self.add_error("kind", _("People have answered; the kind cannot change."))
        return data


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = ["label", "event", "kind", "required", "order"]
    list_filter = ["kind", "required"]
    list_select_related = ["event"]
    search_fields = ["label", "event__title"]
    raw_id_fields = ["event"]

    def get_readonly_fields(self, request, obj=None):
        return ["event"] if obj is not None else []

    def save_model(self, request, obj: Question, form, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in question_services.EDITABLE}
        if change:
            saved = question_services.update_question(question=obj, by=request.user, **fields)
        else:
            saved = question_services.create_question(
                event=form.cleaned_data["event"], by=request.user, **fields
            )
        obj.pk = saved.pk

    def delete_model(self, request, obj: Question) -> None:
        question_services.delete_question(question=obj, by=request.user)


@admin.register(LotteryDraw)
class LotteryDrawAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["frame", "commitment", "drawn_at", "accepted"]
    list_select_related = ["frame__event"]
    search_fields = ["frame__name", "frame__event__title", "commitment"]
    fields = readonly_fields = (
        "frame", "commitment", "algorithm", "created_at", "drawn_at", "seed_after_draw",
        "accepted", "applicants", "nominated", "order",
    )  # fmt: skip

    @admin.display(description=_("seed"))
    def seed_after_draw(self, draw: LotteryDraw) -> str:
        if draw.is_drawn:
            return draw.seed
        return str(_("hidden until the draw"))
