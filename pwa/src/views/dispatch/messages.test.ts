import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../../api/client";
import { dispatchErrorMessage } from "./messages";

describe("dispatchErrorMessage", () => {
  it("shows the problem's detail, which already says what to do", () => {
    const error = new ApiError({
      status: 409,
      problem: { title: "This plan cannot be published", detail: "Revision 3 of this day is newer; publish that one or plan again" },
    });
    expect(dispatchErrorMessage(error)).toBe("Revision 3 of this day is newer; publish that one or plan again.");
  });

  it("does not add a second full stop", () => {
    const error = new ApiError({ status: 422, problem: { title: "There is nothing to plan", detail: "No order is waiting." } });
    expect(dispatchErrorMessage(error)).toBe("No order is waiting.");
  });

  it("says a refusal is about the role, and blames the connection when there was no answer", () => {
    expect(dispatchErrorMessage(new ApiError({ status: 403, problem: { title: "Forbidden" } }))).toMatch(/role/);
    expect(dispatchErrorMessage(new NetworkError("no answer"))).toMatch(/connection/);
  });

  it("hides server faults behind a plain sentence", () => {
    const error = new ApiError({ status: 500, problem: { title: "Internal server error", detail: "Traceback" } });
    expect(dispatchErrorMessage(error)).toBe("Doorstep had a problem (500). Try again in a moment.");
  });
});
