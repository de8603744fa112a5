import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../../api/client";
import schemas from "../../../../backend/orders/schemas.py?raw";
import sample from "../../../public/samples/doorstep-orders.csv?raw"; // SAMPLE_CSV_PATH
import {
  countCsvRows,
  fileSizeText,
  importContentType,
  importedText,
  importOutcome,
  IMPORT_COLUMNS,
  rejectedText,
} from "./orders-import";

const HEADER = "external_ref,recipient_name,address,lat,lon";

function rejected(problem: Record<string, unknown>): ApiError {
  return new ApiError({
    status: 422,
    problem: {
      type: "https://doorstep.dev/problems/import-rejected",
      title: "The import has invalid rows; nothing was imported",
      status: 422,
      ...problem,
    },
  });
}

describe("which Content-Type a file goes as", () => {
  it("goes by the name, whatever the browser typed", () => {
    expect(importContentType("orders.csv", "text/csv")).toBe("text/csv");
    expect(importContentType("ORDERS.CSV", "application/vnd.ms-excel")).toBe("text/csv"); // Windows
    expect(importContentType("orders.csv", "")).toBe("text/csv");
    expect(importContentType("orders.json", "")).toBe("application/json");
  });

  it("sends anything else as typed, for the server to refuse in its own words", () => {
    expect(importContentType("photo.png", "image/png")).toBe("image/png");
    expect(importContentType("orders.xlsx", "")).toBe("application/octet-stream");
  });
});

describe("counting a CSV's rows", () => {
  it("counts the records under the header", () => {
    expect(countCsvRows(`${HEADER}\nA-1,Aino,Street 1,60.1,24.9\nA-2,Eino,Street 2,60.1,24.9\n`)).toBe(2);
    expect(countCsvRows(`${HEADER}\r\nA-1,Aino,Street 1,60.1,24.9\r\nA-2,Eino,Street 2,60.1,24.9`)).toBe(2);
  });

  it("counts a quoted cell with a line break or a quote in it as part of one row", () => {
    const text = `${HEADER}\nA-1,"Korhonen, Eino","Aleksanterinkatu 48\nHelsinki",60.1,24.9\nA-2,"Say ""hi""",X,60.1,24.9\n`;
    expect(countCsvRows(text)).toBe(2);
  });

  it("skips blank lines and a byte order mark, and finds nothing in a header alone or an empty file", () => {
    expect(countCsvRows(`\ufeff${HEADER}\n\nA-1,Aino,S,60.1,24.9\n\n   \n`)).toBe(1);
    expect(countCsvRows(`${HEADER}\n`)).toBe(0);
    expect(countCsvRows("")).toBe(0);
  });
});

