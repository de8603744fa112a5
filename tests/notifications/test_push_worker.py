"""The tracking page's push worker as the server serves it (pwa/src/sw/track-push-worker.ts, built into
pwa/dist/track-push-worker.js): a classic script at the site's root, so a page may register it with the scope
/track/<token> without a Service-Worker-Allowed header, never cached stale, and not in the driver app's precache.
The browser side is tested in tests/e2e/test_tracking_push.py and pwa/src/sw/track-push.test.ts."""

from __future__ import annotations

import re
from typing import Any

from backend.kit.spa import PWA_DIST

WORKER = "track-push-worker.js"


def test_the_push_worker_is_served_as_a_fresh_classic_script_the_tracking_page_may_register(client: Any) -> None:
    if not (PWA_DIST / WORKER).is_file():
        raise AssertionError("pwa/dist has no push worker: `npm run build` in pwa/ before pytest")
    response = client.get(f"/{WORKER}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")
    assert response.headers["cache-control"] == "no-cache"  # an update reaches customers at their next visit
    script = response.text
    for handler in ("push", "notificationclick", "pushsubscriptionchange"):
        assert f"addEventListener(`{handler}`" in script or f'addEventListener("{handler}"' in script, handler
    assert "showNotification" in script
    # a classic script: a worker registered without {type: "module"} cannot import the app's hashed chunks
    assert not re.search(r"(^|[;\s])(import|export)[\s{*]", script), "the worker must be self-contained"
    assert "fetch`" not in script and "addEventListener(`fetch`" not in script  # no fetch handler: pages load as before
    # the driver app's worker does not precache it (customers' phones only need it, and only on request)
    assert WORKER not in client.get("/service-worker.js").text
