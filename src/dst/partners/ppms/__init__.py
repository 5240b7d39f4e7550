"""PPMS DWS OData v1.0 (ProviderLocator, Specialties): client, wire format and an in-process fake."""
