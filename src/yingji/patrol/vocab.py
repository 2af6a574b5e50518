"""The kinds of people on the grid and of point stewards (data, not code)."""

from enum import StrEnum


class MemberKind(StrEnum):
    grid_worker = "grid_worker"  # 网格员
    patrol_officer = "patrol_officer"  # 基层巡查员
    info_officer = "info_officer"  # 灾害信息员


class StewardRole(StrEnum):
    building_head = "building_head"  # 楼长
    shop_owner = "shop_owner"  # 店主
