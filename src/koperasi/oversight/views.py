"""Dinas pages (placeholder routes filled in by the oversight UI work)."""

from django.http import HttpRequest, HttpResponse


def cooperative_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
