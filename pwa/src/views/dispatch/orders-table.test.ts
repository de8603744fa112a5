import { afterEach, describe, expect, it, vi } from "vitest";
import { orderListPath } from "../../api/orders";
import {
  actorText,
  createdText,
  debounce,
  eventText,
  filtersFromQuery,
  isFiltered,
  latestOnly,
  NO_FILTERS,
  orderQuery,
  pageCount,
  pageToShow,
  pagingText,
  queryFromFilters,
  withFilter,
  type OrderFilters,
} from "./orders-table";

const ORDER_ID = "0191f3a2-7c4e-7d61-9a0b-3c2d1e0f4a5b";

describe("the view in the address bar", () => {
  it("reads every filter from the query string", () => {
    expect(filtersFromQuery(`?status=created&kind=return&q=Aino%20V&page=3&order=${ORDER_ID}`)).toEqual({
      status: "created",
      kind: "return",
      q: "Aino V",
      page: 3,
      order: ORDER_ID,
    });
  });

  it("falls back to the defaults for what a stale or edited link gets wrong", () => {
    expect(filtersFromQuery("?status=lost&kind=drone&page=x&order=not-an-id")).toEqual(NO_FILTERS);
    expect(filtersFromQuery("?page=0").page).toBe(1);
    expect(filtersFromQuery("?page=-2").page).toBe(1);
    expect(filtersFromQuery("?page=2.5").page).toBe(1);
    expect(filtersFromQuery("").page).toBe(1);
  });

  it("trims the search and keeps it within the server's 100 characters", () => {
    expect(filtersFromQuery("?q=%20%20Mannerheimintie%20").q).toBe("Mannerheimintie");
    expect(filtersFromQuery(`?q=${"a".repeat(150)}`).q).toHaveLength(100);
  });

  it("writes only what differs from the default, so the plain view has a plain address", () => {
    expect(queryFromFilters(NO_FILTERS)).toBe("");
    expect(queryFromFilters({ ...NO_FILTERS, q: "   " })).toBe("");
    expect(queryFromFilters({ ...NO_FILTERS, status: "planned", page: 2 })).toBe("?status=planned&page=2");
    expect(queryFromFilters({ ...NO_FILTERS, q: "Korhonen, Eino & co" })).toBe("?q=Korhonen%2C+Eino+%26+co");
  });

  it("comes back as the same view after a round trip through the address bar", () => {
    const views: OrderFilters[] = [
      NO_FILTERS,
      { status: "out_for_delivery", kind: "delivery", q: "ä & ö / #1?", page: 7, order: ORDER_ID },
      { status: null, kind: "store_pickup", q: "", page: 1, order: null },
    ];
    for (const view of views) expect(filtersFromQuery(queryFromFilters(view))).toEqual(view);
  });
});

describe("the request for a view", () => {
  it("asks for the page's slice with the filters, and not for the open order", () => {
    const query = orderQuery({ status: "created", kind: null, q: " aino ", page: 3, order: ORDER_ID });
    expect(query).toEqual({ status: "created", kind: null, q: "aino", limit: 50, offset: 100 });
    expect(orderListPath(query)).toBe("/api/orders?limit=50&offset=100&status=created&q=aino");
    expect(orderListPath(orderQuery(NO_FILTERS))).toBe("/api/orders?limit=50&offset=0");
  });

  it("starts again from the first page when a filter changes", () => {
    const onPage4 = { ...NO_FILTERS, status: "created", page: 4 };
    expect(withFilter(onPage4, { q: "eino" })).toEqual({ ...onPage4, q: "eino", page: 1 });
    expect(withFilter(onPage4, { status: null }).page).toBe(1);
  });

  it("tells a filtered view from the plain one", () => {
    expect(isFiltered(NO_FILTERS)).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, page: 3, order: ORDER_ID })).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, kind: "return" })).toBe(true);
    expect(isFiltered({ ...NO_FILTERS, q: "x" })).toBe(true);
  });
});

describe("paging", () => {
  it("says which rows of how many are on screen", () => {
    expect(pagingText(0, 50, 312)).toBe("1–50 of 312");
    expect(pagingText(50, 50, 312)).toBe("51–100 of 312");
    expect(pagingText(300, 12, 312)).toBe("301–312 of 312");
    expect(pagingText(0, 1, 1)).toBe("1–1 of 1");
    expect(pagingText(0, 0, 0)).toBe("No orders");
    expect(pagingText(400, 0, 312)).toBe("0 of 312");
  });

  it("counts pages, an empty list being one page", () => {
    expect(pageCount(0)).toBe(1);
    expect(pageCount(50)).toBe(1);
    expect(pageCount(51)).toBe(2);
    expect(pageCount(312)).toBe(7);
  });

  it("goes to the last page when the list shrank under the page asked for", () => {
    expect(pageToShow(7, 60)).toBe(2);
    expect(pageToShow(3, 0)).toBe(1);
    expect(pageToShow(2, 60)).toBeNull();
    expect(pageToShow(1, 0)).toBeNull();
  });
});

