"""The events other systems consume, as a contract: a catalogue, an AsyncAPI document and a check.

- `catalogue`: every event a service publishes, found in its domain models, with its
  meaning in English (the class docstring's first line) and Chinese (`meaning_zh`).
- `schemas`: the payload and envelope schemas other systems read, from the pydantic models.
- `compat`: which differences between two schemas could break a consumer.
- `snapshots`: the committed record of every published shape, and the check against it.
- `asyncapi`: the AsyncAPI 3 document the gateway serves at `/api/v1/asyncapi.json`.

`python -m services.contracts asyncapi|check|update` (see `__main__`).
"""
