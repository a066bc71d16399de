"""Pure teams domain: teams (registry, readiness, equipment, deployments), rosters, townships and
information officers' duty posts. No I/O here."""
