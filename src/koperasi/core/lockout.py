"""What a locked-out login gets (django-axes ``AXES_LOCKOUT_CALLABLE``): JSON for the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKOUT_MESSAGE = "Terlalu banyak percobaan masuk yang gagal. Coba lagi 15 menit lagi."


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_many_attempts", "message": LOCKOUT_MESSAGE, "detail": {}}, status=429)
    return render(request, "registration/locked_out.html", status=429)
