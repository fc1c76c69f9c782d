from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kaisai.groups.models import Group


def group_list(request: HttpRequest) -> HttpResponse:
    return render(request, "groups/group_list.html", {"groups": Group.objects.all()})


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(Group, slug=slug)
    return render(request, "groups/group_detail.html", {"group": group})
