"""Participant pages (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404

register = _todo
my_registration = _todo
cancel = _todo
change_frame = _todo
lottery = _todo
my_events = _todo
