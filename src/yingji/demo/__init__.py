"""The deterministic demo district (市中区 at the seed report's scale) and its loader."""
