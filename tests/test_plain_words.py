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


def test_help_and_whats_new_are_open_to_anyone_and_linked_from_every_page(client) -> None:
    for path, heading in (("/help", "Help: reading DST"), ("/whats-new", "What's new in DST")):
        page = client.get(path)
        assert page.status_code == 200 and f"<h1>{heading}</h1>" in page.text.replace("&#39;", "'")
    footer = client.get("/").text.split('<footer class="site-footer">', 1)[1]
    assert 'href="/help"' in footer and 'href="/whats-new"' in footer
    help_text = client.get("/help").text
    assert "28 days" in help_text and "60 minutes" in help_text  # read from the standards table
