"""The gateway's client of the identity service: one method per internal route it uses.

Every call carries the caller's address, user agent and device (identity's rate limits and
"this device"); a signed-in client's calls also the acting session.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from aiohttp import web
from pydantic import BaseModel

from regulars.gateway.caller import ClientContext, business_principal, caller_headers
from regulars.gateway.clients.base import Json, M, NoContent, ServiceApi
from regulars.gateway.keys import CLIENTS
from regulars.shared.contracts import identity as contract
from regulars.shared.http.internal import ServiceClient, internal_path

AUTH = "/internal/b/{slug}/auth/"
ME = "/internal/b/{slug}/me"
STAFF = "/internal/admin/b/{slug}"


class IdentityClient(ServiceApi):
    service = "identity"

    def __init__(
        self, transport: ServiceClient, *, caller: Callable[[], dict[str, str]] = dict, timeout: float | None = None
    ) -> None:
        super().__init__(transport, timeout=timeout)
        self._caller = caller

    @classmethod
    def of(cls, request: web.Request) -> IdentityClient:
        return cls(request.app[CLIENTS][cls.service], caller=lambda: caller_headers(request))

    # --- Businesses, sessions and API keys (who is calling) -----------------------------

    async def business(self, slug: str) -> contract.BusinessSnapshot:
        path = internal_path("/internal/businesses/{slug}", slug=slug)
        return await self._call(contract.BusinessSnapshot, "GET", path, None)

    async def resolve_session(self, slug: str, token: str) -> contract.ResolvedSession:
        path = internal_path("/internal/b/{slug}/sessions/resolve", slug=slug)
        return await self._call(contract.ResolvedSession, "POST", path, None, body=contract.TokenRequest(token=token))

    async def verify_api_key(self, key: str) -> contract.BusinessSnapshot:
        body = Json({"key": key})
        return await self._call(contract.BusinessSnapshot, "POST", "/internal/api-keys/verify", None, body=body)

    # --- Sign-up, sign-in, recovery: the body as the caller sent it (R-S1 before its fields) ---

    async def _flow(self, model: type[M], slug: str, step: str, body: Json) -> M:
        """``step`` is a constant of this module's callers (``login``, ``password/forgot``…)."""
        path = internal_path(AUTH + step, slug=slug)
        return await self._call(model, "POST", path, None, body=body, headers=self._caller())

    async def register(self, slug: str, body: Json) -> contract.Accepted:
        return await self._flow(contract.Accepted, slug, "register", body)

    async def verify(self, slug: str, body: Json) -> contract.SignedIn:
        return await self._flow(contract.SignedIn, slug, "verify", body)

    async def resend_verification(self, slug: str, body: Json) -> contract.Accepted:
        return await self._flow(contract.Accepted, slug, "resend-verification", body)

    async def login(self, slug: str, body: Json) -> contract.SignedIn:
        return await self._flow(contract.SignedIn, slug, "login", body)

    async def send_sign_in_link(self, slug: str, body: Json) -> contract.Accepted:
        return await self._flow(contract.Accepted, slug, "sign-in-link", body)

    async def redeem_sign_in_link(self, slug: str, body: Json) -> contract.SignedIn:
        return await self._flow(contract.SignedIn, slug, "sign-in-link/redeem", body)

    async def forgot_password(self, slug: str, body: Json) -> contract.Accepted:
        return await self._flow(contract.Accepted, slug, "password/forgot", body)

    async def reset_password(self, slug: str, body: Json) -> None:
        await self._flow(NoContent, slug, "password/reset", body)

    async def confirm_email(self, slug: str, body: Json) -> contract.EmailChanged:
        return await self._flow(contract.EmailChanged, slug, "confirm-email", body)

    async def logout(self, slug: str, token: str) -> None:
        await self._flow(NoContent, slug, "logout", Json({"token": token}))

    # --- The signed-in client ------------------------------------------------------------

    async def _mine(
        self, model: type[M], method: str, client: ClientContext, tail: str = "", body: BaseModel | None = None,
        partial: bool = False, **values: uuid.UUID,
    ) -> M:  # fmt: skip
        """``tail`` is a constant template of ``values`` under the client's ``/me``."""
        path = internal_path(ME + tail, slug=client.business.slug, **values)
        headers = {**self._caller(), **client.headers()}
        return await self._call(model, method, path, client.principal, body=body, partial=partial, headers=headers)

    async def me(self, client: ClientContext) -> contract.ClientAccount:
        return await self._mine(contract.ClientAccount, "GET", client)

    async def update_me(self, client: ClientContext, patch: contract.ProfilePatch) -> contract.ClientAccount:
        return await self._mine(contract.ClientAccount, "PATCH", client, body=patch, partial=True)

    async def delete_me(self, client: ClientContext, confirmation: contract.PasswordConfirmation) -> None:
        await self._mine(NoContent, "DELETE", client, body=confirmation)

    async def change_email(self, client: ClientContext, change: contract.EmailChangeRequest) -> contract.Accepted:
        return await self._mine(contract.Accepted, "POST", client, "/email", change)

    async def change_password(self, client: ClientContext, change: contract.PasswordChangeRequest) -> None:
        await self._mine(NoContent, "POST", client, "/password", change)

    async def sessions(self, client: ClientContext) -> contract.Sessions:
        return await self._mine(contract.Sessions, "GET", client, "/sessions")

    async def sign_out_session(self, client: ClientContext, session_id: uuid.UUID) -> None:
        await self._mine(NoContent, "DELETE", client, "/sessions/{session_id}", session_id=session_id)

    async def export(self, client: ClientContext) -> contract.Export:
        return await self._mine(contract.Export, "GET", client, "/export")

    async def pets(self, client: ClientContext) -> contract.Pets:
        return await self._mine(contract.Pets, "GET", client, "/pets")

    async def add_pet(self, client: ClientContext, pet: contract.PetRequest) -> contract.Pet:
        return await self._mine(contract.Pet, "POST", client, "/pets", pet)

    async def update_pet(self, client: ClientContext, pet_id: uuid.UUID, patch: contract.PetPatch) -> contract.Pet:
        return await self._mine(contract.Pet, "PATCH", client, "/pets/{pet_id}", patch, True, pet_id=pet_id)

    async def delete_pet(self, client: ClientContext, pet_id: uuid.UUID) -> None:
        await self._mine(NoContent, "DELETE", client, "/pets/{pet_id}", pet_id=pet_id)

    # --- The business's staff, through its API key ---------------------------------------

    async def _staff(
        self, model: type[M], method: str, business: contract.BusinessSnapshot, tail: str,
        body: BaseModel | None = None, partial: bool = False, params: dict[str, str] | None = None,
        **values: uuid.UUID,
    ) -> M:  # fmt: skip
        """``tail`` is a constant template of ``values`` under the business's staff routes."""
        path = internal_path(STAFF + tail, slug=business.slug, **values)
        principal, headers = business_principal(business), self._caller()
        return await self._call(
            model, method, path, principal, body=body, partial=partial, params=params, headers=headers
        )

    async def settings(self, business: contract.BusinessSnapshot) -> contract.BusinessSettingsView:
        return await self._staff(contract.BusinessSettingsView, "GET", business, "/settings")

    async def change_settings(
        self, business: contract.BusinessSnapshot, patch: contract.SettingsPatch
    ) -> contract.BusinessSettingsView:
        return await self._staff(contract.BusinessSettingsView, "PATCH", business, "/settings", patch)

    async def find_client(self, business: contract.BusinessSnapshot, email: str) -> contract.ClientStatus:
        return await self._staff(contract.ClientStatus, "GET", business, "/clients", params={"email": email})

    async def client_status(self, business: contract.BusinessSnapshot, account_id: uuid.UUID) -> contract.ClientStatus:
        return await self._staff(contract.ClientStatus, "GET", business, "/clients/{account_id}", account_id=account_id)

    async def client_pets(self, business: contract.BusinessSnapshot, account_id: uuid.UUID) -> contract.StaffPets:
        return await self._staff(
            contract.StaffPets, "GET", business, "/clients/{account_id}/pets", account_id=account_id
        )

    async def update_client_pet(
        self, business: contract.BusinessSnapshot, account_id: uuid.UUID, pet_id: uuid.UUID,
        patch: contract.StaffPetPatch,
    ) -> contract.StaffPet:  # fmt: skip
        tail = "/clients/{account_id}/pets/{pet_id}"
        return await self._staff(
            contract.StaffPet, "PATCH", business, tail, patch, True, account_id=account_id, pet_id=pet_id
        )
