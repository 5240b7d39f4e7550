"""SEOC REST API v2 (`/v2/seoc/active`): client, wire format and an in-process fake."""
