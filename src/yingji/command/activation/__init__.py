"""Activation of plans on incidents (预案启动): suggestions, the response and its level."""
