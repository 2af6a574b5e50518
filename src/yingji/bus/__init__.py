"""The event bus: in-process by default, NATS JetStream between processes when configured.

The database is the truth. Events are written to the event table in the transaction that
causes them and published here only after commit; a subscriber that falls behind, or every
subscriber during a NATS outage, catches up from the table. The bus only makes it fast.
"""

from yingji.bus.connect import make_bus
from yingji.bus.hub import Bus, LocalBus, Subscription

__all__ = ["Bus", "LocalBus", "Subscription", "make_bus"]
