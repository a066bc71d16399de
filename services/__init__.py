"""Anbei's services: inventory, teams, incidents and the gateway."""
