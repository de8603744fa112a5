import { describe, expect, it } from "vitest";
import { DISPOSITIONS, returnsReducer, RETURNS_IDLE, type ReturnsAction, type ReturnsState } from "./returns";
import { taken } from "./test-fixtures";

const refusal = { title: "No return with this code", detail: "Check the code on the customer's return page" };

function run(...actions: ReturnsAction[]): ReturnsState {
  return actions.reduce(returnsReducer, RETURNS_IDLE);
}

describe("returns at the counter", () => {
  it("takes a return in, then receives it with a disposition", () => {
    const state = run({ type: "look", code: "XKM4TP" }, { type: "taken", taken: taken() });
    expect(state).toEqual({ step: "taken", taken: taken(), error: null });
    const receiving = returnsReducer(state, { type: "receive", disposition: "restock" });
    expect(receiving).toEqual({ step: "receiving", taken: taken(), disposition: "restock" });
    const received = taken({ status: "restocked", disposition: "restock" });
    expect(returnsReducer(receiving, { type: "received", received })).toEqual({ step: "received", received });
    expect(returnsReducer({ step: "received", received }, { type: "next" })).toEqual(RETURNS_IDLE);
  });

  it("shows a refused code and keeps scanning", () => {
    expect(run({ type: "look", code: "AAAAAA" }, { type: "refused", refusal })).toEqual({
      step: "scan",
      refusal,
      note: null,
    });
  });

  it("keeps the return on screen when the receipt fails, to choose again", () => {
    const state = run(
      { type: "look", code: "XKM4TP" },
      { type: "taken", taken: taken() },
      { type: "receive", disposition: "dispose" },
      { type: "receive-failed", refusal },
    );
    expect(state).toEqual({ step: "taken", taken: taken(), error: refusal });
  });

  it("sends one receipt for one tap", () => {
    const receiving = run(
      { type: "look", code: "XKM4TP" },
      { type: "taken", taken: taken() },
      { type: "receive", disposition: "repair" },
    );
    expect(returnsReducer(receiving, { type: "receive", disposition: "dispose" })).toBe(receiving);
  });

  it("offers restock here first, then repair and dispose", () => {
    expect(DISPOSITIONS.map((d) => d.disposition)).toEqual(["restock", "repair", "dispose"]);
    expect(DISPOSITIONS[0]?.label).toBe("Restock here");
  });
});
