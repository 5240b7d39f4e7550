"""MVI wire contract: the client reads every recorded MVI answer, and the fake answers in the same shape."""

from __future__ import annotations

from datetime import date

import pytest

from dst.partners.errors import FailureKind, PartnerError
from dst.partners.mvi import fake, wire

from conftest_soap import ANA, element_paths, recorded, veteran


def parse(body: bytes):
    return wire.parse_find_answer(wire.parse_xml(body))


def test_reads_recorded_traits_answer():
    person = parse(recorded("mpi", "find_candidate_by_traits_ok.xml"))

    assert person.icn == "1000123456V123456"
    assert (person.given_name, person.family_name) == ("JOHN", "SMITH")
    assert person.birth_date == date(1980, 1, 1)
    assert person.gender == "M"
    assert person.edipi == "1234567890"
    assert person.ssn_last4 == "3333"
    assert person.address is not None
    assert (person.address.line1, person.address.city, person.address.state) == ("121 A St", "Austin", "TX")
    assert (person.address.zip, person.address.country) == ("78772", "USA")
    # 200HD, 200IP and 200MHV are national pseudo-stations, not VistA systems.
    assert person.dfns == {"516": "12345", "553": "2"}


def test_reads_recorded_icn_answer():
    person = parse(recorded("mpi", "find_profile_by_icn_ok.xml"))

    assert person.icn == "1008714701V416111"
    assert (person.given_name, person.family_name) == ("MITCHELL", "JENKINS")
    assert person.birth_date == date(1949, 3, 4)
    assert person.ssn_last4 == "0001"
    assert person.edipi is None
    assert person.dfns == {}  # only VBA, PROV and a deprecated CORP id


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("find_candidate_not_found_NF.xml", FailureKind.NOT_FOUND),
        ("find_candidate_multiple_matches_AE.xml", FailureKind.MULTIPLE_MATCHES),
        ("find_profile_ar_database_error.xml", FailureKind.FAULT),
    ],
)
def test_recorded_error_acknowledgements_become_named_failures(name, kind):
    with pytest.raises(PartnerError) as caught:
        parse(recorded("mpi", name))

    assert caught.value.kind is kind
    assert caught.value.code == f"MVI-{kind.value.upper()}"


def test_deprecated_and_pending_correlations():
    correlations = [
        "1^PI^516^USVHA^A",
        "2^PI^553^USVHA^PCE",
        "3^PI^612^USVHA^H",  # deprecated: must not reach CPRS
        "4^PI^200MHV^USVHA^A",
        "5^PI^200CORP^USVBA^A",
    ]
    ids = "".join(f'<id root="2.16.840.1.113883.4.349" extension="{c}"/>' for c in correlations)
    body = recorded("mpi", "find_profile_by_icn_ok.xml").replace(
        b'<statusCode code="active"/><patientPerson>',
        ids.encode() + b'<statusCode code="active"/><patientPerson>',
    )

    assert parse(body).dfns == {"516": "1", "553": "2"}


def test_answer_with_two_people_is_a_multiple_match():
    body = recorded("mpi", "find_profile_by_icn_ok.xml")
    start, end = body.index(b"<subject typeCode"), body.index(b"<queryAck>")
    doubled = body[:end] + body[start:end] + body[end:]

    with pytest.raises(PartnerError) as caught:
        parse(doubled)

    assert caught.value.kind is FailureKind.MULTIPLE_MATCHES


def test_answer_without_an_hl7_message_is_malformed():
    with pytest.raises(PartnerError) as caught:
        parse(
            b"<env:Envelope xmlns:env='http://schemas.xmlsoap.org/soap/envelope/'><env:Body/></env:Envelope>"
        )

    assert caught.value.kind is FailureKind.MALFORMED


def test_fake_reads_the_recorded_request_despite_its_unicode_hyphens():
    # The recorded vets-api request writes `urn:hl7‐org:v3` with U+2010; MVI accepted it.
    query = fake.parse_query(recorded("mpi", "find_profile_by_icn_request_PRPA_IN201305UV02.xml"))

    assert query.icn == "1008714701V416111"
    assert query.message_id == "200VGOV-28315f85-bc45-4069-9cb4-4ad9280ddfac"
    assert query.sender_id == "200VGOV"


