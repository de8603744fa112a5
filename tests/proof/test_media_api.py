"""Uploading proof media by content hash: limits, types by magic bytes, re-encoding without metadata, and who
may read a file back."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from PIL import Image

from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.accounts.schemas import UserCreate
from tests.factories import make_tenant, run_in_app, sign_in
from tests.proof.images import jpeg, png, sha


def upload(api: Any, data: bytes, content_type: str = "image/jpeg", digest: str | None = None) -> Any:
    return api.put(f"/api/media/{digest or sha(data)}", content=data, headers={"Content-Type": content_type})


def test_a_photo_is_stored_once_under_its_hash_and_served_back_without_its_gps(client: Any) -> None:
    tenant = make_tenant(client)
    driver = sign_in(client, tenant.users[Role.driver])
    photo = jpeg(gps=True)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825), "the fixture carries GPS"

    first = upload(driver, photo)
    assert first.status_code == 201, first.text
    assert first.json() == {
        "sha256": sha(photo),
        "content_type": "image/jpeg",
        "size": first.json()["size"],
        "width": 64,
        "height": 48,
    }
    again = upload(driver, photo)
    assert again.status_code == 200
    assert again.json() == first.json()

    served = driver.get(f"/api/media/{sha(photo)}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline; filename=")
    stored = Image.open(io.BytesIO(served.content))
    assert stored.size == (64, 48)
    assert not stored.getexif().get_ifd(0x8825), "GPS must be stripped"
    assert 0x010F not in stored.getexif()


def test_a_signature_png_is_accepted(client: Any) -> None:
    tenant = make_tenant(client)
    driver = sign_in(client, tenant.users[Role.driver])
    response = upload(driver, png(), "image/png")
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "image/png"


def test_a_body_that_does_not_match_its_hash_is_refused(client: Any) -> None:
    tenant = make_tenant(client)
    driver = sign_in(client, tenant.users[Role.driver])
    photo = jpeg()
    response = upload(driver, photo[:-10], digest=sha(photo))  # cut short in transit
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("media-hash-mismatch")
    assert driver.get(f"/api/media/{sha(photo)}").status_code == 404


def test_only_real_images_are_taken_whatever_their_declared_type(client: Any) -> None:
    tenant = make_tenant(client)
    driver = sign_in(client, tenant.users[Role.driver])
    for body in (
        b"<script>alert(1)</script>",
        b"\xff\xd8\xff" + b"not really a jpeg" * 20,  # the magic bytes alone are not enough
        b"GIF89a" + b"\x00" * 40,
    ):
        response = upload(driver, body, "image/jpeg")
        assert response.status_code == 415, response.text
        assert response.json()["type"].endswith("media-refused")


def test_an_image_over_4096_px_a_side_is_refused(client: Any) -> None:
    tenant = make_tenant(client)
    driver = sign_in(client, tenant.users[Role.driver])
    response = upload(driver, jpeg(4097, 8))
    assert response.status_code == 415
    assert "4096" in response.json()["detail"]


def test_uploads_past_the_limit_are_refused_even_when_chunked(client: Any) -> None:
    tenant = make_tenant(client)
    driver = sign_in(client, tenant.users[Role.driver])
    limit = client.app.state["settings"].max_media_bytes
    big = b"\xff\xd8\xff" + b"\x00" * limit
    response = upload(driver, big)
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 65536 + 2):
            yield b"\x00" * 65536

    chunked = driver.put(f"/api/media/{'0' * 64}", content=chunks(), headers={"Content-Type": "image/jpeg"})
    assert chunked.status_code == 413


def test_a_malformed_hash_in_the_address_is_a_bad_request(client: Any) -> None:
    tenant = make_tenant(client)
    driver = sign_in(client, tenant.users[Role.driver])
    photo = jpeg()
    for digest in (sha(photo).upper(), sha(photo)[:63], "../../etc/passwd", "g" * 64):
        response = upload(driver, photo, digest=digest)
        assert response.status_code in (400, 404, 405), (digest, response.status_code)  # 405: no such route


def test_media_are_private_to_the_organization_and_to_the_driver_who_took_them(client: Any) -> None:
    tenant = make_tenant(client)
    other = make_tenant(client)
    photo = jpeg(colour=(1, 2, 3))
    driver = sign_in(client, tenant.users[Role.driver])
    assert upload(driver, photo).status_code == 201

    dispatcher = sign_in(client, tenant.users[Role.dispatcher])
    assert dispatcher.get(f"/api/media/{sha(photo)}").status_code == 200
    outsider = sign_in(client, other.users[Role.admin])
    assert outsider.get(f"/api/media/{sha(photo)}").status_code == 404
    client.cookies.clear()
    assert client.get(f"/api/media/{sha(photo)}").status_code == 401
    # the same photo uploaded in another organization is that organization's own copy
    other_driver = sign_in(client, other.users[Role.driver])
    assert upload(other_driver, photo).status_code == 201


def test_a_driver_cannot_read_another_drivers_photos(client: Any) -> None:
    tenant = make_tenant(client)
    photo = jpeg(colour=(9, 9, 9))
    driver = sign_in(client, tenant.users[Role.driver])
    assert upload(driver, photo).status_code == 201

    async def second_driver(session: Any) -> Any:
        org = await accounts.get_organization(session, organization_id=tenant.organization.id)
        return await accounts.create_user(
            session,
            organization=org,
            data=UserCreate(
                email="driver.two.media@example.com", name="Driver Two", role=Role.driver, password="pw-" + "x" * 12
            ),
            actor="system:test",
        )

    user = run_in_app(client, second_driver)
    two = sign_in(client, user, password="pw-" + "x" * 12)
    assert two.get(f"/api/media/{sha(photo)}").status_code == 404
