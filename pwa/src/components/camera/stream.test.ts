import { describe, expect, it } from "vitest";
import { CameraUnavailable, cameraProblem, cameraProblemText } from "./stream";

function domError(name: string): Error {
  const error = new Error("x");
  error.name = name;
  return error;
}

describe("cameraProblem", () => {
  it("reads a refused permission as denied, and says how to allow it", () => {
    expect(cameraProblem(domError("NotAllowedError"))).toBe("denied");
    expect(cameraProblemText("denied")).toMatch(/blocked/);
  });

  it("tells a missing camera, a busy one and a browser without the API apart", () => {
    expect(cameraProblem(domError("NotFoundError"))).toBe("missing");
    expect(cameraProblem(domError("NotReadableError"))).toBe("busy");
    expect(cameraProblem(new CameraUnavailable())).toBe("unavailable");
  });

  it("calls anything else a failure to start", () => {
    expect(cameraProblem(domError("TypeError"))).toBe("failed");
    expect(cameraProblem("nonsense")).toBe("failed");
  });
});
