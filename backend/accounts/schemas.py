"""Request and response shapes of the accounts API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from backend.accounts.models import OrganizationKind, Role
from backend.kit.validation import Email, Name, Phone

Password = Annotated[str, msgspec.Meta(min_length=1, max_length=512)]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
    password: Password


class Me(msgspec.Struct):
    id: UUID
    email: str
    name: str
    role: Role
    organization_id: UUID
    organization_name: str
    organization_kind: OrganizationKind


class SessionInfo(msgspec.Struct):
    user: Me
    csrf_token: str


class User(msgspec.Struct):
    id: UUID
    email: str
    name: str
    phone: str | None
    role: Role
    is_active: bool
    created_at: datetime


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    name: Name
    role: Role
    password: Annotated[str, msgspec.Meta(min_length=10, max_length=512)]
    phone: Phone | None = None


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    password: Annotated[str, msgspec.Meta(min_length=10, max_length=512)] | msgspec.UnsetType = msgspec.UNSET


class Organization(msgspec.Struct):
    id: UUID
    name: str
    kind: OrganizationKind
    timezone: str


class ApiKey(msgspec.Struct):
    id: UUID
    name: str
    role: Role
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    role: Role = Role.dispatcher


class ApiKeyCreated(msgspec.Struct):
    api_key: ApiKey
    key: str
    """The secret, shown this once; Doorstep keeps only its SHA-256."""
