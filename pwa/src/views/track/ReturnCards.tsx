// Returns on the tracking page: "Return something" on a delivered order (the form is a chunk of its own,
// downloaded on the tap), and on a return's own page what it is and, for a drop-off, the code and QR to show
// at the store.
import { useSignal } from "@preact/signals";
import type { ComponentChildren, FunctionComponent } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { returnQrPath } from "../../api/returns";
import type { ReturnInfoView } from "../../api/tracking";
import { navigate } from "../../components/Link";
import { Code } from "./PickupCard";
import { QrImage } from "./QrImage";
import { reasonLabel, showsDropOffCode } from "./return-wording";
import { formatWhen } from "./wording";

/** Statuses of an order a return may be started from (backend/returns/service.py, returnable). */
const RETURNABLE_STATUSES: ReadonlySet<string> = new Set(["delivered", "picked_up"]);

export function canStartReturn(view: { kind: string; status: string }): boolean {
  return view.kind !== "return" && RETURNABLE_STATUSES.has(view.status);
}

/** A return started from this page, remembered on this phone: the order's own view does not list them. */
export interface StartedReturn {
  code: string;
  /** The return's own page, as a path on this site. */
  path: string;
  store_name: string | null;
  method: string;
}

const memoryKey = (token: string) => `doorstep.returns.${token}`;

/** The returns started from this link on this phone, oldest first; none when storage is off or garbled. */
export function startedReturns(token: string): StartedReturn[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(memoryKey(token)) ?? "[]");
    if (!Array.isArray(stored)) return [];
    return stored.filter(
      (r): r is StartedReturn =>
        typeof r === "object" && r !== null && typeof r.code === "string" && typeof r.path === "string",
    );
  } catch {
    return [];
  }
}

export function rememberReturn(token: string, started: StartedReturn): void {
  try {
    localStorage.setItem(memoryKey(token), JSON.stringify([...startedReturns(token), started].slice(-10)));
  } catch {
    // private mode or full storage: the confirmation on screen is all the customer gets, as without this
  }
}

/** A link to another tracking page of this site, followed without reloading the app. */
export function PageLink(props: { path: string; class?: string; testId?: string; children: ComponentChildren }) {
  return (
    <a
      class={props.class}
      href={props.path}
      data-testid={props.testId}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(props.path);
      }}
    >
      {props.children}
    </a>
  );
}

type FormProps = { token: string; onClose(): void; onStarted(): void };
type Form = FunctionComponent<FormProps>;

/** One download per page; a failed one is forgotten so the button tries again. */
let formModule: Promise<Form> | null = null;
function loadForm(): Promise<Form> {
  formModule ??= import("./ReturnForm").then(
    (module) => module.ReturnForm,
    (error: unknown) => {
      formModule = null;
      throw error;
    },
  );
  return formModule;
}

export function StartReturnCard(props: { token: string }) {
  const form = useSignal<{ component: Form } | null>(null);
  const started = useSignal(startedReturns(props.token));
  const loading = useSignal(false);
  const failed = useSignal(false);
  const button = useRef<HTMLButtonElement>(null);
  const closed = useRef(false);

  function open() {
    if (loading.value) return;
    loading.value = true;
    failed.value = false;
    loadForm().then(
      (component) => (form.value = { component }),
      (error: unknown) => {
        console.error("The return form could not be loaded.", error);
        failed.value = true;
      },
    ).finally(() => (loading.value = false));
  }

  useEffect(() => {
    if (!form.value && closed.current) button.current?.focus(); // back where the customer was
  }, [form.value]);

  return (
    <section class="card track-card track-return" aria-labelledby="return-heading" data-testid="track-return">
      <h2 id="return-heading">Return something</h2>
      {started.value.length > 0 && !form.value && (
        <ul class="track-started" data-testid="track-return-started">
          {started.value.map((r) => (
            <li key={r.code}>
              <span>
                Return <strong class="track-started-code">{r.code}</strong>
                {r.method === "store_dropoff" && r.store_name ? `, to ${r.store_name}` : ""}
              </span>
              <PageLink path={r.path}>See its page</PageLink>
            </li>
          ))}
        </ul>
      )}
      {form.value ? (
        <form.value.component
          token={props.token}
          onClose={() => {
            closed.current = true;
            form.value = null;
          }}
          onStarted={() => (started.value = startedReturns(props.token))}
        />
      ) : (
        <>
          <p class="muted">
            {started.value.length > 0
              ? "Something else to send back?"
              : "Something wrong, or not what you wanted? Send parcels or items of this order back."}
          </p>
          <button
            ref={button}
            type="button"
            class="button button-secondary button-wide"
            data-testid="track-return-start"
            aria-disabled={loading.value ? "true" : undefined}
            onClick={open}
          >
            {loading.value ? "Opening…" : "Return something"}
          </button>
          {failed.value && (
            <p class="form-error" role="alert">
              The return form did not load. Check your connection and try again.
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** On a return's own page: the code and QR for the store while it is to be brought there, and the facts. */
export function ReturnInfoCard(props: { info: ReturnInfoView; status: string; token: string; now: Date }) {
  const { info, now } = props;
  const dropOff = info.method === "store_dropoff";
  return (
    <section class="card track-card" aria-labelledby="return-info-heading" data-testid="track-return-info">
      <h2 id="return-info-heading">Your return</h2>
      {showsDropOffCode({ status: props.status, return_info: info }) && (
        <div class="track-code-box">
          <p class="track-code-label">Your return code</p>
          <Code code={info.code} testId="track-return-code" />
          <QrImage
            src={returnQrPath(props.token)}
            alt={`QR code for return code ${info.code}, for the store to scan`}
            testId="track-return-qr"
          />
          <p>Show this at the counter with the parcel.</p>
        </div>
      )}
      <dl class="track-facts">
        <div>
          <dt>Return by</dt>
          <dd>{dropOff ? "Drop-off at a store" : "Driver collection"}</dd>
        </div>
        {dropOff && info.store_name && (
          <div>
            <dt>Store</dt>
            <dd data-testid="track-return-store">
              {info.store_name}
              {info.store_address && <span class="track-fact-more">{info.store_address}</span>}
            </dd>
          </div>
        )}
        <div>
          <dt>Reason</dt>
          <dd>{reasonLabel(info.reason)}</dd>
        </div>
        {info.dropped_at && (
          <div>
            <dt>Handed in</dt>
            <dd>{formatWhen(info.dropped_at, now)}</dd>
          </div>
        )}
        {info.received_at && (
          <div>
            <dt>Received</dt>
            <dd>{formatWhen(info.received_at, now)}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}
