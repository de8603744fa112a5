// "Import orders": a CSV chosen or dropped here goes to POST /api/orders/import, all or nothing first. When
// rows are invalid the server lists them (row, column, its own words) and nothing is imported: the dispatcher
// fixes the file, or imports the valid rows alone. A file refused whole shows the server's reason as it is.
// The logic is in orders-import.ts.
import { useSignal } from "@preact/signals";
import type { TargetedDragEvent, TargetedEvent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { importOrders } from "../../api/orders";
import {
  countCsvRows,
  fileSizeText,
  importContentType,
  importedText,
  importOutcome,
  IMPORT_COLUMNS,
  MAX_COUNTED_BYTES,
  rejectedText,
  rowsText,
  SAMPLE_CSV_PATH,
  type ImportOutcome,
  type RowProblem,
} from "./orders-import";

interface ChosenFile {
  file: File;
  contentType: string;
  /** Rows under the header; "counting" while the file is read; null when not counted (not a CSV, too large). */
  rows: number | "counting" | null;
}

type Phase =
  | { step: "waiting" }
  | { step: "sending"; partial: boolean }
  | { step: "answered"; fileName: string; outcome: ImportOutcome };

const READABLE = new Set(["text/csv", "application/json"]);

export function ImportOrders(props: { onImported(): void }) {
  const chosen = useSignal<ChosenFile | null>(null);
  const phase = useSignal<Phase>({ step: "waiting" });
  const dragging = useSignal(false);
  const note = useSignal<string | null>(null);
  const answer = useRef<HTMLDivElement>(null);
  const answered = phase.value.step === "answered" ? phase.value : null;

  // The answer gets the focus, so a screen reader reads it and a keyboard is next to its buttons.
  useEffect(() => {
    if (answered) answer.current?.focus();
  }, [answered]);

  // A file dropped a little beside the area would open in the tab, and the console would be gone.
  useEffect(() => {
    const keep = (event: DragEvent) => {
      if (!event.dataTransfer?.types.includes("Files") || event.defaultPrevented) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "none";
    };
    window.addEventListener("dragover", keep);
    window.addEventListener("drop", keep);
    return () => {
      window.removeEventListener("dragover", keep);
      window.removeEventListener("drop", keep);
    };
  }, []);

  function choose(file: File) {
    const contentType = importContentType(file.name, file.type);
    const counted = contentType === "text/csv" && file.size <= MAX_COUNTED_BYTES;
    const entry: ChosenFile = { file, contentType, rows: counted ? "counting" : null };
    chosen.value = entry;
    phase.value = { step: "waiting" };
    if (!counted) return;
    file.text().then(
      (text) => {
        if (chosen.value?.file === file) chosen.value = { ...entry, rows: countCsvRows(text) };
      },
      () => {
        if (chosen.value?.file === file) chosen.value = { ...entry, rows: null };
      },
    );
  }

  function onPicked(event: TargetedEvent<HTMLInputElement>) {
    const file = event.currentTarget.files?.[0];
    note.value = null;
    if (file) choose(file);
    event.currentTarget.value = ""; // the same file, fixed, can be chosen again
  }

  function onDragOver(event: TargetedDragEvent<HTMLDivElement>) {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault(); // without it the browser opens the file instead of dropping it here
    event.dataTransfer.dropEffect = "copy";
    dragging.value = true;
  }

  function onDragLeave(event: TargetedDragEvent<HTMLDivElement>) {
    const to = event.relatedTarget as Node | null;
    if (!to || !event.currentTarget.contains(to)) dragging.value = false;
  }

  function onDrop(event: TargetedDragEvent<HTMLDivElement>) {
    event.preventDefault();
    dragging.value = false;
    const files = event.dataTransfer?.files;
    if (!files || files.length === 0) return;
    const first = files[0];
    if (!first) return;
    note.value = files.length > 1 ? `One file at a time: ${first.name} is the one chosen.` : null;
    choose(first);
  }

  async function send(partial: boolean) {
    const entry = chosen.value;
    if (!entry || phase.value.step === "sending") return;
    phase.value = { step: "sending", partial };
    let outcome: ImportOutcome;
    try {
      outcome = importOutcome({ result: await importOrders(entry.file, entry.contentType, partial) });
    } catch (error) {
      outcome = importOutcome({ error });
    }
    phase.value = { step: "answered", fileName: entry.file.name, outcome };
    if (outcome.kind === "imported") {
      chosen.value = null; // imported: sending it again would only repeat it
      props.onImported();
    }
  }

  const file = chosen.value;
  const sending = phase.value.step === "sending" ? phase.value : null;
  const rows = file?.rows;
  return (
    <section class="card import-orders" aria-labelledby="import-heading" data-testid="import-orders">
      <div class="import-head">
        <h2 id="import-heading">Import orders</h2>
        <a class="import-sample" href={SAMPLE_CSV_PATH} download="doorstep-orders-sample.csv">
          Download a sample CSV
        </a>
      </div>
      <div
        class={dragging.value ? "import-drop import-drop-active" : "import-drop"}
        onDragEnter={onDragOver}
        onDragOver={onDragOver}
        onDragLeave={onDragLeave}
        onDrop={onDrop}
        data-testid="import-drop"
      >
        <p class="import-drop-text">Drop a CSV file here, or</p>
        <span class="import-picker">
          <input
            id="import-file"
            class="visually-hidden"
            type="file"
            accept=".csv,text/csv"
            onChange={onPicked}
          />
          <label for="import-file" class="button button-secondary">
            Choose a CSV file
          </label>
        </span>
      </div>
      {note.value && <p class="muted">{note.value}</p>}

      {file && (
        <div class="import-chosen">
          <p data-testid="import-file">
            <span class="import-file-name">{file.file.name}</span>
            <span class="muted">
              {" · "}
              {rows === "counting" ? "counting rows…" : typeof rows === "number" ? rowsText(rows) : null}
              {typeof rows === "number" || rows === "counting" ? " · " : null}
              {fileSizeText(file.file.size)}
            </span>
          </p>
          {!READABLE.has(file.contentType) && (
            <p class="muted">Doorstep reads CSV files; it will say why if it can't read this one.</p>
          )}
          {typeof rows === "number" && rows === 0 && (
            <p class="notice-text">This file has no rows under its header.</p>
          )}
          {!sending?.partial && (!answered || answered.outcome.kind === "failed") && (
            <button
              type="button"
              class="button"
              aria-disabled={sending ? "true" : undefined}
              onClick={() => void send(false)}
            >
              {typeof rows === "number" && rows > 0 ? `Import ${rowsText(rows)}` : "Import the file"}
            </button>
          )}
        </div>
      )}

      {sending && (
        <p class="import-sending" role="status">
          <span class="spinner" aria-hidden="true" />
          {sending.partial ? "Importing the valid rows…" : "Importing…"}
        </p>
      )}

      {answered && (
        <div class="import-answer" ref={answer} tabIndex={-1} data-testid="import-answer">
          <Answer
            fileName={answered.fileName}
            outcome={answered.outcome}
            busy={sending !== null}
            canRetry={file !== null}
            onPartial={() => void send(true)}
          />
        </div>
      )}

      <details class="import-columns">
        <summary>The columns Doorstep reads</summary>
        <p>
          The first row names the columns, in any order; empty cells take the default. Importing a row whose
          external_ref is there already updates that order. Barcodes and skills are separated by semicolons. The
          sample has them all.
        </p>
        <dl>
          {IMPORT_COLUMNS.map((column) => (
            <div key={column.name}>
              <dt>
                <code>{column.name}</code>
                {column.required && <span class="import-required"> required</span>}
              </dt>
              <dd>{column.note}</dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}

function Answer(props: {
  fileName: string;
  outcome: ImportOutcome;
  busy: boolean;
  canRetry: boolean;
  onPartial(): void;
}) {
  const { outcome } = props;
  switch (outcome.kind) {
    case "imported":
      return (
        <>
          <p class="import-done" role="status">
            {props.fileName}: {importedText(outcome)}
          </p>
          {outcome.rows.length > 0 && (
            <RowProblems rows={outcome.rows} unlisted={outcome.unlisted} caption="Rows left out" />
          )}
        </>
      );
    case "rejected":
      return (
        <>
          <p class="form-error" role="alert">
            {props.fileName}: {rejectedText(outcome)}
          </p>
          <RowProblems rows={outcome.rows} unlisted={outcome.unlisted} caption="Rows to fix" />
          <div class="import-choices">
            {outcome.valid > 0 && props.canRetry && (
              <button
                type="button"
                class="button"
                aria-disabled={props.busy ? "true" : undefined}
                onClick={props.onPartial}
              >
                Import the {outcome.valid} valid {outcome.valid === 1 ? "row" : "rows"}
              </button>
            )}
            <p class="muted">
              {outcome.valid > 0 ? "Or fix the file and choose it again." : "Fix the file and choose it again."}
            </p>
          </div>
        </>
      );
    case "failed":
      return (
        <p class="form-error" role="alert">
          {outcome.title && <strong>{outcome.title}. </strong>}
          {outcome.message}
        </p>
      );
  }
}

function RowProblems(props: { rows: readonly RowProblem[]; unlisted: number; caption: string }) {
  return (
    <>
      <div class="import-errors-scroll" role="region" aria-label={props.caption} tabIndex={0}>
        <table class="import-errors" data-testid="import-errors">
          <caption>
            {props.caption}{" "}
            <span class="muted">(rows counted from the first one under the header)</span>
          </caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Column</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row, index) => (
              <tr key={`${row.row}-${index}`}>
                <td class="import-errors-row">
                  {row.row}
                  {row.reference && <span class="import-errors-ref">{row.reference}</span>}
                </td>
                <td>{row.column ? <code>{row.column}</code> : <span class="muted">the row</span>}</td>
                <td class="import-errors-message">{row.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.unlisted > 0 && (
        <p class="muted">
          And {rowsText(props.unlisted)} more not listed here.
        </p>
      )}
    </>
  );
}
