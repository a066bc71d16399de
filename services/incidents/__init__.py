"""Incidents: reported from the townships and followed through by the command centre."""
