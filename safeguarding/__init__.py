"""Safeguarding Partnership Hub."""
