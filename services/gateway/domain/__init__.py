"""Pure gateway domain: API tokens. No I/O here."""
