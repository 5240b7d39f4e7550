"""MVI (Master Veteran Index): HL7 v3 PRPA_IN201305UV02 client and a fake that speaks the same SOAP."""

from dst.partners.mvi.client import MviClient
from dst.partners.mvi.fake import create_app

__all__ = ["MviClient", "create_app"]
