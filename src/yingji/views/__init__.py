"""HTTP routers of the domains below ``auth``: the organisation (``org``) and the audit log.

A router needs auth's route guards, while auth records to the audit log and checks scope
codes against the organisation; a router kept in ``org/`` or ``audit/`` made each of those
folders and ``auth`` import each other. Here they sit above all three, and ``org`` and
``audit`` stay plain lower layers.
"""
