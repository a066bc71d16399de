"""The inventory service's RPC entrypoints, one module per concept; `service.py` combines them.

Every command RPC is `method(payload: dict, meta: dict | None = None) -> dict` and
answers from its `Outcome` alone (the events it recorded and the state right after
them), so a retried command answers byte for byte the same.
"""
