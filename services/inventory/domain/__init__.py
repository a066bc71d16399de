"""Pure inventory domain: deciders for items, warehouses and stock. No I/O here."""
