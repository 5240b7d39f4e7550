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

import httpx2

ATTEMPTS = 10
RETRY_WAIT_S = 2.0


@dataclass
class Consult:
    """The parts of a VistA consult (file #123) and its order (file #100) that GMRCDST reads.

    Reason for Request (#123, field 20) is a word-processing field: one string per line, or one
    string with line breaks. Each order response (#100, field 4.5) is one string. Each comment is
    the list of its lines, oldest comment first.
    """

    reason_for_request: str | list[str] = ""
    dst_id_field_85: str = ""
    order_responses: list[str] = field(default_factory=list)
    signed: bool = True
    comments: list[list[str]] = field(default_factory=list)
    forwarded_to: str | None = None
    forwards: int = 0

    def reason_lines(self) -> list[str]:
        if isinstance(self.reason_for_request, str):
            return self.reason_for_request.splitlines()
        return list(self.reason_for_request)


def _id_after_token(text: str, cut: str | None = None) -> str:
    """M's `$P(X,"DST ID:",2)` (the text between the first and second token), cut at `--` where
    FINDID45 cuts it, then read up to `#`."""
    after = text.split("DST ID:")[1]
    if cut:
        after = after.split(cut, 1)[0]
    return after.split("#", 1)[0]


def find_dst_id(consult: Consult) -> str | None:
    """FINDIDO: field #85, else the order's responses (FINDID45), else Reason for Request (FINDIDC).

    Neither FINDID45 nor FINDIDC resets the ID between the pieces it reads: two responses or two
    lines of Reason for Request with a token give the two IDs run together, as VistA asks for them.
    """
    found = consult.dst_id_field_85.replace(" ", "")
    if not found:
        for response in consult.order_responses:
            if "DST ID:" in response:
                found += _id_after_token(response, cut="--")
    if not found:
        for text in consult.reason_lines():
            if "DST ID:" in text:
                found += _id_after_token(text)
    return found.replace(" ", "") or None


def already_loaded(consult: Consult, dst_id: str) -> bool:
    """DUPID, line by line in filing order.

    A line holding `CSC-Consult primary stop code:` sets EDATA; the first line holding `DST ID:`
    whose text after the token contains the ID sets DUP and ends the scan. DUP counts only when
    EDATA was set by then.
    """
    edata = False
    for comment in consult.comments:
        for text in comment:
            if "CSC-Consult primary stop code:" in text:
                edata = True
            if "DST ID:" in text and dst_id in text.split("DST ID:")[1]:
                return edata
    return False


@dataclass
class Gmrc:
    base_url: str
    request_services: set[str]  # the site's file #123.5 names (B index)
    sleep: Callable[[float], None] = time.sleep
    calls: int = 0
    # How VistA's web client reaches DST; the simulator passes one that stays inside the process.
    get: Callable[..., Any] = httpx2.get

    def on_event(self, consult: Consult) -> None:
        """Protocol GMRC SIGNED CONSULT DST: it runs on every order event of the consult (signature,
        receipt, scheduling, forwarding, completion), and acts only once the order is signed."""
        if not consult.signed:
            return
        dst_id = find_dst_id(consult)
        if dst_id is None or (consult.comments and already_loaded(consult, dst_id)):
            return
        body, error = self._fetch(dst_id)
        if error is not None:
            consult.comments.append(["DVE-DST Error from VistA:", *error])
            return
        # ReadLine drops line ends and VistA strips any line feed left; empty pieces are skipped.
        pieces = body.replace("\r", "").replace("\n", "").split("^")
        lines = [piece for piece in pieces if piece]
        if not lines:
            consult.comments.append(["DVE-DST ID ISSUE: No Content sent from DST"])
            return
        self._forward_or_file(consult, lines, len(pieces))

    on_signature = on_event

    def _fetch(self, dst_id: str) -> tuple[str, list[str] | None]:
        """Ten tries 2 s apart (patch 177 clears the error between tries). An HTTP error files its
        code and status line; a connection failure files the error code, its domain and type."""
        error: list[str] | None = None
        for attempt in range(ATTEMPTS):
            self.calls += 1
            try:
                response = self.get(f"{self.base_url}/vs/v2/consultFactor/{dst_id}", timeout=60)
            except httpx2.HTTPError as exc:
                error = ["0", "%ObjectErrors", type(exc).__name__]
            else:
                if response.status_code == 200:
                    return response.text, None
                error = [
                    str(response.status_code),
                    f"HTTP/1.1 {response.status_code} {response.reason_phrase}",
                ]
            if attempt < ATTEMPTS - 1:
                self.sleep(RETRY_WAIT_S)
        return "", error

    def _forward_or_file(self, consult: Consult, lines: list[str], pieces: int) -> None:
        """GETDST: any line holding `DAF-DST Forwarding:` with YES in its second `:` piece turns
        auto-forward on; the last line holding `AFD-DST Forward to` names the target (its second
        `:` piece, one leading space removed), which must be a #123.5 name exactly."""
        forward = False
        target = ""
        for text in lines:
            if "DAF-DST Forwarding:" in text and "YES" in _piece(text, 2):
                forward = True
            if "AFD-DST Forward to" in text:
                target = _piece(text, 2).removeprefix(" ")
        if not forward:
            consult.comments.append(lines)
            return
        comment = [*lines, "Consult forwarded by DST"]
        if not target:
            # VistA sets line (number of pieces + 1): over `Consult forwarded by DST` when no piece
            # was empty, after it otherwise.
            error = "DVE-DST Error from VistA: No Autoforward Target"
            if pieces == len(lines):
                comment[-1] = error
            else:
                comment.append(error)
            consult.comments.append(comment)
            return
        if target not in self.request_services:
            consult.comments.append([*comment, "DVE-DST Error from VistA: Autoforward target not found"])
            return
        consult.forwarded_to = target
        consult.forwards += 1
        consult.comments.append(comment)


def _piece(text: str, number: int) -> str:
    """M's `$P(text,":",number)`."""
    pieces = text.split(":")
    return pieces[number - 1] if len(pieces) >= number else ""
