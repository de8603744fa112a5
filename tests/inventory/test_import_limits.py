"""The stock import's limits: DOORSTEP_MAX_IMPORT_BYTES (413 while streaming) and DOORSTEP_MAX_IMPORT_ROWS (422)."""

from __future__ import annotations

import dataclasses

import pytest

from tests.inventory.test_import_export import post_csv


@pytest.fixture
def settings(stack):
    return dataclasses.replace(stack.settings, max_import_bytes=200, max_import_rows=3)


def test_import_limits_bytes_and_rows(shop):
    big = "location,sku,on_hand\n" + "Depot,MUG-1,1\n" * 20
    too_big = post_csv(shop.staff, big)
    assert too_big.status_code == 413 and too_big.headers["content-type"].startswith("application/problem+json")
    four_rows = "location,sku,on_hand\n" + "".join(f"Depot,MUG-{i},1\n" for i in range(4))
    too_many = post_csv(shop.staff, four_rows)
    assert too_many.status_code == 422 and "At most 3 rows" in too_many.json()["detail"]
