"""The materials page (資料) of an event, and adding and deleting materials: thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.events.access import visible_event_or_404
from kaisai.events.models import Event
from kaisai.groups.permissions import require
from kaisai.talks.forms_materials import MaterialForm
from kaisai.talks.models import Material
from kaisai.talks.selectors_materials import MaterialsPage, materials_page
from kaisai.talks.services.materials import MaterialError, add_material, delete_material


def _form(page: MaterialsPage, data=None, initial=None) -> MaterialForm:
    return MaterialForm(
        data,
        talks=page.addable_talks,
        event_level=page.may_add_event_level,
        initial=initial,
        prefix="material",
    )


def _render(request: HttpRequest, event: Event, page: MaterialsPage, form, status: int = 200):
    context = {"event": event, "page": page, "form": form}
    return render(request, "talks/materials.html", context, status=status)


def materials(request: HttpRequest, pk: int) -> HttpResponse:
    event = visible_event_or_404(request.user, pk)
    page = materials_page(event, request.user)
    form = None
    if page.may_add:
        initial = {}
        chosen = request.GET.get("talk", "")
        if chosen.isdigit() and any(str(t.pk) == chosen for t in page.addable_talks):
            initial["talk"] = chosen
        form = _form(page, initial=initial)
    return _render(request, event, page, form)


@login_required
@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    event = visible_event_or_404(request.user, pk)
    page = materials_page(event, request.user)
    require(page.may_add)  # an organizer, or a speaker of one of the event's talks
    form = _form(page, data=request.POST)
    if form.is_valid():
        talk = form.cleaned_data["talk"]
        try:
            add_material(
                by=request.user,
                event=event,
                talk=talk,
                kind=form.cleaned_data["kind"],
                url=form.cleaned_data["url"],
                title=form.cleaned_data["title"],
            )
        except MaterialError as error:
            form.show_service_error(error)
        else:
            messages.success(request, _("Material added."))
            anchor = f"#talk-{talk.pk}" if talk else "#event-materials"
            return redirect(reverse("talks:materials", kwargs={"pk": event.pk}) + anchor)
    return _render(request, event, page, form, status=400)


@login_required
@require_POST
def delete(request: HttpRequest, material_id: int) -> HttpResponse:
    material = get_object_or_404(
        Material.objects.select_related("event__group", "talk"), pk=material_id
    )
    event = visible_event_or_404(request.user, material.event_id)
    delete_material(by=signed_in_user(request), material=material)
    messages.success(request, _("Material removed."))
    anchor = f"#talk-{material.talk_id}" if material.talk_id else "#event-materials"
    return redirect(reverse("talks:materials", kwargs={"pk": event.pk}) + anchor)
