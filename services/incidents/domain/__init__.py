"""Pure incidents domain: the incident decider and the Decree 493 grade suggestion. No I/O here."""
