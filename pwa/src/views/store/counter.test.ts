import { describe, expect, it } from "vitest";
import { counterReducer, IDLE, scanning, type CounterAction, type CounterState } from "./counter";
import { pickup } from "./test-fixtures";

const refusal = { title: "No pickup with this code at this store", detail: "Check the code with the customer" };

function run(...actions: CounterAction[]): CounterState {
  return actions.reduce(counterReducer, IDLE);
}

describe("the counter", () => {
  it("goes from a code to the pickup, the hand-over and back to scanning", () => {
    const found = run(
      { type: "look", code: "ACD347", source: "customer" },
      { type: "found", pickup: pickup(), code: "ACD347" },
    );
    expect(found).toEqual({ step: "found", pickup: pickup(), code: "ACD347", source: "customer", error: null });
    const handing = counterReducer(found, { type: "hand-over" });
    expect(handing.step).toBe("handing");
    const done = counterReducer(handing, {
      type: "handed",
      pickup: pickup({ status: "picked_up" }),
      recipient: "Aino",
    });
    expect(done).toMatchObject({ step: "done", recipient: "Aino" });
    expect(counterReducer(done, { type: "next" })).toEqual(IDLE);
  });

  it("shows a refusal and keeps scanning", () => {
    const refused = run({ type: "look", code: "AAAAAA", source: "customer" }, { type: "refused", refusal });
    expect(refused).toEqual({ step: "scan", refusal, note: null });
    expect(scanning(refused)).toBe(true);
    // the next code clears it
    expect(counterReducer(refused, { type: "look", code: "ACD347", source: "customer" })).toEqual({
      step: "looking",
      code: "ACD347",
      source: "customer",
    });
  });

  it("ignores a code read while another is looked up or a customer is served", () => {
    const looking = run({ type: "look", code: "ACD347", source: "customer" });
    expect(counterReducer(looking, { type: "look", code: "XXXXXX", source: "customer" })).toBe(looking);
    const found = counterReducer(looking, { type: "found", pickup: pickup(), code: "ACD347" });
    expect(counterReducer(found, { type: "look", code: "XXXXXX", source: "customer" })).toBe(found);
    expect(counterReducer(found, { type: "note", note: "a return" })).toBe(found);
    expect(scanning(found)).toBe(false);
  });

  it("keeps the customer on screen after a hand-over that can be tried again", () => {
    const failed = run(
      { type: "look", code: "ACD347", source: "customer" },
      { type: "found", pickup: pickup(), code: "ACD347" },
      { type: "hand-over" },
      { type: "failed", refusal, final: false },
    );
    expect(failed).toEqual({ step: "found", pickup: pickup(), code: "ACD347", source: "customer", error: refusal });
  });

  it("goes back to scanning after a hand-over refused for good (used by a colleague a moment ago)", () => {
    const failed = run(
      { type: "look", code: "ACD347", source: "customer" },
      { type: "found", pickup: pickup(), code: "ACD347" },
      { type: "hand-over" },
      { type: "failed", refusal, final: true },
    );
    expect(failed).toEqual({ step: "scan", refusal, note: null });
  });

  it("does not hand over twice from one tap", () => {
    const handing = run(
      { type: "look", code: "ACD347", source: "customer" },
      { type: "found", pickup: pickup(), code: "ACD347" },
      { type: "hand-over" },
    );
    expect(counterReducer(handing, { type: "hand-over" })).toBe(handing);
  });

  it("remembers a customer chosen from the waiting list, through a failed attempt, so the screen asks for ID", () => {
    const failed = run(
      { type: "look", code: "ACD347", source: "list" },
      { type: "found", pickup: pickup(), code: "ACD347" },
      { type: "hand-over" },
      { type: "failed", refusal, final: false },
    );
    expect(failed).toMatchObject({ step: "found", source: "list" });
  });

  it("shows a note for a code that is not the counter's", () => {
    expect(run({ type: "note", note: "This is a return's code." })).toEqual({
      step: "scan",
      refusal: null,
      note: "This is a return's code.",
    });
  });
});
