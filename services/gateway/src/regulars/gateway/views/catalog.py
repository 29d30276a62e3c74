"""The business's catalog and free times: ``/api/v1/b/{business}/services|staff|products|availability``."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from regulars.gateway.keys import CLIENTS
from regulars.gateway.openapi import ApiRoutes
from regulars.gateway.tenancy import resolve_business
from regulars.shared.http.app import json_response
from regulars.shared.http.internal import Principal

TAG = "booking"
NOT_FOUND = {404: "business_not_found or service_not_found."}


class IntakeQuestion(BaseModel):
    id: str
    label: str
    kind: str
    choices: list[str] = []
    required: bool = False


class ServiceItem(BaseModel):
    id: str
    name: str
    description: str
    category: str
    duration_minutes: int
    price_minor: int = Field(description="In minor units of the currency")
    currency: str
    staff_ids: list[str]
    online_booking: bool
    prepayment_required: bool
    intake_questions: list[IntakeQuestion]


class ServiceList(BaseModel):
    services: list[ServiceItem]


class StaffItem(BaseModel):
    id: str
    name: str
    title: str
    service_ids: list[str]


class StaffList(BaseModel):
    staff: list[StaffItem]


class ProductItem(BaseModel):
    id: str
    name: str
    description: str
    price_minor: int
    currency: str
    stock: int
    active: bool


class ProductList(BaseModel):
    products: list[ProductItem]


class FreeSlot(BaseModel):
    start: str = Field(description="ISO 8601 with the business's offset")
    end: str
    staff_ids: list[str] = Field(description="Staff free at that time")


class Availability(BaseModel):
    service_id: str
    timezone: str
    from_: str = Field(alias="from", serialization_alias="from")
    to: str
    slots: list[FreeSlot]


async def public_principal(request: web.Request) -> Principal:
    business = await resolve_business(request)
    return Principal(org_id=business.org_id, business_id=business.business_id)


async def appointments_get(request: web.Request, path: str, params: dict[str, str] | None = None) -> Any:
    principal = await public_principal(request)
    return await request.app[CLIENTS]["appointments"].get(path, principal=principal, params=params)


def register(routes: ApiRoutes) -> None:
    @routes.route(
        "GET", "/api/v1/b/{business}/services", summary="Services bookable online", tag=TAG,
        response=ServiceList, errors=NOT_FOUND,
    )  # fmt: skip
    async def list_services(request: web.Request) -> web.Response:
        return json_response(ServiceList.model_validate(await appointments_get(request, "/internal/catalog/services")))

    @routes.route(
        "GET", "/api/v1/b/{business}/staff", summary="Staff and the services they perform", tag=TAG,
        response=StaffList, errors=NOT_FOUND,
    )  # fmt: skip
    async def list_staff(request: web.Request) -> web.Response:
        return json_response(StaffList.model_validate(await appointments_get(request, "/internal/catalog/staff")))

    @routes.route(
        "GET", "/api/v1/b/{business}/products", summary="Retail products that can be reserved (R-A5)", tag=TAG,
        response=ProductList, errors=NOT_FOUND,
    )  # fmt: skip
    async def list_products(request: web.Request) -> web.Response:
        return json_response(ProductList.model_validate(await appointments_get(request, "/internal/catalog/products")))

    @routes.route(
        "GET", "/api/v1/b/{business}/availability",
        summary="Free times of a service: ?service_id=&from=&to=[&staff_id=] (dates or ISO 8601 times)",
        tag=TAG, response=Availability,
        errors={**NOT_FOUND, 422: "validation_error, bad_range, range_too_long, staff_does_not_perform_service"},
    )  # fmt: skip
    async def search_availability(request: web.Request) -> web.Response:
        params = {k: v for k in ("service_id", "from", "to", "staff_id") if (v := request.query.get(k))}
        body = await appointments_get(request, "/internal/availability", params)
        return json_response(Availability.model_validate(body).model_dump(by_alias=True))
