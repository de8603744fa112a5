import { describe, expect, it, vi } from "vitest";
import { bridgeServiceWorker, type ServiceWorkerHandle } from "./sw-bridge";

function fakeWorker() {
  let waiting: () => void = () => {};
  let controlling: (isUpdate: boolean) => void = () => {};
  const skipWaiting = vi.fn<() => void>();
  const handle: ServiceWorkerHandle = {
    onWaiting: (listener) => (waiting = listener),
    onControlling: (listener) => (controlling = listener),
    skipWaiting,
  };
  return { handle, skipWaiting, emitWaiting: () => waiting(), emitControlling: (isUpdate: boolean) => controlling(isUpdate) };
}

function setUp() {
  const worker = fakeWorker();
  const onUpdateReady = vi.fn();
  const reload = vi.fn();
  const bridge = bridgeServiceWorker(worker.handle, { onUpdateReady, reload });
  return { worker, bridge, onUpdateReady, reload };
}

describe("bridgeServiceWorker", () => {
  it("offers the update when a new worker waits, and does nothing else on its own", () => {
    const { worker, onUpdateReady, reload } = setUp();
    worker.emitWaiting();
    expect(onUpdateReady).toHaveBeenCalledOnce();
    expect(worker.skipWaiting).not.toHaveBeenCalled();
    expect(reload).not.toHaveBeenCalled();
  });

  it("neither offers an update nor reloads when the first worker takes control", () => {
    const { worker, onUpdateReady, reload } = setUp();
    worker.emitControlling(false);
    expect(onUpdateReady).not.toHaveBeenCalled();
    expect(reload).not.toHaveBeenCalled();
  });

  it("activates the waiting worker on the user's OK and reloads once it controls the page", () => {
    const { worker, bridge, reload } = setUp();
    worker.emitWaiting();
    bridge.acceptUpdate();
    expect(worker.skipWaiting).toHaveBeenCalledOnce();
    expect(reload).not.toHaveBeenCalled();
    worker.emitControlling(true);
    expect(reload).toHaveBeenCalledOnce();
  });

  it("reloads only once, however often the user clicks or the worker reports", () => {
    const { worker, bridge, reload } = setUp();
    worker.emitWaiting();
    bridge.acceptUpdate();
    bridge.acceptUpdate();
    worker.emitControlling(true);
    worker.emitControlling(true);
    expect(worker.skipWaiting).toHaveBeenCalledOnce();
    expect(reload).toHaveBeenCalledOnce();
  });

  it("offers a reload, without forcing it, when another tab activated the new worker", () => {
    const { worker, bridge, onUpdateReady, reload } = setUp();
    worker.emitControlling(true);
    expect(onUpdateReady).toHaveBeenCalledOnce();
    expect(reload).not.toHaveBeenCalled();
    bridge.acceptUpdate();
    expect(worker.skipWaiting).not.toHaveBeenCalled();
    expect(reload).toHaveBeenCalledOnce();
  });
});
