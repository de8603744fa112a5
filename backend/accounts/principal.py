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
    via: Literal["session", "api_key"]
    user_id: UUID | None = None
    api_key_id: UUID | None = None
    session_id: UUID | None = None
    csrf_token: str | None = None

    @property
    def actor(self) -> str:
        """How events name who did it: `user:<id>` or `api_key:<id>`."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"api_key:{self.api_key_id}"
