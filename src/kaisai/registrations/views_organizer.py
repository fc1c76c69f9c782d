"""Organizer pages (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404

frames = _todo
frame_edit = _todo
questions = _todo
question_delete = _todo
registrations = _todo
registration_detail = _todo
registration_action = _todo
registrations_csv = _todo
audit_log = _todo
