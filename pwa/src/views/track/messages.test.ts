import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../../api/client";
import { instructionsErrorMessage, retryText } from "./messages";

describe("instructionsErrorMessage", () => {
  it("gives the server's reason for a refusal", () => {
    const locked = new ApiError({
      status: 409,
      problem: {
        title: "Delivery instructions can no longer be changed",
        detail: "The order is out_for_delivery; call the sender to change the instructions",
      },
    });
    expect(instructionsErrorMessage(locked)).toBe(
      "The order is out_for_delivery; call the sender to change the instructions",
    );
    expect(instructionsErrorMessage(new ApiError({ status: 409, problem: { title: "Conflict" } }))).toBe("Conflict");
  });

  it("says plainly when the connection or the server failed, or we asked too often", () => {
    expect(instructionsErrorMessage(new NetworkError("x"))).toMatch(/^Can't reach/);
    expect(instructionsErrorMessage(new ApiError({ status: 503, problem: {} }))).toMatch(/problem \(503\)/);
    expect(instructionsErrorMessage(new ApiError({ status: 429, problem: {}, retryAfterS: 12 }))).toBe(
      "Too many requests from your connection. Try again in 12 s.",
    );
  });
});

describe("retryText", () => {
  it("says how long to wait", () => {
    expect(retryText(undefined)).toBe("Please wait a minute, then try again.");
    expect(retryText(30)).toBe("Please wait 30 seconds, then try again.");
    expect(retryText(0)).toBe("Please wait 1 second, then try again.");
  });
});
