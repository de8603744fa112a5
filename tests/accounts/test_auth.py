"""Sign-in, sessions, CSRF, API keys, role guards and the login rate limit."""

from __future__ import annotations

from backend.accounts.models import Role
from tests.factories import PASSWORD, Api, make_tenant, sign_in


async def test_login_sets_httponly_lax_cookie_and_me_returns_the_user(app, client):
    tenant = await make_tenant(app)
    user = tenant.users[Role.dispatcher]
    response = await client.post("/api/auth/login", json={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    body = response.json()
    assert body["user"]["email"] == user.email and body["user"]["role"] == "dispatcher"
    assert body["user"]["organization_name"] == tenant.organization.name
    me = await client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["csrf_token"] == body["csrf_token"]


async def test_wrong_password_and_unknown_email_answer_the_same_401(app, client):
    tenant = await make_tenant(app)
    wrong = await client.post("/api/auth/login", json={"email": tenant.users[Role.admin].email, "password": "nope"})
    unknown = await client.post("/api/auth/login", json={"email": "ghost@example.com", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_cookie_write_without_csrf_token_is_refused(app, client):
    tenant = await make_tenant(app)
    api = await sign_in(client, tenant.users[Role.dispatcher])
    no_token = Api(client)
    response = await no_token.post("/api/locations", json={
        "kind": "depot", "name": "D", "address": "A", "lat": 60.1, "lon": 24.9})
    assert response.status_code == 403
    assert response.json()["type"].endswith("/csrf")
    wrong = Api(client, "not-the-token")
    assert (await wrong.post("/api/locations", json={})).status_code == 403
    ok = await api.post("/api/locations", json={"kind": "depot", "name": "D", "address": "A", "lat": 60.1, "lon": 24.9})
    assert ok.status_code == 201, ok.text


async def test_logout_revokes_the_session(app, client):
    tenant = await make_tenant(app)
    api = await sign_in(client, tenant.users[Role.dispatcher])
    cookie = dict(client.cookies)
    assert (await api.post("/api/auth/logout")).status_code == 204
    client.cookies.update(cookie)  # a stolen copy of the cookie is dead too
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_deactivating_a_user_ends_their_sessions_at_once(app, client):
    tenant = await make_tenant(app)
    driver = tenant.users[Role.driver]
    await sign_in(client, driver)
    driver_cookie = dict(client.cookies)
    admin = await sign_in(client, tenant.users[Role.admin])
    response = await admin.patch(f"/api/users/{driver.id}", json={"is_active": False})
    assert response.status_code == 200, response.text
    client.cookies.clear()
    client.cookies.update(driver_cookie)
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_role_guards(app, client):
    tenant = await make_tenant(app)
    driver = await sign_in(client, tenant.users[Role.driver])
    assert (await driver.get("/api/orders")).status_code == 403
    assert (await driver.get("/api/users")).status_code == 403
    dispatcher = await sign_in(client, tenant.users[Role.dispatcher])
    assert (await dispatcher.get("/api/orders")).status_code == 200
    created = await dispatcher.post("/api/users", json={
        "email": "x@example.com", "name": "X", "role": "admin", "password": "long-enough-pw"})
    assert created.status_code == 403


async def test_api_key_is_shown_once_stored_hashed_and_revocable(app, client):
    tenant = await make_tenant(app)
    admin = await sign_in(client, tenant.users[Role.admin])
    created = await admin.post("/api/api-keys", json={"name": "shop integration", "role": "dispatcher"})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    listed = (await admin.get("/api/api-keys")).json()
    assert key not in str(listed) and listed[0]["prefix"] == key[:10]
    client.cookies.clear()
    assert (await client.get("/api/orders", headers={"X-API-Key": key})).status_code == 200
    # API-key writes need no CSRF token: no cookie is involved
    write = await client.post("/api/orders", headers={"Authorization": f"Bearer {key}"}, json={
        "recipient_name": "R", "address": "A", "lat": 60.17, "lon": 24.94})
    assert write.status_code == 201, write.text
    admin = await sign_in(client, tenant.users[Role.admin])
    key_id = created.json()["api_key"]["id"]
    assert (await admin.delete(f"/api/api-keys/{key_id}")).status_code == 204
    client.cookies.clear()
    assert (await client.get("/api/orders", headers={"X-API-Key": key})).status_code == 401


async def test_login_is_rate_limited_per_client(app, client):
    tenant = await make_tenant(app)
    email = tenant.users[Role.admin].email
    limit = app.state["settings"].login_rate_limit_per_minute
    statuses = [
        (await client.post("/api/auth/login", json={"email": email, "password": "wrong"})).status_code
        for _ in range(limit + 2)
    ]
    assert statuses[:limit] == [401] * limit
    assert statuses[-1] == 429
    last = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert last.status_code == 429
    assert last.headers["content-type"].startswith("application/problem+json")


async def test_unauthenticated_api_calls_get_401_problem(client):
    response = await client.get("/api/orders")
    assert response.status_code == 401
    assert response.json()["status"] == 401