describe("what the server's answer means", () => {
  it("an import reports the counts and the rows left out", () => {
    const outcome = importOutcome({
      result: {
        created: 2,
        updated: 1,
        rejected: 1,
        errors: [{ row: 3, field: "lat", reason: "Expected `float` <= 90.0", external_ref: "A-3" }],
        order_ids: ["a", "b", "c"],
      },
    });
    expect(outcome).toEqual({
      kind: "imported",
      created: 2,
      updated: 1,
      rejected: 1,
      rows: [{ row: 3, column: "lat", message: "Expected `float` <= 90.0", reference: "A-3" }],
      unlisted: 0,
    });
    expect(outcome.kind === "imported" && importedText(outcome)).toBe(
      "Imported 3 orders (2 new, 1 updated). 1 row was left out.",
    );
  });

  it("words a clean import", () => {
    const outcome = importOutcome({ result: { created: 1, updated: 0, rejected: 0, errors: [], order_ids: ["a"] } });
    expect(outcome.kind === "imported" && importedText(outcome)).toBe("Imported 1 order (1 new).");
    const updated = importOutcome({ result: { created: 0, updated: 4, rejected: 2, errors: [], order_ids: [] } });
    expect(updated.kind === "imported" && importedText(updated)).toBe(
      "Imported 4 orders (4 updated). 2 rows were left out.",
    );
  });

  it("invalid rows: the rows as the server says them, and how many valid ones could go alone", () => {
    const outcome = importOutcome({
      error: rejected({
        detail: "2 of 5 rows are invalid; fix them, or send ?partial=true to import the rest.",
        rejected: 2,
        rows: 5,
        errors: [
          { row: 3, field: "lat", reason: "Expected `float` <= 90.0", external_ref: "A-3" },
          { row: 4, field: null, reason: "Object missing required field `recipient_name`" },
        ],
      }),
    });
    expect(outcome).toEqual({
      kind: "rejected",
      total: 5,
      rejected: 2,
      valid: 3,
      rows: [
        { row: 3, column: "lat", message: "Expected `float` <= 90.0", reference: "A-3" },
        { row: 4, column: null, message: "Object missing required field `recipient_name`", reference: null },
      ],
      unlisted: 0,
    });
    expect(outcome.kind === "rejected" && rejectedText(outcome)).toBe(
      "2 of 5 rows can't be imported, so nothing was imported.",
    );
  });

  it("counts the refused rows the server did not list", () => {
    const errors = Array.from({ length: 1000 }, (_, i) => ({ row: i + 1, field: "lat", reason: "bad" }));
    const outcome = importOutcome({ error: rejected({ rejected: 1500, rows: 1500, errors }) });
    expect(outcome.kind === "rejected" && [outcome.valid, outcome.unlisted]).toEqual([0, 500]);
  });

  it("a file refused whole shows the server's title and detail as they are", () => {
    const tooLarge = new ApiError({
      status: 413,
      problem: { title: "Request body too large", detail: "Imports are limited to 16777216 bytes" },
    });
    expect(importOutcome({ error: tooLarge })).toEqual({
      kind: "failed",
      title: "Request body too large",
      message: "Imports are limited to 16777216 bytes",
    });
    const unreadable = new ApiError({
      status: 422,
      problem: {
        type: "https://doorstep.dev/problems/import-unreadable",
        title: "The import could not be read",
        detail: "Unknown column(s): name. Known: external_ref, kind",
        unknown_columns: ["name"],
      },
    });
    expect(importOutcome({ error: unreadable })).toEqual({
      kind: "failed",
      title: "The import could not be read",
      message: "Unknown column(s): name. Known: external_ref, kind",
    });
    const wrongType = new ApiError({ status: 415, problem: { title: "Unsupported media type", detail: "Send the file as text/csv" } });
    expect(importOutcome({ error: wrongType })).toMatchObject({ kind: "failed", title: "Unsupported media type" });
  });

  it("no answer, no rights and server faults get plain sentences", () => {
    expect(importOutcome({ error: new NetworkError("POST /api/orders/import got no answer") })).toEqual({
      kind: "failed",
      title: null,
      message: "The file did not reach Doorstep. Check your connection and try again.",
    });
    expect(importOutcome({ error: new ApiError({ status: 403, problem: { title: "Forbidden" } }) })).toMatchObject({
      message: "Your role can't import orders. Ask an administrator.",
    });
    expect(importOutcome({ error: new ApiError({ status: 500, problem: { title: "Internal server error" } }) })).toMatchObject({
      kind: "failed",
      message: "Doorstep had a problem (500). Try again in a moment.",
    });
  });
});

describe("the sample and the columns documented", () => {
  it("documents exactly the columns the importer reads: OrderCreate's fields but its stock lines", () => {
    const body = schemas.split("class OrderCreate(")[1]?.split("def __post_init__")[0] ?? "";
    const fields = [...body.matchAll(/^ {4}([a-z_]+): /gm)].map((m) => m[1]).filter((name) => name !== "lines");
    expect(fields.length).toBeGreaterThan(15);
    expect(IMPORT_COLUMNS.map((c) => c.name).sort()).toEqual(fields.sort());
  });

  it("serves a sample whose header uses only documented columns, the required ones included, and has rows", () => {
    const header = (sample.split(/\r?\n/)[0] ?? "").split(",");
    for (const name of header) expect(IMPORT_COLUMNS.map((c) => c.name)).toContain(name);
    for (const column of IMPORT_COLUMNS.filter((c) => c.required)) expect(header).toContain(column.name);
    expect(countCsvRows(sample)).toBeGreaterThanOrEqual(3);
  });

  it("writes sizes plainly", () => {
    expect(fileSizeText(812)).toBe("812 bytes");
    expect(fileSizeText(14_200)).toBe("14 kB");
    expect(fileSizeText(3_240_000)).toBe("3.2 MB");
  });
});
