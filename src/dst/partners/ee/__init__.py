"""E&E (Enrollment & Eligibility): getEESummary client and a fake that speaks the same SOAP."""

from dst.partners.ee.client import EeClient
from dst.partners.ee.fake import create_app

__all__ = ["EeClient", "create_app"]
