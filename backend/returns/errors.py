from __future__ import annotations

from backend.kit.problems import Conflict, Invalid, NotFound


class ReturnNotAllowed(Conflict):
    type_slug = "return-not-allowed"
    title = "This order cannot be returned"


class ReturnInvalid(Invalid):
    type_slug = "return-invalid"
    title = "The return request is not valid"


class ReturnCodeNotFound(NotFound):
    type_slug = "return-code-not-found"
    title = "No return with this code"


class ReturnNotFound(NotFound):
    type_slug = "return-not-found"
    title = "Return not found"


class ReturnNotReceivable(Conflict):
    type_slug = "return-not-receivable"
    title = "This return cannot be received now"
