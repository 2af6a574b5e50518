"""Quantities as users type them and as the ledger keeps them (integer thousandths).

Pure: no database, no clock. A quantity has at most three decimals; an item counted in whole
units (件, 台, 顶...) refuses fractions; a movement's quantity is always above zero.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from yingji.core.errors import ApiError, invalid

SCALE = 1000
MAX_MILLI = 10**15  # a quadrillion thousandths: far above any stock, far below BIGINT


def to_milli(
    value: Decimal | int | float | str,
    *,
    whole_units: bool,
    unit: str = "",
    field: str = "quantity",
    allow_zero: bool = False,
) -> int:
    """``value`` in thousandths of the unit; 422 for a negative, zero, fractional-where-whole,
    over-precise or non-numeric quantity."""
    if isinstance(value, bool):
        raise invalid(field, "数量应为数字", "Quantity must be a number", code="not_a_number")
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise invalid(
            field, "数量应为数字", "Quantity must be a number", code="not_a_number"
        ) from None
    if not number.is_finite():
        raise invalid(field, "数量应为有限数字", "Quantity must be finite", code="not_a_number")
    if number < 0:
        raise invalid(
            field, "数量不能为负数", "Quantity cannot be negative", code="negative_quantity"
        )
    if number == 0 and not allow_zero:
        raise invalid(field, "数量须大于 0", "Quantity must be above zero", code="zero_quantity")
    if whole_units and number != number.to_integral_value():
        raise invalid(
            field,
            f"该物资按整数计量（{unit or '件'}），数量不能有小数",
            f"This item is counted in whole units ({unit or 'pieces'}); no fractions",
            code="fractional_quantity",
        )
    scaled = number * SCALE
    if scaled != scaled.to_integral_value():
        raise invalid(
            field, "数量最多保留三位小数", "At most three decimals", code="too_many_decimals"
        )
    milli = int(scaled)
    if milli > MAX_MILLI:
        raise invalid(field, "数量过大", "Quantity too large", code="quantity_too_large")
    return milli


def from_milli(milli: int) -> float:
    """Thousandths back to a plain number for JSON (exact for three decimals)."""
    return milli / SCALE if milli % SCALE else float(milli // SCALE)


def shortage(
    field: str, available_milli: int, wanted_milli: int, unit: str
) -> ApiError:  # pragma: no branch - a constructor
    """409 when asked for more than there is."""
    return ApiError(
        409,
        "insufficient_stock",
        f"库存不足：现有 {from_milli(available_milli):g}{unit}，"
        f"需要 {from_milli(wanted_milli):g}{unit}",
        f"Insufficient stock: {from_milli(available_milli):g} {unit} available, "
        f"{from_milli(wanted_milli):g} asked",
        field=field,
    )
