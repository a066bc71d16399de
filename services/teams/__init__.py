"""Rescue teams and their readiness, reported around the clock."""
