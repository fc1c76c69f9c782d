"""The mail settings page: one switch per kind of mail, and per followed group its kinds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from kaisai.groups.models import Group
from kaisai.notices.enums import GROUP_KINDS, MailKind
from kaisai.notices.optouts import Scope

# Inside a group's fieldset the group is already named.
GROUP_LABELS = {MailKind.EVENT_PUBLISHED: _("New events")}


def _field_name(kind: str, group_id: int | None) -> str:
    return f"{kind}__{group_id}" if group_id is not None else f"{kind}__all"


@dataclass
class Section:
    """A fieldset of the page: everywhere (group None) or one group."""

    group: Group | None
    fields: list[forms.BoundField] = field(default_factory=list)


class MailSettingsForm(forms.Form):
    """A checked box means "send me this". Unchecked switches are stored as MailOptOut rows."""

    def __init__(self, *args, groups: Iterable[Group], off: set[Scope], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.groups = list(groups)
        self._scopes: dict[str, Scope] = {}
        for kind in MailKind:
            self._add(kind, None, label=kind.label, off=off)
        for group in self.groups:
            for kind in GROUP_KINDS:
                self._add(kind, group.pk, label=GROUP_LABELS.get(kind, kind.label), off=off)

    def _add(self, kind: str, group_id: int | None, *, label, off: set[Scope]) -> None:
        name = _field_name(kind, group_id)
        self.fields[name] = forms.BooleanField(
            label=label, required=False, initial=(kind, group_id) not in off
        )
        self._scopes[name] = (kind, group_id)

    @property
    def managed(self) -> list[Scope]:
        """Every switch the page shows."""
        return list(self._scopes.values())

    def switched_off(self) -> list[Scope]:
        return [scope for name, scope in self._scopes.items() if not self.cleaned_data.get(name)]

    def sections(self) -> list[Section]:
        everywhere = Section(group=None)
        by_group = {group.pk: Section(group=group) for group in self.groups}
        for name, (_kind, group_id) in self._scopes.items():
            target = everywhere if group_id is None else by_group[group_id]
            target.fields.append(self[name])
        return [everywhere, *by_group.values()]
