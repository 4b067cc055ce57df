"""The API v1: one NinjaAPI, each app's router mounted, one error format (DESIGN.md §9)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from koperasi.api.auth import BearerAuth
from koperasi.api.auth import router as auth_router
from koperasi.cooperatives.api import router as cooperatives_router
from koperasi.core.errors import DomainError
from koperasi.ledger.api import router as ledger_router
from koperasi.loans.api import router as loans_router
from koperasi.members.api import router as members_router
from koperasi.oversight.api import router as oversight_router
from koperasi.regions.api import router as regions_router
from koperasi.savings.api import router as savings_router
from koperasi.shop.api import router as shop_router
from koperasi.shop.api_reports import router as shop_reports_router
from koperasi.shu.api import router as shu_router
from koperasi.subsidies.api import router as subsidies_router
from koperasi.subsidies.api_reports import router as subsidies_reports_router

api = NinjaAPI(
    title="Koperasi API",
    version="1",
    description="API Sistem Informasi Koperasi Kelurahan/Desa Merah Putih. Jumlah uang dalam rupiah (bilangan bulat).",
    auth=BearerAuth(),
    urls_namespace="api",
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, code: str, message: str, detail: object | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "detail": detail or {}}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.detail)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "_", []).append(str(err.get("msg", "tidak valid")))
    return _error(request, 422, "invalid", "Data permintaan tidak valid.", fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "Token tidak ada atau tidak berlaku.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Data tidak ditemukan.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


api.add_router("/auth", auth_router)
api.add_router("/regions", regions_router)
api.add_router("/coops", cooperatives_router)
api.add_router("/coops", ledger_router)  # the books: /coops/{coop}/accounts, /journal, /reports/...
api.add_router("/coops", members_router)  # /coops/{coop}/members, /members/{id}, /exit, /exit-quote
api.add_router("/coops", savings_router)  # /coops/{coop}/members/{id}/savings, /savings/transactions, ...
api.add_router("/coops", loans_router)  # /coops/{coop}/loan-products, /loans, /loans/{id}/repayments, ...
api.add_router("/coops", shop_router)  # /coops/{coop}/products, /purchases, /sales, /stock, /het, ...
api.add_router("/coops", shop_reports_router)  # /coops/{coop}/shop/reports/...
api.add_router("/coops", subsidies_router)  # /coops/{coop}/subsidies/programs, /recipients, /usage
api.add_router("/coops", subsidies_reports_router)  # /coops/{coop}/subsidies/reports/...
api.add_router("/coops", shu_router)  # /coops/{coop}/shu, /shu/{year}/close, /simulate, /approve, /members, ...
api.add_router("/oversight", oversight_router)
