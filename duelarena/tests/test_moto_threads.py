"""The moto fixture (conftest ``dynamo``) answers DynamoDB requests from several threads, as the service's
turn and analysis worker threads make them. moto's own backends are not thread-safe: without the
fixture's lock this test failed in 2 of 4 runs (``RuntimeError: dictionary changed size during
iteration``), as a PGN read beside the in-process analysis worker once did in CI."""

from __future__ import annotations

import sys
import threading
import time

from duelarena.dynamo import items


def test_a_query_beside_another_threads_transactions_on_the_same_item_never_fails(dynamo):
    items.put({"pk": "G#1", "sk": "META", **{f"b{i}": i for i in range(300)}})
    stop, errors = threading.Event(), []

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            # An attribute added and one removed (the item's attribute map changes size), in a transaction
            # as a turn or an analysis writes: moto changes the stored item in place.
            change = items.update_operation("G#1", "META", set_values={f"a{n % 50}": n}, remove=[f"a{(n + 25) % 50}"])
            try:
                items.transact_write([{"Update": change}])
            except Exception as exc:  # collected for the assertion
                errors.append(exc)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # the threads take turns often, as on a busy machine
    writer = threading.Thread(target=write)
    writer.start()
    try:
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            try:
                items.query_all("G#1")
            except Exception as exc:  # collected for the assertion
                errors.append(exc)
    finally:
        stop.set()
        writer.join()
        sys.setswitchinterval(switch)
    assert errors == []
