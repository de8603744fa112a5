"""Who is calling: a signed-in user or an API key, always inside one organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from backend.accounts.models import Role


@dataclass(frozen=True, slots=True)
class Principal:
    organization_id: UUID
    role: Role
    via: Literal["session", "api_key", "system", "carrier"]
    user_id: UUID | None = None
    api_key_id: UUID | None = None
    session_id: UUID | None = None
    csrf_token: str | None = None
    carrier_id: UUID | None = None

    @classmethod
    def system(cls, organization_id: UUID) -> Principal:
        """The server acting on its own (live re-planning), with an admin's reach inside one organization."""
        return cls(organization_id=organization_id, role=Role.admin, via="system")

    @classmethod
    def carrier(cls, shipper_id: UUID, carrier_id: UUID) -> Principal:
        """A carrier updating an order a shipper gave it: acts inside the shipper's organization, on that order
        only (the carriers service checks the assignment first); events name the carrier."""
        return cls(organization_id=shipper_id, role=Role.dispatcher, via="carrier", carrier_id=carrier_id)

    @property
    def actor(self) -> str:
        """How events name who did it: `user:<id>`, `api_key:<id>` or `carrier:<organization id>`."""
        if self.via == "system":
            return "system:replanner"
        if self.via == "carrier":
            return f"carrier:{self.carrier_id}"
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"api_key:{self.api_key_id}"
