"""Synthetic demo data: a deterministic national network served by the partner fakes."""
