"""The problem-details renderer: domain errors, wrapped errors and bugs."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.testing import TestClient

from backend.kit.problems import Conflict, handle_exception


@get("/wrapped", sync_to_thread=False)
def wrapped() -> None:
    raise ExceptionGroup("cleanup of dependencies", [Conflict("duplicate reference")])


@get("/bug", sync_to_thread=False)
def bug() -> None:
    raise ZeroDivisionError("secret internals")


def test_errors_raised_while_closing_dependencies_keep_their_status_and_bugs_hide_their_stack():
    app = Litestar([wrapped, bug], exception_handlers={Exception: handle_exception})
    with TestClient(app) as client:
        response = client.get("/wrapped")
        assert response.status_code == 409 and response.json()["detail"] == "duplicate reference"
        crash = client.get("/bug")
        assert crash.status_code == 500
        assert crash.headers["content-type"] == "application/problem+json"
        assert "secret internals" not in crash.text and "Traceback" not in crash.text
