"""Examples for other systems: how to consume Anbei's events (see the README's consumer's guide)."""
