"""The public HTTP API (`/api/v1`), health and readiness, in front of the services."""