def test_client_queries_have_the_recorded_request_shape():
    recorded_request = wire.parse_xml(
        wire.repair_namespace_hyphens(recorded("mpi", "find_profile_by_icn_request_PRPA_IN201305UV02.xml"))
    )
    ours = wire.parse_xml(wire.build_icn_query(ANA.icn))

    shape = element_paths(wire.find_message(recorded_request, "PRPA_IN201305UV02"))
    assert element_paths(wire.find_message(ours, "PRPA_IN201305UV02")) == shape
    assert ours.find(wire.wildcard("Body/PRPA_IN201305UV02")).nsmap[None] == wire.HL7


def test_fake_reads_each_kind_of_client_query():
    by_icn = fake.parse_query(wire.build_icn_query(ANA.icn))
    by_edipi = fake.parse_query(wire.build_edipi_query(ANA.edipi))
    by_traits = fake.parse_query(wire.build_traits_query("Ana", "Quiroga", ANA.birth_date, "000-00-1234"))

    assert by_icn.icn == ANA.icn
    assert by_edipi.edipi == ANA.edipi
    assert (by_traits.given, by_traits.family) == ("Ana", "Quiroga")
    assert (by_traits.birth_date, by_traits.ssn) == ("19700504", "000001234")


def test_traits_query_has_the_recorded_parameter_shape():
    ours = wire.find_message(
        wire.parse_xml(wire.build_traits_query("A", "B", date(1970, 1, 1), "1")), "PRPA_IN201305UV02"
    )
    theirs = wire.find_message(
        wire.parse_xml(recorded("mpi", "find_candidate_not_found_NF.xml")), "PRPA_IN201306UV02"
    )

    def parameters(message):
        return {p for p in element_paths(message) if "/parameterList/" in p}

    assert parameters(ours) <= parameters(theirs)


def fake_answer(behaviour: str) -> bytes:
    # By the station's DFN: a "not-found" Veteran is one MVI cannot find from the station's record.
    demo = veteran(mvi_behaviour=behaviour)
    query = fake.parse_query(wire.build_dfn_query(demo.station, demo.dfn))
    return fake.FakeMvi([demo]).answer(query)


def recorded_message(name: str):
    return wire.find_message(wire.parse_xml(recorded("mpi", name)), "PRPA_IN201306UV02")


ALL_RECORDED = [
    "find_candidate_by_traits_ok.xml",
    "find_profile_by_icn_ok.xml",
    "find_candidate_not_found_NF.xml",
    "find_candidate_multiple_matches_AE.xml",
    "find_profile_ar_database_error.xml",
]


@pytest.mark.parametrize(
    ("behaviour", "recorded_name"),
    [
        ("ok", "find_candidate_by_traits_ok.xml"),
        ("not-found", "find_candidate_not_found_NF.xml"),
        ("multiple-matches", "find_candidate_multiple_matches_AE.xml"),
        ("error", "find_profile_ar_database_error.xml"),
    ],
)
def test_fake_answers_have_the_recorded_shape(behaviour, recorded_name):
    ours = wire.find_message(wire.parse_xml(fake_answer(behaviour)), "PRPA_IN201306UV02")
    theirs = recorded_message(recorded_name)
    every_recorded_path = set().union(*(element_paths(recorded_message(n)) for n in ALL_RECORDED))

    read_by_client = set(wire.ANSWER_PATHS_READ)
    assert element_paths(theirs) & read_by_client <= element_paths(ours) & read_by_client
    assert element_paths(ours) <= every_recorded_path  # the fake invents no elements


@pytest.mark.parametrize("behaviour", ["ok", "not-found", "multiple-matches", "error"])
def test_fake_and_recorded_answers_take_the_same_parse_path(behaviour):
    recorded_name = {
        "ok": "find_candidate_by_traits_ok.xml",
        "not-found": "find_candidate_not_found_NF.xml",
        "multiple-matches": "find_candidate_multiple_matches_AE.xml",
        "error": "find_profile_ar_database_error.xml",
    }[behaviour]

    outcomes = []
    for body in (fake_answer(behaviour), recorded("mpi", recorded_name)):
        try:
            outcomes.append(type(parse(body)).__name__)
        except PartnerError as exc:
            outcomes.append(exc.code)

    assert outcomes[0] == outcomes[1]
