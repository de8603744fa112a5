"""The garbage collector of a long-running server process holding thousands of sockets.

CPython's full (generation 2) collection walks every tracked object while the event loop waits. bench/live.py
measured it: at 1,000 tracking sockets the process holds about 500,000 objects, and each full collection took
0.15-0.32 s, six of them while the sockets opened. A position frame that waits for one is the fan-out's p99.
From the server's start, two changes:

- what exists once the app has started (modules, the app, SQLAlchemy's mappers: about 270,000 objects) lives
  as long as the process: `gc.freeze()` takes it out of every later collection;
- the youngest generation is collected after 10,000 new objects instead of 700, the middle one every 50 of
  those instead of 10. Frames, messages and rows die by reference counting long before that, so they are never
  promoted, and full collections come seldom. Cyclic garbage waits a little longer to be freed: a few MB.

Only servers do this (`create_app(server=True)`, which `doorstep serve` and `doorstep demo` use): the test
suite creates hundreds of apps in one process and must not freeze any of them.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
MIDDLE_THRESHOLD = 50


def tune_for_server() -> None:
    gc.collect()  # what is garbage now must not be frozen for ever
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, gc.get_threshold()[2])
