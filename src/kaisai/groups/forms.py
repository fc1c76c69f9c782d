"""The boundary of the groups app: validate input; views turn it into service calls."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaisai.core.images import ImageUploadField
from kaisai.core.markdown import MARKDOWN_HELP
from kaisai.groups.enums import Role
from kaisai.groups.models import Group, OrganizerRequest

PAGE_FIELDS = ["title", "subtitle", "description", "website", "x_account", "image"]


class GroupEditForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = PAGE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 12}),
            "x_account": forms.TextInput(
                attrs={"autocomplete": "off", "placeholder": "mlct_tokyo"}
            ),
        }
        field_classes = {"image": ImageUploadField}
        help_texts = {
            "description": MARKDOWN_HELP,
            "x_account": _("Without @."),
        }


class GroupCreateForm(GroupEditForm):
    class Meta(GroupEditForm.Meta):
        fields = ["slug", *PAGE_FIELDS]
        widgets = {
            **GroupEditForm.Meta.widgets,
            "slug": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "mlct"}),
        }

    def clean_slug(self) -> str:
        return (self.cleaned_data.get("slug") or "").strip().lower()


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ORGANIZER)

    def __init__(self, *args, allow_owner: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not allow_owner:
            role_field = self.fields["role"]
            assert isinstance(role_field, forms.ChoiceField)
            role_field.choices = [
                (value, label) for value, label in Role.choices if value != Role.OWNER
            ]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class OrganizerRequestForm(forms.ModelForm):
    class Meta:
        model = OrganizerRequest
        fields = ["message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 5, "maxlength": 2000})}
        labels = {"message": _("Message to the organizers (optional)")}
        help_texts = {
            "message": _("Who you are and how you would like to help."),
        }
