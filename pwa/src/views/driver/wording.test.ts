import { describe, expect, it } from "vitest";
import type { Command } from "../../offline/db";
import {
  lastSyncText,
  pendingText,
  rejectedHeading,
  rejectedText,
  routeStatusText,
  serviceDateText,
  sharingText,
  stopStatusText,
  windowText,
} from "./wording";

const ZONE = "Europe/Helsinki"; // UTC+2 in November

function command(type: Command["type"], media: string[] = []): Command {
  return {
    id: "c1",
    seq: 1,
    type,
    route_id: "r",
    stop_id: "s",
    order_id: "o",
    occurred_at: "2026-11-25T10:00:00+02:00",
    payload: {},
    media,
  };
}

describe("status bar", () => {
  it("counts the actions waiting, or says all is synced", () => {
    expect(pendingText(0)).toBe("All synced");
    expect(pendingText(1)).toBe("1 action waiting to sync");
    expect(pendingText(3)).toBe("3 actions waiting to sync");
  });

  it("gives the last sync as a clock time", () => {
    expect(lastSyncText("2026-11-25T05:42:10Z", ZONE)).toBe("last sync 07:42");
    expect(lastSyncText(null, ZONE)).toBe("not synced yet");
  });

  it("names each location-sharing state", () => {
    expect(sharingText("live")).toBe("Sharing location");
    expect(sharingText("denied")).toBe("Location blocked");
  });
});

describe("windowText", () => {
  it("writes a window in the phone's clock, or one end of it", () => {
    expect(windowText("2026-11-25T08:00:00Z", "2026-11-25T10:00:00Z", ZONE)).toBe("10:00–12:00");
    expect(windowText("2026-11-25T08:00:00Z", null, ZONE)).toBe("from 10:00");
    expect(windowText(null, null, ZONE)).toBe("");
  });
});

describe("stopStatusText", () => {
  it("says what was done at a closed stop in its own words", () => {
    expect(stopStatusText("completed", "handover")).toBe("Delivered");
    expect(stopStatusText("completed", "return-pickup")).toBe("Collected");
    expect(stopStatusText("failed", "handover")).toBe("Failed");
    expect(stopStatusText("some_new_state", "handover")).toBe("Some new state");
  });
});

describe("refused actions", () => {
  it("heads the list with how many", () => {
    expect(rejectedHeading(1)).toBe("Dispatch refused 1 action");
    expect(rejectedHeading(2)).toBe("Dispatch refused 2 actions");
  });

  it("uses the server's sentence and says the proof was kept", () => {
    const text = rejectedText({
      command: command("stop.deliver", ["abc"]),
      reason: "stop_cancelled",
      message: "Stop 5 (Anna Virtanen) was cancelled while you were offline",
    });
    expect(text).toBe("Stop 5 (Anna Virtanen) was cancelled while you were offline. Your proof was saved.");
  });

  it("names the stop when the server's sentence does not", () => {
    const entry = {
      command: command("stop.deliver"),
      reason: "not_found",
      message: "This stop is no longer on any route.",
    };
    expect(rejectedText(entry, "Stop 5 (Anna Virtanen)")).toBe(
      "Stop 5 (Anna Virtanen): This stop is no longer on any route. Your proof was saved.",
    );
    const named = { ...entry, message: "Stop 5 (Anna Virtanen) was cancelled while you were offline." };
    expect(rejectedText(named, "Stop 5 (Anna Virtanen)")).toBe(
      "Stop 5 (Anna Virtanen) was cancelled while you were offline. Your proof was saved.",
    );
  });

  it("does not promise a proof that was lost on the phone, nor for a scan", () => {
    expect(
      rejectedText({ command: command("stop.deliver"), reason: "media_lost", message: "The photo was lost." }),
    ).toBe("The photo was lost.");
    expect(rejectedText({ command: command("parcel.scan"), reason: "route_closed", message: "" })).toBe(
      "A parcel scan was refused: the route was already closed.",
    );
  });
});

describe("route line", () => {
  it("says the day and where the route is at", () => {
    expect(serviceDateText("2026-11-25")).toBe("Wed 25 Nov");
    expect(routeStatusText({ status: "published", started_at: null, completed_at: null })).toBe("Not started");
    expect(
      routeStatusText({ status: "in_progress", started_at: "2026-11-25T06:02:00Z", completed_at: null }, ZONE),
    ).toBe("On the road since 08:02");
    expect(routeStatusText({ status: "completed", started_at: null, completed_at: "2026-11-25T14:40:00Z" }, ZONE)).toBe(
      "Finished at 16:40",
    );
  });
});
