"""Reserve warehouses, items and every stock movement."""
