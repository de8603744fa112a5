// The store screens (a lazily loaded chunk): the store served (picked once when the person has several),
// the live "Customers here" panel with its alert, and the tabs: Counter, Scan in, Lists, Returns.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { CurrentUser } from "../../api/auth";
import { fetchStores, type Store } from "../../api/store";
import { navigate } from "../../components/Link";
import { ScreenHeader } from "../../components/gate/ScreenHeader";
import { SignedInFooter } from "../../components/gate/SignedInFooter";
import { UpdateBanner } from "../../components/UpdateBanner";
import { currentPath } from "../../state/route";
import { arrivals, currentStore, storeLive, type Loadable } from "../../state/store";
import { requestErrorMessage } from "../shell/messages";
import { ArrivalAlert, ArrivalsPanel } from "./ArrivalsPanel";
import { titlePrefix } from "./arrivals";
import { CounterScreen, forgetCounter } from "./CounterScreen";
import { ListsScreen } from "./ListsScreen";
import { forgetReturns, ReturnsScreen } from "./ReturnsScreen";
import { forgetRun, ScanInScreen } from "./ScanInScreen";
import { endSessionIf401, followStore } from "./store-actions";
import { chooseStore, rememberedStore, rememberStore } from "./store-choice";
import { StorePicker } from "./StorePicker";
import { TABS, tabOf } from "./tabs";
import "./store.css";

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function StoreScreen(props: { user: CurrentUser }) {
  const stores = useSignal<Loadable<Store[]>>({ status: "loading" });

  async function load() {
    stores.value = { status: "loading" };
    try {
      const list = await fetchStores();
      stores.value = { status: "ready", value: list };
      currentStore.value = chooseStore(list, rememberedStore(storage(), props.user.id));
    } catch (error) {
      endSessionIf401(error);
      stores.value = { status: "failed", message: requestErrorMessage(error) };
    }
  }
  useEffect(() => {
    void load();
    return () => {
      // the next person signing in on this tablet starts with nothing of this one's
      currentStore.value = null;
      forgetCounter();
      forgetRun();
      forgetReturns();
    };
  }, []);

  const store = currentStore.value;
  useEffect(() => (store ? followStore(store) : undefined), [store?.id]);

  const waiting = arrivals.value.length;
  useEffect(() => {
    document.title = `${titlePrefix(waiting)}${store ? `${store.name} · ` : ""}Store · Doorstep`;
  }, [waiting, store?.name]);

  function choose(chosen: Store) {
    rememberStore(storage(), props.user.id, chosen.id);
    currentStore.value = chosen;
  }
  function changeStore() {
    rememberStore(storage(), props.user.id, null);
    currentStore.value = null;
  }

  const list = stores.value.status === "ready" ? stores.value.value : [];
  let body;
  if (stores.value.status === "loading") {
    body = (
      <main class="store-main store-main-single">
        <section class="card" aria-busy="true" aria-labelledby="store-loading">
          <h2 id="store-loading">Finding your store…</h2>
        </section>
      </main>
    );
  } else if (stores.value.status === "failed") {
    body = (
      <main class="store-main store-main-single">
        <section class="card notice" aria-labelledby="store-failed">
          <h2 id="store-failed">Your stores could not be loaded</h2>
          <p>{stores.value.message}</p>
          <button type="button" class="button button-wide" onClick={() => void load()}>
            Try again
          </button>
        </section>
      </main>
    );
  } else if (list.length === 0) {
    body = (
      <main class="store-main store-main-single">
        <section class="card notice" aria-labelledby="store-none" data-testid="store-none">
          <h2 id="store-none">You are not on a store's staff yet</h2>
          <p>Ask an administrator to add you to your store's staff, then open this page again.</p>
        </section>
      </main>
    );
  } else if (!store) {
    body = (
      <main class="store-main store-main-single">
        <StorePicker stores={list} onChoose={choose} />
      </main>
    );
  } else {
    body = <StoreTabs store={store} />;
  }

  return (
    <div class="store">
      <UpdateBanner />
      <ScreenHeader app="Store" aside={store && <LiveBadge />}>
        <h1 class="store-name" data-testid="store-name">
          {store ? store.name : "Choose a store"}
        </h1>
      </ScreenHeader>
      {body}
      <SignedInFooter user={props.user} class="store-footer">
        {store !== null && list.length > 1 && (
          <button type="button" class="button button-secondary" onClick={changeStore} data-testid="store-change">
            Change store
          </button>
        )}
      </SignedInFooter>
    </div>
  );
}

function StoreTabs(props: { store: Store }) {
  const tab = tabOf(currentPath.value);
  return (
    <>
      <div class="store-sticky">
        <nav class="store-tabs" aria-label="Store screens">
          {TABS.map((info) => (
            <a
              key={info.tab}
              class="store-tab"
              href={info.href}
              aria-current={info.tab === tab ? "page" : undefined}
              data-testid={`store-tab-link-${info.tab}`}
              onClick={(event) => {
                if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
                event.preventDefault();
                navigate(info.href);
              }}
            >
              {info.label}
            </a>
          ))}
        </nav>
        <ArrivalAlert />
      </div>
      <div class="store-layout">
        <main class="store-main" data-testid={`store-tab-${tab}`}>
          {tab === "counter" && <CounterScreen key={props.store.id} store={props.store} />}
          {tab === "scan-in" && <ScanInScreen key={props.store.id} store={props.store} />}
          {tab === "lists" && <ListsScreen key={props.store.id} store={props.store} />}
          {tab === "returns" && <ReturnsScreen key={props.store.id} store={props.store} />}
        </main>
        <ArrivalsPanel />
      </div>
    </>
  );
}

const LIVE_TEXT = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  stopped: "Not live",
} as const;

function LiveBadge() {
  const status = storeLive.value;
  return (
    <p class={`store-live store-live-${status}`} data-testid="store-live" data-state={status}>
      <span class="store-live-dot" aria-hidden="true" />
      {LIVE_TEXT[status]}
    </p>
  );
}
