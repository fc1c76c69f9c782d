"""Talk pages: the organizers' list and new talk, a talk's page, edit, decide, withdraw, and
the speaker invitation. Thin views: authorise, call a form or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.events.access import managed_event_or_403
from kaisai.groups.permissions import require
from kaisai.talks import selectors_talks as selectors
from kaisai.talks.access import (
    can_decide_talk,
    can_edit_talk,
    decidable_talk_or_403,
    editable_talk_or_403,
    visible_talk_or_404,
)
from kaisai.talks.forms_talks import NewTalkForm, SpeakerForm, TalkForm, show_error
from kaisai.talks.models import Speaker, Talk
from kaisai.talks.services import invitations, talks
from kaisai.talks.services.invitations import InvitationState


def _invitation_link(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("talks:invitation", kwargs={"token": token}))


def _add_speaker(talk: Talk, form: SpeakerForm | NewTalkForm, by) -> str | None:
    """Invite or add the speaker the form asks for; returns the invitation token, if any."""
    how = form.cleaned_data.get("how")
    if how in ("link", "mail"):
        email = form.cleaned_data.get("email", "") if how == "mail" else ""
        _speaker, token = invitations.invite_speaker(talk=talk, by=by, email=email or "")
        return token
    if how == "guest":
        invitations.add_guest_speaker(talk=talk, by=by, name=form.cleaned_data["name"])
    return None


def _link_page(request: HttpRequest, talk: Talk, token: str, email: str) -> HttpResponse:
    context = {"talk": talk, "event": talk.event, "link": _invitation_link(request, token),
               "email": email}  # fmt: skip
    return render(request, "talks/invitation_created.html", context)


@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    context = {"event": event, "talks": selectors.manage_rows(event), "form": NewTalkForm()}
    return render(request, "talks/manage.html", context)


@login_required
def create(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    form = NewTalkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            talk = talks.create_talk(
                event=event, by=request.user, state=form.state(), **form.changes()
            )
        except ValidationError as error:
            show_error(form, error)
        else:
            token = _add_speaker(talk, form, request.user)
            messages.success(request, _("The talk “%(title)s” was added.") % {"title": talk.title})
            if token:
                return _link_page(request, talk, token, form.cleaned_data.get("email", ""))
            return redirect("talks:manage", pk=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "talks/new.html", {"event": event, "form": form}, status=status)


def detail(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = visible_talk_or_404(request.user, talk_id)
    context = {
        "talk": talk,
        "event": talk.event,
        "speakers": list(talk.speakers.all()),
        "can_edit": can_edit_talk(request.user, talk),
        "can_decide": can_decide_talk(request.user, talk),
        "my_speaker": selectors.speaker_row(talk, request.user),
    }
    return render(request, "talks/detail.html", context)


def _edit_action(request: HttpRequest, talk: Talk, organizer: bool) -> HttpResponse | None:
    """The edit page's other buttons: confirm (speaker), add or remove a speaker (organizers).
    Returns a response when the action is done, None to show the page again."""
    action = request.POST.get("action")
    if action == "confirm":
        mine = selectors.speaker_row(talk, request.user)
        if mine is None:
            raise Http404
        invitations.confirm_speaker(speaker=mine, user=signed_in_user(request))
        messages.success(request, _("You confirmed your talk. Thank you!"))
        return redirect("talks:edit", talk_id=talk.pk)
    require(organizer)
    if action == "remove":
        speaker = get_object_or_404(Speaker, pk=request.POST.get("speaker") or 0, talk=talk)
        invitations.remove_speaker(speaker=speaker, by=signed_in_user(request))
        messages.success(request, _("The speaker was removed."))
        return redirect("talks:edit", talk_id=talk.pk)
    return None


@login_required
def edit(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = editable_talk_or_403(request.user, talk_id)
    organizer = can_decide_talk(request.user, talk)
    posted = request.POST if request.method == "POST" else None
    action = posted.get("action", "save") if posted else ""
    form = TalkForm(posted if action == "save" else None, instance=talk, organizer=organizer)
    speaker_form = SpeakerForm(posted if action == "speaker" else None, prefix="speaker")
    if action in ("confirm", "remove"):
        response = _edit_action(request, talk, organizer)
        if response is not None:
            return response
    elif action == "save" and form.is_valid():
        try:
            talks.update_talk(
                talk=talk, by=signed_in_user(request), organizer=organizer, **form.changes()
            )
        except ValidationError as error:
            show_error(form, error)
        else:
            messages.success(request, _("The talk was saved."))
            return redirect("talks:detail", talk_id=talk.pk)
    elif action == "speaker":
        require(organizer)
        if speaker_form.is_valid():
            try:
                token = _add_speaker(talk, speaker_form, request.user)
            except ValidationError as error:
                show_error(speaker_form, error)
            else:
                if token:
                    email = speaker_form.cleaned_data.get("email", "")
                    return _link_page(request, talk, token, email)
                messages.success(request, _("The speaker was added."))
                return redirect("talks:edit", talk_id=talk.pk)
    talk.refresh_from_db()  # the form's values are not the talk's until saved
    context = {
        "talk": talk,
        "event": talk.event,
        "form": form,
        "speaker_form": speaker_form,
        "speakers": list(talk.speakers.select_related("user")),
        "organizer": organizer,
        "my_speaker": selectors.speaker_row(talk, request.user),
    }
    status = 400 if posted is not None else 200
    return render(request, "talks/edit.html", context, status=status)


@login_required
@require_POST
def decide(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = decidable_talk_or_403(request.user, talk_id)
    accept = request.POST.get("decision") == "accept"
    try:
        talk = talks.decide_talk(talk=talk, by=signed_in_user(request), accept=accept)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = _("“%(title)s” is accepted.") if accept else _("“%(title)s” is rejected.")
        messages.success(request, text % {"title": talk.title})
    return redirect("talks:manage", pk=talk.event_id)


@login_required
@require_POST
def withdraw(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = editable_talk_or_403(request.user, talk_id)
    talks.withdraw_talk(talk=talk, by=signed_in_user(request))
    messages.success(request, _("The talk “%(title)s” is withdrawn.") % {"title": talk.title})
    return redirect("talks:detail", talk_id=talk.pk)


@login_required
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    speaker = invitations.invitation_for(token)
    state = invitations.invitation_state(speaker, request.user)
    if state == InvitationState.VALID and request.method == "POST":
        try:
            invitations.accept_invitation(token=token, user=signed_in_user(request))
        except ValidationError:
            state = InvitationState.INVALID  # raced by another acceptance
        else:
            messages.success(request, _("You are now a speaker of this talk. Please check it."))
            return redirect("talks:edit", talk_id=speaker.talk_id)  # type: ignore[union-attr]
    context = {
        "state": str(state),
        "talk": speaker.talk if speaker is not None else None,
        "speaker": speaker,
    }
    status = 200 if state == InvitationState.VALID else 410 if speaker is not None else 404
    return render(request, "talks/invitation.html", context, status=status)
