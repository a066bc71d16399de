"""Pure teams domain: the team decider, registration and readiness. No I/O here."""
