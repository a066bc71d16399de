"""Anbei's shared kernel: event envelope, event stores, outbox, projections, config."""
