from django.http import HttpRequest, HttpResponse


def my_registration(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
