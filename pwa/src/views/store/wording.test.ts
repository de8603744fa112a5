import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../../api/client";
import {
  arrivedText,
  daysSince,
  dispositionDoneText,
  overdueText,
  parcelsText,
  readySinceText,
  reasonText,
  refusalLine,
  refusalOf,
  returnItemsText,
  scanInText,
  waitingText,
  whereText,
  distanceText,
} from "./wording";
import { pickup } from "./test-fixtures";

const UTC = "UTC";

function problem(status: number, title: string, detail?: string): ApiError {
  return new ApiError({ status, problem: { title, status, ...(detail ? { detail } : {}) } });
}

describe("refusals", () => {
  it("shows the server's title and detail as they are", () => {
    const used = "Handed over 2026-11-26 14:03 UTC; this code cannot be used again";
    const refusal = refusalOf(problem(409, "This pickup was already handed over", used));
    expect(refusal).toEqual({
      title: "This pickup was already handed over",
      detail: "Handed over 2026-11-26 14:03 UTC; this code cannot be used again",
    });
    expect(refusalLine(refusal)).toBe(
      "This pickup was already handed over: Handed over 2026-11-26 14:03 UTC; this code cannot be used again",
    );
    const missing = "1 parcel(s) of this order are not scanned in yet";
    expect(refusalOf(problem(409, "This pickup is not ready", missing))).toEqual({
      title: "This pickup is not ready",
      detail: missing,
    });
    expect(refusalLine(refusalOf(problem(404, "No pickup with this code at this store")))).toBe(
      "No pickup with this code at this store",
    );
  });

  it("says in plain words when the server did not answer or failed", () => {
    expect(refusalOf(new NetworkError("no answer")).title).toBe("Can't reach Doorstep");
    expect(refusalOf(problem(503, "Service Unavailable")).title).toBe("Doorstep had a problem (503)");
    expect(refusalOf(problem(401, "Unauthorized")).title).toBe("Your sign-in has ended");
    expect(refusalOf(new Error("boom")).title).toBe("Something went wrong");
  });
});

describe("scan-in results", () => {
  it("says the order is ready and the customer is told once every parcel is in", () => {
    expect(scanInText(pickup())).toEqual({
      tone: "good",
      text: "Shelved on B-04 — ready for pickup (customer will be told)",
    });
  });

  it("counts the parcels in while some are missing", () => {
    expect(scanInText(pickup({ status: "at_store", scanned: ["PK-1"] }))).toEqual({
      tone: "info",
      text: "Shelved on B-04 — 1 of 2 parcels in",
    });
    expect(parcelsText(pickup({ scanned: ["PK-2"] }))).toBe("1 of 2 parcels in");
    expect(parcelsText(pickup())).toBe("2 parcels");
    expect(parcelsText(pickup({ parcels: ["PK-1"], scanned: ["PK-1", "PK-1"] }))).toBe("1 parcel");
  });
});

describe("waiting times", () => {
  const now = new Date("2026-11-26T12:00:00Z");

  it("counts whole days waiting", () => {
    expect(daysSince("2026-11-24T08:14:00Z", now)).toBe(2);
    expect(daysSince("2026-11-26T11:00:00Z", now)).toBe(0);
    expect(daysSince(null, now)).toBe(0);
    expect(daysSince("not a time", now)).toBe(0);
    expect(waitingText("2026-11-26T09:00:00Z", now)).toBe("today");
    expect(waitingText("2026-11-25T09:00:00Z", now)).toBe("1 day");
    expect(waitingText("2026-11-20T09:00:00Z", now)).toBe("6 days");
  });

  it("says since when a pickup is ready, with the day once it is not today", () => {
    expect(readySinceText("2026-11-26T09:14:00Z", now, UTC)).toBe("Ready since 09:14 today");
    expect(readySinceText("2026-11-24T08:14:00Z", now, UTC)).toBe("Ready since Tue 24 Nov (2 days)");
    // yesterday evening, under a day ago: still "1 day", never "0 days"
    expect(readySinceText("2026-11-25T20:00:00Z", now, UTC)).toBe("Ready since Wed 25 Nov (1 day)");
    expect(readySinceText(null, now, UTC)).toBe("Not ready yet");
  });

  it("says how long ago a pickup expired", () => {
    expect(overdueText("2026-11-26T08:00:00Z", now)).toBe("Expired today");
    expect(overdueText("2026-11-23T08:00:00Z", now)).toBe("Expired 3 days ago");
    expect(overdueText(null, now)).toBe("");
  });
});

describe("arrivals", () => {
  const now = new Date("2026-11-26T12:00:00Z");

  it("says where the customer waits", () => {
    expect(whereText(false, null)).toBe("Coming to the counter");
    expect(whereText(true, "blue Volvo, spot 4")).toBe("Curbside: blue Volvo, spot 4");
    expect(whereText(true, null)).toBe("Curbside (no parking note)");
  });

  it("says how far away a customer is in round figures, or nothing when unknown", () => {
    expect(distanceText(null)).toBeNull();
    expect(distanceText(undefined)).toBeNull();
    expect(distanceText(Number.NaN)).toBeNull();
    expect(distanceText(20)).toBe("at the store");
    expect(distanceText(334)).toBe("about 330 m away");
    expect(distanceText(2440)).toBe("about 2.4 km away");
  });

  it("says just arrived within the first minute, then since when", () => {
    expect(arrivedText("2026-11-26T11:59:30Z", now, UTC)).toBe("just arrived");
    expect(arrivedText("2026-11-26T11:52:00Z", now, UTC)).toBe("here since 11:52");
  });
});

describe("returns", () => {
  it("lists what comes back", () => {
    expect(returnItemsText({ parcels: ["PK-1", "PK-2"] })).toBe("2 parcels (PK-1, PK-2)");
    expect(returnItemsText({ skus: [{ sku: "MUG-1", quantity: 2 }] })).toBe("2 items (MUG-1 × 2)");
    expect(returnItemsText({ parcels: ["PK-1"], skus: [{ sku: "CAP", quantity: 1 }] })).toBe(
      "1 parcel (PK-1) and 1 item (CAP × 1)",
    );
    expect(returnItemsText({})).toBe("Nothing listed");
  });

  it("names reasons and what was decided", () => {
    expect(reasonText("wrong_item")).toBe("Wrong item");
    expect(reasonText("smells_odd")).toBe("smells odd");
    expect(dispositionDoneText("restock", "Kamppi store")).toBe("Restocked at Kamppi store: back in stock here.");
    expect(dispositionDoneText("dispose", "Kamppi store")).toMatch(/disposal/);
  });
});
