from django.http import HttpRequest, HttpResponse


def cooperative_register_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def cooperative_detail(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponse("")
