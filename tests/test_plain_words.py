"""Clinicians' pages speak plain words: no tokens, setting names or data formats; those stay in docs/."""

from __future__ import annotations

import re

DEVELOPER_WORDS = re.compile(r"Bearer|DST_[A-Z_]+|FHIR|JSON|/api/v1")


def test_a_page_that_needs_sign_in_says_so_plainly(client) -> None:
    page = client.get("/dst/NOSUCHRECORD")
    assert page.status_code == 401
    assert "Sign in again from the start page" in page.text
    assert not DEVELOPER_WORDS.search(page.text.split("<main", 1)[1])
    api = client.get("/api/v1/dst/NOSUCHRECORD")
    assert "Bearer" in api.json()["detail"]  # machine clients still learn how to authenticate
