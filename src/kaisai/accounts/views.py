from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render


def profile(request: HttpRequest, nickname: str) -> HttpResponse:
    person = get_object_or_404(get_user_model(), nickname=nickname, is_active=True)
    return render(request, "accounts/profile.html", {"person": person})
