// "Import orders", the logic: which Content-Type a file goes as, how many rows a CSV holds, and what the
// server's answer means for the screen (imported; some rows refused, with the valid ones importable; or
// the whole file refused). Pure, so it is tested; ImportOrders.tsx shows it.
import { ApiError, NetworkError } from "../../api/client";
import type { ImportResult, RowError } from "../../api/orders";
import { requestErrorMessage } from "../shell/messages";

/** A sample in the PWA's public directory (pwa/public/samples/), with every column Doorstep reads. */
export const SAMPLE_CSV_PATH = "/samples/doorstep-orders.csv";

/** Files this large are sent without counting their rows here; the server says whether it takes them. */
export const MAX_COUNTED_BYTES = 32 * 1024 * 1024;

/** The columns the importer reads (backend/orders/importing.py: OrderCreate's fields but its stock lines). */
export const IMPORT_COLUMNS: ReadonlyArray<{ name: string; required?: true; note: string }> = [
  { name: "recipient_name", required: true, note: "who receives it" },
  { name: "address", required: true, note: "as the driver reads it" },
  { name: "lat", required: true, note: "latitude, e.g. 60.1699" },
  { name: "lon", required: true, note: "longitude, e.g. 24.9384" },
  { name: "external_ref", note: "your reference; importing it again updates the order" },
  { name: "kind", note: "delivery (default), return or store_pickup" },
  { name: "recipient_phone", note: "for the driver and the tracking messages" },
  { name: "recipient_email", note: "for the tracking messages" },
  { name: "window_start_at", note: "ISO 8601 with an offset, e.g. 2026-11-25T09:00:00+02:00" },
  { name: "window_end_at", note: "with window_start_at, after it" },
  { name: "service_s", note: "seconds at the door (default 120)" },
  { name: "weight_kg", note: "kilograms" },
  { name: "volume_l", note: "litres" },
  { name: "parcel_count", note: "defaults to the number of barcodes, or 1" },
  { name: "priority", note: "0 (default) to 100" },
  { name: "required_skills", note: "vehicle skills, separated by ;" },
  { name: "notes", note: "for the driver" },
  { name: "geofence_radius_m", note: "arrival radius in metres, 10 to 2000 (default 50)" },
  { name: "store_id", note: "the store a store pickup waits at" },
  { name: "id_check_required", note: "true or false" },
  { name: "barcodes", note: "the parcels' barcodes, separated by ;" },
];

/**
 * The Content-Type a file goes as: by its name first, since Windows calls a .csv "application/vnd.ms-excel";
 * anything else goes as the browser typed it, and the server says plainly what it takes.
 */
export function importContentType(name: string, type: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith(".csv") || lower.endsWith(".txt")) return "text/csv";
  if (lower.endsWith(".json")) return "application/json";
  return type || "application/octet-stream";
}

/**
 * How many rows a CSV holds under its header: records, not lines (a quoted cell may hold a line break),
 * blank lines not counted, as the server's reader counts them.
 */
export function countCsvRows(text: string): number {
  let records = 0;
  let inQuotes = false;
  let recordHasText = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') {
      inQuotes = !inQuotes; // "" inside quotes toggles twice: still inside
      recordHasText = true;
    } else if ((c === "\n" || c === "\r") && !inQuotes) {
      if (recordHasText) records += 1;
      recordHasText = false;
    } else if (c !== " " && c !== "\t" && c !== "\ufeff") {
      recordHasText = true;
    }
  }
  if (recordHasText) records += 1;
  return Math.max(0, records - 1); // the header
}

/** "812 bytes", "14 kB", "3.2 MB". */
export function fileSizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** "1 row", "3 rows". */
export function rowsText(n: number): string {
  return `${n} ${n === 1 ? "row" : "rows"}`;
}

/** A refused row as the screen lists it, in the server's words. */
export interface RowProblem {
  /** Data rows from 1, the header not counted, as the server counts them. */
  row: number;
  /** The column the server named, or null when the row is wrong as a whole. */
  column: string | null;
  message: string;
  reference: string | null;
}

