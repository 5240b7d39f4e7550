"""OSRM drive-time routing client, the straight-line estimator used without a router, and a fake router."""
