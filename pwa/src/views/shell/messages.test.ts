import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../../api/client";
import { requestErrorMessage, signInErrorMessage } from "./messages";

describe("signInErrorMessage", () => {
  it("says the credentials are wrong on 401, without saying which", () => {
    const error = new ApiError({ status: 401, problem: { title: "Unauthorized", detail: "Invalid credentials" } });
    expect(signInErrorMessage(error)).toBe("Email or password is wrong.");
  });

  it("says how long to wait when rate limited", () => {
    const error = new ApiError({ status: 429, problem: { title: "Too Many Requests" }, retryAfterS: 37 });
    expect(signInErrorMessage(error)).toBe("Too many attempts, try again in 37 s.");
  });

  it("still asks to wait when the server did not say how long", () => {
    const error = new ApiError({ status: 429, problem: { title: "Too Many Requests" } });
    expect(signInErrorMessage(error)).toBe("Too many attempts, try again in a minute.");
  });
});

describe("requestErrorMessage", () => {
  it("blames the connection when there was no answer", () => {
    expect(requestErrorMessage(new NetworkError("GET /api/auth/me got no answer"))).toMatch(/connection/);
  });

  it("shows the server's own title and detail for other client errors", () => {
    const error = new ApiError({ status: 422, problem: { title: "Validation failed", detail: "email: not an email address" } });
    expect(requestErrorMessage(error)).toBe("Validation failed: email: not an email address");
  });

  it("does not show server internals for 5xx", () => {
    const error = new ApiError({ status: 500, problem: { title: "Internal Server Error", detail: "Traceback ..." } });
    expect(requestErrorMessage(error)).toBe("Doorstep had a problem (500). Try again in a moment.");
  });
});
