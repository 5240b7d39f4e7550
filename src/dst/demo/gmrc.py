"""VistA's side of the DST contract, re-implemented from routine GMRCDST (patches 124,139,152,145,177).

The CPRS simulator (`/dev/cprs`) and the tests play VistA against a running DST with it: find the DST
ID, fetch with retries, split on `^`, guard against duplicates, auto-forward to an exact REQUEST
SERVICES (#123.5) name, file errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

ATTEMPTS = 10
RETRY_WAIT_S = 2.0


@dataclass
class Consult:
    """The parts of a VistA consult (file #123) and its order (file #100) that GMRCDST reads."""

    reason_for_request: str = ""
    dst_id_field_85: str = ""
    order_responses: list[str] = field(default_factory=list)
    signed: bool = True
    comments: list[list[str]] = field(default_factory=list)
    forwarded_to: str | None = None


def find_dst_id(consult: Consult) -> str | None:
    """Field #85 first, then the order's responses (cut at `--`), then Reason for Request."""
    if consult.dst_id_field_85.strip():
        return consult.dst_id_field_85.replace(" ", "")
    for response in consult.order_responses:
        if "DST ID:" in response:
            after = response.split("DST ID:", 1)[1].split("--", 1)[0]
            return after.split("#", 1)[0].replace(" ", "") or None
    text = consult.reason_for_request
    if "DST ID:" in text:
        return text.split("DST ID:", 1)[1].split("#", 1)[0].replace(" ", "") or None
    return None


def already_loaded(consult: Consult, dst_id: str) -> bool:
    """A comment with this DST ID and a CSC line means a real payload already arrived."""
    lines = [line for comment in consult.comments for line in comment]
    has_id = any("DST ID:" in line and dst_id in line.replace(" ", "") for line in lines)
    has_csc = any("CSC-Consult primary stop code:" in line for line in lines)
    return has_id and has_csc


@dataclass
class Gmrc:
    base_url: str
    request_services: set[str]  # the site's file #123.5 names (B index)
    sleep: Callable[[float], None] = time.sleep
    calls: int = 0
    # How VistA's web client reaches DST; the simulator passes one that stays inside the process.
    get: Callable[..., Any] = httpx.get

    def on_signature(self, consult: Consult) -> None:
        if not consult.signed:
            return
        dst_id = find_dst_id(consult)
        if dst_id is None or already_loaded(consult, dst_id):
            return
        body, error = self._fetch(dst_id)
        if error is not None:
            consult.comments.append([f"DVE-DST Error from VistA: {error}"])
            return
        lines = [piece for piece in body.replace("\r", "").replace("\n", "").split("^") if piece]
        if not lines:
            consult.comments.append(["DVE-DST ID ISSUE: No Content sent from DST"])
            return
        self._forward_or_file(consult, lines)

    def _fetch(self, dst_id: str) -> tuple[str, str | None]:
        error = None
        for attempt in range(ATTEMPTS):
            self.calls += 1
            try:
                response = self.get(f"{self.base_url}/vs/v2/consultFactor/{dst_id}", timeout=60)
            except httpx.HTTPError as exc:
                error = f"0 {type(exc).__name__}"
            else:
                if response.status_code == 200:
                    return response.text, None
                error = f"{response.status_code} {response.reason_phrase}"
            if attempt < ATTEMPTS - 1:
                self.sleep(RETRY_WAIT_S)
        return "", error

    def _forward_or_file(self, consult: Consult, lines: list[str]) -> None:
        forward = any("DAF-DST Forwarding:" in line and "YES" in line.split(":", 1)[1] for line in lines)
        target = ""
        for line in lines:
            if "AFD-DST Forward to" in line:
                target = line.split(":", 1)[1].removeprefix(" ") if ":" in line else ""
        if not forward:
            consult.comments.append(lines)
            return
        if not target:
            consult.comments.append([*lines, "DVE-DST Error from VistA: No Autoforward Target"])
            return
        if target not in self.request_services:
            consult.comments.append([*lines, "DVE-DST Error from VistA: Autoforward target not found"])
            return
        consult.forwarded_to = target
        consult.comments.append([*lines, "Consult forwarded by DST"])
