"""Glue between domain errors and HTML views."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from koperasi.core.errors import AuthenticationFailed, DomainError, NotFound, PermissionDenied, ValidationError


def form_add_domain_error(form: forms.Form, error: DomainError) -> int:
    """Show a service's error on the form (per field where ``detail`` names one); return its status.

    A ValidationError's ``detail`` maps fields to messages; any other error's ``detail``
    holds the offending values, so its ``message`` goes on the field it names.
    """
    if not isinstance(error, ValidationError):
        field = next((name for name in (error.detail or {}) if name in form.fields), None)
        form.add_error(field, error.message)
        return error.status
    placed = False
    for field_name, messages in (error.detail or {}).items():
        if field_name in form.fields and isinstance(messages, list):
            for message in messages:
                form.add_error(field_name, str(message))
            placed = True
    if not placed:
        form.add_error(None, error.message)
    return error.status


class DomainErrorMiddleware:
    """Render NotFound as 404 and PermissionDenied as 403 for HTML views (API maps its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            return render(request, "404.html", status=404)
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", {"exception": exception.message}, status=403)
        if isinstance(exception, AuthenticationFailed):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return None
