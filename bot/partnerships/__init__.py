"""Partnerships between the NGO and a partner organisation: who is on each side, since when."""