export type ImportOutcome =
  /** Imported; with partial, `rows` are the ones left out. */
  | { kind: "imported"; created: number; updated: number; rejected: number; rows: RowProblem[]; unlisted: number }
  /** All or nothing, and some rows are invalid: nothing was imported; `valid` rows could go with partial. */
  | { kind: "rejected"; total: number; rejected: number; valid: number; rows: RowProblem[]; unlisted: number }
  /** The file as a whole was refused (too large, not CSV, unreadable, no rights) or no answer came. */
  | { kind: "failed"; title: string | null; message: string };

function rowProblems(errors: readonly RowError[]): RowProblem[] {
  return errors.map((e) => ({
    row: e.row,
    column: e.field ?? null,
    message: e.reason,
    reference: e.external_ref ?? null,
  }));
}

/** Rows refused beyond those listed (the server lists the first thousand). */
function unlistedRows(rejected: number, rows: readonly RowProblem[]): number {
  return Math.max(0, rejected - new Set(rows.map((r) => r.row)).size);
}

function isRowError(value: unknown): value is RowError {
  if (!value || typeof value !== "object") return false;
  const e = value as Record<string, unknown>;
  return typeof e["row"] === "number" && typeof e["reason"] === "string";
}

/** What the server's answer (or the error it threw) means for the screen. */
export function importOutcome(answer: { result: ImportResult } | { error: unknown }): ImportOutcome {
  if ("result" in answer) {
    const { result } = answer;
    const rows = rowProblems(result.errors);
    return {
      kind: "imported",
      created: result.created,
      updated: result.updated,
      rejected: result.rejected,
      rows,
      unlisted: unlistedRows(result.rejected, rows),
    };
  }
  const { error } = answer;
  if (error instanceof ApiError) {
    const errors = error.problem["errors"];
    if (error.status === 422 && Array.isArray(errors) && errors.length > 0 && errors.every(isRowError)) {
      const rows = rowProblems(errors);
      const total = typeof error.problem["rows"] === "number" ? error.problem["rows"] : rows.length;
      const rejected = typeof error.problem["rejected"] === "number" ? error.problem["rejected"] : rows.length;
      return { kind: "rejected", total, rejected, valid: Math.max(0, total - rejected), rows, unlisted: unlistedRows(rejected, rows) };
    }
    if (error.status === 403) return { kind: "failed", title: null, message: "Your role can't import orders. Ask an administrator." };
    if (error.status < 500 && error.status !== 429) {
      // The server's own words: "Imports are limited to 16777216 bytes", "Unknown column(s): name. Known: ..."
      return { kind: "failed", title: error.title, message: error.detail ?? "" };
    }
  }
  if (error instanceof NetworkError) {
    return { kind: "failed", title: null, message: "The file did not reach Doorstep. Check your connection and try again." };
  }
  return { kind: "failed", title: null, message: requestErrorMessage(error) };
}

/** "Imported 2 orders (2 new)."; "Imported 3 orders (1 new, 2 updated). 1 row was left out." */
export function importedText(outcome: Extract<ImportOutcome, { kind: "imported" }>): string {
  const count = outcome.created + outcome.updated;
  const parts = [outcome.created > 0 && `${outcome.created} new`, outcome.updated > 0 && `${outcome.updated} updated`].filter(Boolean);
  const head =
    count === 0 ? "No order was imported." : `Imported ${count} ${count === 1 ? "order" : "orders"} (${parts.join(", ")}).`;
  if (outcome.rejected === 0) return head;
  return `${head} ${rowsText(outcome.rejected)} ${outcome.rejected === 1 ? "was" : "were"} left out.`;
}

/** "1 of 3 rows can't be imported, so nothing was imported." */
export function rejectedText(outcome: Extract<ImportOutcome, { kind: "rejected" }>): string {
  return `${outcome.rejected} of ${rowsText(outcome.total)} can't be imported, so nothing was imported.`;
}
