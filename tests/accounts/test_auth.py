"""Sign-in, sessions, CSRF, API keys, role guards and the login rate limit."""

from __future__ import annotations

from backend.accounts.models import Role
from tests.factories import PASSWORD, Api, make_tenant, sign_in


def test_login_sets_httponly_lax_cookie_and_me_returns_the_user(client):
    tenant = make_tenant(client)
    user = tenant.users[Role.dispatcher]
    response = client.post("/api/auth/login", json={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    body = response.json()
    assert body["user"]["email"] == user.email and body["user"]["role"] == "dispatcher"
    assert body["user"]["organization_name"] == tenant.organization.name
    me = client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["csrf_token"] == body["csrf_token"]


def test_wrong_password_and_unknown_email_answer_the_same_401(client):
    tenant = make_tenant(client)
    wrong = client.post("/api/auth/login", json={"email": tenant.users[Role.admin].email, "password": "nope"})
    unknown = client.post("/api/auth/login", json={"email": "ghost@example.com", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_cookie_write_without_csrf_token_is_refused(client):
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    no_token = Api(client)
    response = no_token.post(
        "/api/locations", json={"kind": "depot", "name": "D", "address": "A", "lat": 60.1, "lon": 24.9}
    )
    assert response.status_code == 403
    assert response.json()["type"].endswith("/csrf")
    wrong = Api(client, "not-the-token")
    assert (wrong.post("/api/locations", json={})).status_code == 403
    ok = api.post("/api/locations", json={"kind": "depot", "name": "D", "address": "A", "lat": 60.1, "lon": 24.9})
    assert ok.status_code == 201, ok.text


def test_logout_revokes_the_session(client):
    tenant = make_tenant(client)
    api = sign_in(client, tenant.users[Role.dispatcher])
    cookie = dict(client.cookies)
    assert (api.post("/api/auth/logout")).status_code == 204
    client.cookies.update(cookie)  # a stolen copy of the cookie is dead too
    assert (client.get("/api/auth/me")).status_code == 401


def test_deactivating_a_user_ends_their_sessions_at_once(client):
    tenant = make_tenant(client)
    driver = tenant.users[Role.driver]
    sign_in(client, driver)
    driver_cookie = dict(client.cookies)
    admin = sign_in(client, tenant.users[Role.admin])
    response = admin.patch(f"/api/users/{driver.id}", json={"is_active": False})
    assert response.status_code == 200, response.text
    client.cookies.clear()
    client.cookies.update(driver_cookie)
    assert (client.get("/api/auth/me")).status_code == 401


def test_role_guards(client):
    tenant = make_tenant(client)
    driver = sign_in(client, tenant.users[Role.driver])
    assert (driver.get("/api/orders")).status_code == 403
    assert (driver.get("/api/users")).status_code == 403
    dispatcher = sign_in(client, tenant.users[Role.dispatcher])
    assert (dispatcher.get("/api/orders")).status_code == 200
    created = dispatcher.post(
        "/api/users", json={"email": "x@example.com", "name": "X", "role": "admin", "password": "long-enough-pw"}
    )
    assert created.status_code == 403


def test_api_key_is_shown_once_stored_hashed_and_revocable(client):
    tenant = make_tenant(client)
    admin = sign_in(client, tenant.users[Role.admin])
    created = admin.post("/api/api-keys", json={"name": "shop integration", "role": "dispatcher"})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    listed = (admin.get("/api/api-keys")).json()
    assert key not in str(listed) and listed[0]["prefix"] == key[:10]
    client.cookies.clear()
    assert (client.get("/api/orders", headers={"X-API-Key": key})).status_code == 200
    # API-key writes need no CSRF token: no cookie is involved
    write = client.post(
        "/api/orders",
        headers={"Authorization": f"Bearer {key}"},
        json={"recipient_name": "R", "address": "A", "lat": 60.17, "lon": 24.94},
    )
    assert write.status_code == 201, write.text
    admin = sign_in(client, tenant.users[Role.admin])
    key_id = created.json()["api_key"]["id"]
    assert (admin.delete(f"/api/api-keys/{key_id}")).status_code == 204
    client.cookies.clear()
    assert (client.get("/api/orders", headers={"X-API-Key": key})).status_code == 401


def test_login_is_rate_limited_per_client(client):
    tenant = make_tenant(client)
    email = tenant.users[Role.admin].email
    limit = client.app.state["settings"].login_rate_limit_per_minute
    statuses = [
        (client.post("/api/auth/login", json={"email": email, "password": "wrong"})).status_code
        for _ in range(limit + 2)
    ]
    assert statuses[:limit] == [401] * limit
    assert statuses[-1] == 429
    last = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert last.status_code == 429
    assert last.headers["content-type"].startswith("application/problem+json")


def test_unauthenticated_api_calls_get_401_problem(client):
    response = client.get("/api/orders")
    assert response.status_code == 401
    assert response.json()["status"] == 401
