"""Lighthouse VA Facilities API v1: client, wire format and an in-process fake."""
