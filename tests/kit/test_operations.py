"""Health, metrics, the OpenAPI schema, request ids, problem details for unknown routes, the PWA shell."""

from __future__ import annotations

from backend.accounts.models import Role
from tests.factories import make_order, make_tenant, sign_in


def test_health_reports_database_and_redis(client, stack):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"] == ("ok" if stack.name == "postgres" else "not configured")


def test_metrics_are_prometheus_text(client):
    client.get("/health")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "doorstep_requests_total" in response.text


def test_schema_lists_every_api_route_with_types(client):
    schema = client.get("/schema/openapi.json").json()
    paths = schema["paths"]
    for expected in (
        "/api/orders",
        "/api/orders/import",
        "/api/orders/{order_id}/transitions",
        "/api/vehicles",
        "/api/zones",
        "/api/locations",
        "/api/users",
        "/api/api-keys",
        "/api/auth/login",
        "/api/routes",
    ):
        assert expected in paths, expected
    create = paths["/api/orders"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    fields = schema["components"]["schemas"][ref]["properties"]
    assert fields["lat"]["maximum"] == 90 and fields["lat"]["minimum"] == -90
    assert client.get("/schema/swagger").status_code == 200


def test_every_response_carries_a_request_id(client):
    first = client.get("/health")
    assert len(first.headers["x-request-id"]) >= 8
    echoed = client.get("/health", headers={"X-Request-ID": "trace-1234567"})
    assert echoed.headers["x-request-id"] == "trace-1234567"
    unsafe = client.get("/health", headers={"X-Request-ID": "bad id\nwith newline"})
    assert unsafe.headers["x-request-id"] != "bad id\nwith newline"


def test_unknown_api_route_is_a_problem_404_not_the_app_shell(client):
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    response = api.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    wrong_method = api.delete("/api/orders")
    assert wrong_method.status_code == 405


def test_app_shell_is_served_for_client_side_routes(client):
    for path in ("/", "/driver", "/track/abc"):
        response = client.get(path)
        assert response.status_code == 200
        assert "text/html" in response.headers["content-type"]
    assert (
        client.get("/../../etc/passwd").status_code in (400, 404) or "root:" not in client.get("/../../etc/passwd").text
    )


def test_security_headers_on_every_response(client):
    response = client.get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # dev serves plain http


def test_production_sets_hsts_and_a_secure_host_only_cookie(settings, tmp_path):
    from dataclasses import replace

    from litestar.testing import TestClient

    from backend.app import create_app
    from tests.factories import make_tenant

    prod = replace(settings, env="prod")
    with TestClient(app=create_app(prod), base_url="https://testserver.local") as client:
        assert client.get("/health").headers["strict-transport-security"].startswith("max-age=31536000")
        tenant = make_tenant(client)
        user = tenant.users[Role.dispatcher]
        response = client.post("/api/auth/login", json={"email": user.email, "password": "correct-horse-battery"})
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-doorstep_session=") and "Secure" in cookie and "HttpOnly" in cookie


def test_pwa_files_are_served_with_their_content_types(client, tmp_path):
    from backend.kit.spa import PWA_DIST

    if not (PWA_DIST / "index.html").is_file():
        raise AssertionError("pwa/dist is not built: `make test` builds it before pytest")
    sw = client.get("/service-worker.js")
    assert sw.status_code == 200 and "javascript" in sw.headers["content-type"]
    manifest = client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["name"] == "Doorstep"
    for icon in manifest.json()["icons"]:
        assert client.get("/" + icon["src"].lstrip("/")).headers["content-type"] == "image/png"
    assert client.get("/does-not-exist.js").headers["content-type"].startswith("text/html")  # the shell


def test_nul_characters_are_refused_with_400_everywhere(client):
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    body = {"recipient_name": "a\u0000b", "address": "A", "lat": 60.1, "lon": 24.9}
    assert api.post("/api/orders", json=body).status_code == 400
    assert api.get("/api/orders", params={"q": "a\x00b"}).status_code == 400
    csv = b"recipient_name,address,lat,lon\nx\x00y,A,60.1,24.9\n"
    assert api.post("/api/orders/import", content=csv, headers={"content-type": "text/csv"}).status_code == 400
    login = client.post("/api/auth/login", json={"email": "x\u0000@example.com", "password": "p"})
    assert login.status_code == 400 and login.json()["type"].endswith("nul-character")


def test_a_database_conflict_inside_a_handler_is_a_409_not_a_500(client):
    tenant = make_tenant(client)
    admin = sign_in(client, tenant.users[Role.admin])
    assert admin.post("/api/api-keys", json={"name": "shop"}).status_code == 201
    again = admin.post("/api/api-keys", json={"name": "shop"})
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")


def test_code_and_json_go_out_gzipped_but_photos_and_auth_answers_do_not(client):
    from backend.kit.spa import PWA_DIST

    if not (PWA_DIST / "index.html").is_file():
        raise AssertionError("pwa/dist is not built: `make test` builds it before pytest")
    script = next((PWA_DIST / "assets").glob("*.js"))
    gz = {"Accept-Encoding": "gzip"}
    served = client.get(f"/assets/{script.name}", headers=gz)
    assert served.status_code == 200
    if script.stat().st_size >= 1024:
        assert served.headers.get("content-encoding") == "gzip"
    assert served.content == script.read_bytes()  # the client decoded it: the same bytes
    tenant = make_tenant(client)
    user = tenant.users[Role.dispatcher]
    login = client.post("/api/auth/login", json={"email": user.email, "password": "correct-horse-battery"}, headers=gz)
    assert login.status_code == 200 and "content-encoding" not in login.headers  # carries the CSRF token
    api = sign_in(client, user)
    for _ in range(12):
        make_order(api)
    orders = api.get("/api/orders", headers=gz)
    assert orders.headers.get("content-encoding") == "gzip" and orders.json()["total"] == 12


def test_a_json_body_labelled_as_an_image_is_still_checked_for_nul(client):
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    body = b'{"recipient_name": "a\\u0000b", "address": "A", "lat": 60.1, "lon": 24.9}'
    for content_type in ("image/png", "image/jpeg"):
        response = api.post("/api/orders", content=body, headers={"content-type": content_type})
        assert response.status_code in (400, 415), response.text
        assert response.status_code != 201
    sneaky = api.post("/api/orders", content=body, headers={"content-type": "image/png"})
    assert sneaky.status_code != 500