describe("the newest answer wins", () => {
  it("lets a slow answer to an older search through to nobody", async () => {
    const guard = latestOnly();
    const shown: string[] = [];
    let answerSlow: (value: string) => void = () => undefined;
    let answerFast: (value: string) => void = () => undefined;
    const slow = guard.start();
    const slowAnswer = new Promise<string>((resolve) => (answerSlow = resolve)).then((v) => {
      if (slow.isCurrent()) shown.push(v);
    });
    const fast = guard.start();
    const fastAnswer = new Promise<string>((resolve) => (answerFast = resolve)).then((v) => {
      if (fast.isCurrent()) shown.push(v);
    });
    answerFast("results for 'aino'");
    await fastAnswer;
    answerSlow("results for 'a'");
    await slowAnswer;
    expect(shown).toEqual(["results for 'aino'"]);
  });

  it("aborts the request a newer one replaces, and the last one when stopped", () => {
    const guard = latestOnly();
    const first = guard.start();
    expect(first.signal.aborted).toBe(false);
    expect(first.isCurrent()).toBe(true);
    const second = guard.start();
    expect(first.signal.aborted).toBe(true);
    expect(first.isCurrent()).toBe(false);
    expect(second.isCurrent()).toBe(true);
    guard.stop();
    expect(second.signal.aborted).toBe(true);
    expect(second.isCurrent()).toBe(false);
  });
});

describe("debounce", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs once with the last value after typing pauses", () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const typed = debounce(run, 300);
    typed.call("a");
    vi.advanceTimersByTime(200);
    typed.call("ai");
    vi.advanceTimersByTime(200);
    typed.call("aino");
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(300);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run).toHaveBeenCalledWith("aino");
  });

  it("runs at once on flush (Enter), and not at all once cancelled", () => {
    vi.useFakeTimers();
    const run = vi.fn();
    const typed = debounce(run, 300);
    typed.call("eino");
    typed.flush();
    expect(run).toHaveBeenCalledWith("eino");
    typed.call("leo");
    typed.cancel();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(1);
    typed.flush(); // nothing waiting
    expect(run).toHaveBeenCalledTimes(1);
  });
});

describe("an order's history in words", () => {
  it("says what happened", () => {
    expect(eventText({ type: "order.created", payload: { status: "created" } })).toBe("Created");
    expect(eventText({ type: "order.created", payload: { status: "created", via: "import" } })).toBe("Created by import");
    expect(eventText({ type: "order.status_changed", payload: { from: "created", to: "planned", reason: null } })).toBe(
      "Waiting → Planned",
    );
    expect(
      eventText({ type: "order.status_changed", payload: { from: "planned", to: "created", by_planner: true } }),
    ).toBe("Planned → Waiting (live re-planning)");
    expect(
      eventText({
        type: "order.updated",
        payload: { changed: ["address", "window_end_at", "window_start_at"], added_barcodes: ["P-7"], via: "import" },
      }),
    ).toBe("Changed: address, window; parcels added: P-7 (by import)");
    expect(eventText({ type: "order.updated", payload: { changed: [], added_barcodes: ["P-7"] } })).toBe(
      "Parcels added: P-7",
    );
    expect(eventText({ type: "order.carrier_assigned", payload: { carrier_id: null } })).toBe(
      "Taken back from the carrier",
    );
    expect(eventText({ type: "order.something_new", payload: {} })).toBe("Something new");
  });

  it("says who did it, by name when the screen knows the person", () => {
    const names = new Map([["u-1", "Dani Dispatcher"]]);
    const nameOf = (id: string) => names.get(id);
    expect(actorText("user:u-1", nameOf)).toBe("Dani Dispatcher");
    expect(actorText("user:u-2", nameOf)).toBe("A member of staff");
    expect(actorText("api_key:k-1")).toBe("An API key");
    expect(actorText("customer")).toBe("The customer");
    expect(actorText("system:replanner")).toBe("Live re-planning");
    expect(actorText("system:demo")).toBe("Doorstep");
  });

  it("writes when an order came in, in the organization's zone", () => {
    expect(createdText("2026-11-25T22:30:00Z", "Europe/Helsinki")).toBe("26 Nov 00:30");
    expect(createdText("2026-11-25T22:30:00Z", "UTC")).toBe("25 Nov 22:30");
    expect(createdText("not a date", "UTC")).toBe("");
  });
});
