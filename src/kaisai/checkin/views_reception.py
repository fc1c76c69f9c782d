"""Reception pages (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404

reception = _todo
scan = _todo
search = _todo
check_in = _todo
undo = _todo
counter = _todo
