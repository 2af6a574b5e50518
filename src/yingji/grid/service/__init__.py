"""Querying and changing grid items, and their ledgers; the way in for other domains.

The service is split by what it does: :mod:`.features` (lists and the points' map layer),
:mod:`.changes` (a change to one item planned, checked and applied), :mod:`.items` (one item
through the API) and :mod:`.exchange` (ledgers exported and imported). Locating positions
lives in :mod:`yingji.grid.locating` and the grid's revision in :mod:`yingji.grid.revision`.
All are re-exported here, so other domains import only this.
"""

from yingji.grid.locating import MAX_LOCATE_DISTANCE_M as MAX_LOCATE_DISTANCE_M
from yingji.grid.locating import Position as Position
from yingji.grid.locating import build_index as build_index
from yingji.grid.locating import find as find
from yingji.grid.locating import locate as locate
from yingji.grid.locating import locate_index as locate_index
from yingji.grid.locating import located_facts as located_facts
from yingji.grid.revision import bump_revision as bump_revision
from yingji.grid.revision import current_revision as current_revision
from yingji.grid.service.changes import (
    KINDS,
    OUTSIDE_TERRITORY,
    Applied,
    KindSpec,
    Plan,
    apply_plan,
    audit_applied,
    finish,
    get_item,
    item_dict,
    load_refs,
    plan_item,
    problems_error,
    referrers,
)
from yingji.grid.service.exchange import (
    MAX_REPORTED_ERRORS,
    export_items,
    import_ledger,
)
from yingji.grid.service.features import (
    POINT_FEATURE_COLUMNS,
    GridModel,
    list_stmt,
    point_features,
    point_geometry,
    points_version,
)
from yingji.grid.service.items import (
    create_item,
    delete_item,
    read_one,
    update_item,
)

__all__ = [
    "KINDS",
    "MAX_LOCATE_DISTANCE_M",
    "MAX_REPORTED_ERRORS",
    "OUTSIDE_TERRITORY",
    "POINT_FEATURE_COLUMNS",
    "Applied",
    "GridModel",
    "KindSpec",
    "Plan",
    "Position",
    "apply_plan",
    "audit_applied",
    "build_index",
    "bump_revision",
    "create_item",
    "current_revision",
    "delete_item",
    "export_items",
    "find",
    "finish",
    "get_item",
    "import_ledger",
    "item_dict",
    "list_stmt",
    "load_refs",
    "locate",
    "locate_index",
    "located_facts",
    "plan_item",
    "point_features",
    "point_geometry",
    "points_version",
    "problems_error",
    "read_one",
    "referrers",
    "update_item",
]
