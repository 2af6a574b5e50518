"""Supplies (应急物资): catalogue, warehouses, batches, the movements ledger, thresholds,
reserve targets and alerts.

The sub-domain's service, in modules named for what they do: :mod:`.items` (the catalogue),
:mod:`.warehouses`, :mod:`.stock` (what is held, as queries), :mod:`.movements` (every change
of a balance, with its locking) and :mod:`.reserve` (thresholds, alerts, the reserve plan).
Other modules import the names from here (``supplies.take``), as they did when it was one
module.
"""

from yingji.resources.supplies.items import (
    get_item,
    item_map,
    items_stmt,
    save_item,
    seed_catalogue,
)
from yingji.resources.supplies.movements import (
    MovementContext,
    allocation_warehouse_id,
    check_dates,
    give_back,
    receive,
    take,
    transfer,
)
from yingji.resources.supplies.reserve import (
    PLAN_YEARS,
    Alerts,
    DistrictStock,
    alerts,
    district_stock,
    gap_report,
    set_target,
    set_threshold,
    targets_stmt,
)
from yingji.resources.supplies.stock import (
    MOVEMENT_KINDS,
    TAKE_KINDS,
    batch_numbers,
    batches_stmt,
    movements_stmt,
    stock_totals,
)
from yingji.resources.supplies.warehouses import (
    check_owner,
    create_warehouse,
    get_warehouse,
    known_owners,
    owned_warehouse_ids,
    update_warehouse,
    warehouse_by_code,
    warehouse_names,
    warehouses_in,
    warehouses_stmt,
)

__all__ = [
    "MOVEMENT_KINDS",
    "PLAN_YEARS",
    "TAKE_KINDS",
    "Alerts",
    "DistrictStock",
    "MovementContext",
    "alerts",
    "allocation_warehouse_id",
    "batch_numbers",
    "batches_stmt",
    "check_dates",
    "check_owner",
    "create_warehouse",
    "district_stock",
    "gap_report",
    "get_item",
    "get_warehouse",
    "give_back",
    "item_map",
    "items_stmt",
    "known_owners",
    "movements_stmt",
    "owned_warehouse_ids",
    "receive",
    "save_item",
    "seed_catalogue",
    "set_target",
    "set_threshold",
    "stock_totals",
    "take",
    "targets_stmt",
    "transfer",
    "update_warehouse",
    "warehouse_by_code",
    "warehouse_names",
    "warehouses_in",
    "warehouses_stmt",
]
