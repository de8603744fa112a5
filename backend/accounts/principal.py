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
    via: Literal["session", "api_key", "system"]
    user_id: UUID | None = None
    api_key_id: UUID | None = None
    session_id: UUID | None = None
    csrf_token: str | None = None

    @classmethod
    def system(cls, organization_id: UUID) -> Principal:
        """The server acting on its own (live re-planning), with an admin's reach inside one organization."""
        return cls(organization_id=organization_id, role=Role.admin, via="system")

    @property
    def actor(self) -> str:
        """How events name who did it: `user:<id>` or `api_key:<id>`."""
        if self.via == "system":
            return "system:replanner"
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"api_key:{self.api_key_id}"
