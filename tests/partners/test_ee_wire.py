"""E&E wire contract: the client reads every recorded getEESummary payload; the fake answers alike."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from dst.partners.ee import fake, wire
from dst.partners.errors import FailureKind, PartnerError
from dst.partners.types import Address, GeoPoint

from conftest_soap import ANA, element_paths, recorded, veteran

EASTERN_DAYLIGHT = timezone(timedelta(hours=-4))
MOCK_PAYLOADS = [
    "ee_summary_B_basic_geocoded.xml",
    "ee_summary_G_and_N_geocoded.xml",
    "ee_summary_G_grandfathered_geocoded.xml",
    "ee_summary_H_G_N_U_multiple_addresses_no_geocoding.xml",
    "ee_summary_H_hardship_geocoded.xml",
    "ee_summary_ND_not_determined.xml",
    "ee_summary_N_state_no_full_service_va_geocode_without_latlong.xml",
    "ee_summary_U_urgent_care_geocoded.xml",
    "ee_summary_X_ineligible_empty_address.xml",
    "ee_summary_no_eligibilities_geocoded.xml",
]
ENVELOPED = "ee_summary_HCAData_soap_envelope_enrolled_priority3.xml"


def summary_of(name: str):
    return wire.parse_summary(wire.parse_xml(recorded("ee", name)), "1013120789V744707")


GEOCODED_FL = (28.1123163, -80.6992721)
# file -> (codes, residential (line1, city, zip), geocode)
EXPECTED = {
    "ee_summary_B_basic_geocoded.xml": (
        ["B"],
        ("509 Market St", "Pine Bluffs", "82082"),
        (41.1792481, -104.0715429),
    ),
    "ee_summary_G_and_N_geocoded.xml": (
        ["G", "N"],
        ("612 Summerhouse St.", "Charleston", "29401-1100"),
        GEOCODED_FL,
    ),
    "ee_summary_G_grandfathered_geocoded.xml": (
        ["G"],
        ("149 Jones Street", "Charleston", "29401-1100"),
        GEOCODED_FL,
    ),
    "ee_summary_H_G_N_U_multiple_addresses_no_geocoding.xml": (
        ["H", "G", "N", "U"],
        ("1066 ROYAL DR", "CANONSBURG", "15317-5040"),
        None,
    ),
    "ee_summary_H_hardship_geocoded.xml": (["H"], ("Apt. 71", "Raleigh", "27601-0400"), GEOCODED_FL),
    "ee_summary_ND_not_determined.xml": (["ND"], None, None),
    "ee_summary_N_state_no_full_service_va_geocode_without_latlong.xml": (
        ["N"],
        ("997 Jones Street", "Raleigh", "27601-0400"),
        None,
    ),
    "ee_summary_U_urgent_care_geocoded.xml": (
        ["U"],
        ("8745 N Wickham Rd", "Melbourne", "32940"),
        GEOCODED_FL,
    ),
    "ee_summary_X_ineligible_empty_address.xml": (["X"], None, None),
    "ee_summary_no_eligibilities_geocoded.xml": (
        [],
        ("2395 Bridger Dr", "Cheyenne", "82009"),
        (41.3049712, -104.8310621),
    ),
}


@pytest.mark.parametrize("name", MOCK_PAYLOADS)
def test_reads_every_recorded_community_care_payload(name):
    codes, residence, geocode = EXPECTED[name]
    summary = summary_of(name)

    assert [vce.code for vce in summary.vce_codes] == codes
    assert all(vce.description and vce.effective_date for vce in summary.vce_codes)
    address = summary.residential_address
    assert (None if address is None else (address.line1, address.city, address.zip)) == residence
    assert summary.geocode == (GeoPoint(*geocode) if geocode else None)
    assert summary.address_change_date is not None  # every mock record dates its address


def test_reads_effective_dates_and_geocode_date():
    summary = summary_of("ee_summary_G_and_N_geocoded.xml")

    assert summary.vce_codes[0].description == "Grandfathered"
    assert summary.vce_codes[0].effective_date == date(1951, 10, 12)
    assert summary.vce_codes[1].effective_date == date(1907, 10, 20)
    assert summary.geocode_date == datetime(2019, 9, 25, 12, 59, 53, 716000, tzinfo=EASTERN_DAYLIGHT)
    assert summary.address_change_date == datetime(2019, 9, 26, 12, 59, 53, 716000, tzinfo=EASTERN_DAYLIGHT)


def test_street_in_line2_is_moved_up_and_blank_lines_dropped():
    # E&E left line1 empty; the address is still complete enough to geocode and show.
    address = summary_of("ee_summary_G_and_N_geocoded.xml").residential_address

    assert address == Address(line1="612 Summerhouse St.", city="Charleston", state="SC", zip="29401-1100")
    assert address.is_complete


def test_picks_the_residential_address_among_several():
    address = summary_of("ee_summary_H_G_N_U_multiple_addresses_no_geocoding.xml").residential_address

    assert address == Address(
        line1="1066 ROYAL DR", city="CANONSBURG", state="PA", zip="15317-5040", country="USA"
    )


def test_missing_geocode_and_empty_address_are_data_not_errors():
    summary = summary_of("ee_summary_X_ineligible_empty_address.xml")

    assert summary.residential_address is None
    assert summary.geocode is None
    assert summary.geocode_date == datetime(2019, 9, 26, 12, 59, 53, 716000, tzinfo=EASTERN_DAYLIGHT)


def test_reads_the_recorded_soap_envelope_and_enrollment_status():
    summary = summary_of(ENVELOPED)

    assert summary.enrollment_status == "Verified"
    assert summary.vce_codes == ()
    assert summary.geocode is None
    # Temporary and Permanent addresses are present too; only Residential counts.
    assert summary.residential_address == Address(
        line1="300 S 300 W", city="SAN ANTONIO", state="TX", zip="78259", country="USA"
    )


def test_answer_without_a_summary_response_is_malformed():
    with pytest.raises(PartnerError) as caught:
        wire.parse_summary(wire.parse_xml(b"<a><b/></a>"), ANA.icn)

    assert caught.value.kind is FailureKind.MALFORMED


def test_reads_the_single_code_of_older_releases():
    body = b"""<getEESummaryResponse xmlns="http://jaxws.webservices.esr.med.va.gov/schemas"><summary>
      <communityCareEligibilityInfo><vceCode>G</vceCode><vceDescription>Grandfathered</vceDescription>
      <vceEffectiveDate>2019-01-01T00:00:00</vceEffectiveDate></communityCareEligibilityInfo>
      </summary></getEESummaryResponse>"""

    summary = wire.parse_summary(wire.parse_xml(body), ANA.icn)

    assert [(v.code, v.effective_date) for v in summary.vce_codes] == [("G", date(2019, 1, 1))]


def test_client_request_has_the_published_sample_shape():
    sample = wire.parse_xml(recorded("ee", "get_ee_summary_request_sample.xml"))
    ours = wire.parse_xml(wire.build_request(ANA.icn, "dst", "secret"))

    assert element_paths(ours) == element_paths(sample)
    assert wire.parse_request(ours) == wire.EeRequest(ANA.icn, "CommunityCareInfo", "dst", "secret")
    assert wire.parse_request(sample) == wire.EeRequest(
        "12345V67890", "CommunityCareInfo", "username", "password"
    )


def response_of(root):
    return root.find(".//{*}getEESummaryResponse")


def all_recorded_paths() -> set[str]:
    roots = [wire.parse_xml(recorded("ee", name)) for name in [*MOCK_PAYLOADS, ENVELOPED]]
    return set().union(*(element_paths(response_of(r) if r.tag.endswith("Envelope") else r) for r in roots))


@pytest.mark.parametrize(
    ("demo", "recorded_name"),
    [
        (ANA, "ee_summary_G_and_N_geocoded.xml"),
        (veteran(address=None, geocode=None), "ee_summary_X_ineligible_empty_address.xml"),
        (veteran(geocode=None), "ee_summary_N_state_no_full_service_va_geocode_without_latlong.xml"),
        (veteran(vce_codes=()), "ee_summary_no_eligibilities_geocoded.xml"),
    ],
)
def test_fake_answers_have_the_recorded_shape(demo, recorded_name):
    ours = response_of(wire.parse_xml(fake.build_summary(demo)))
    theirs = wire.parse_xml(recorded("ee", recorded_name))

    read_by_client = set(wire.ANSWER_PATHS_READ)
    assert element_paths(theirs) & read_by_client <= element_paths(ours) & read_by_client
    assert element_paths(ours) <= all_recorded_paths()  # the fake invents no elements


def test_fake_and_recorded_answers_take_the_same_parse_path():
    ours = wire.parse_summary(wire.parse_xml(fake.build_summary(ANA)), ANA.icn)
    theirs = summary_of("ee_summary_B_basic_geocoded.xml")

    assert {k for k, v in vars(ours).items() if v} == {k for k, v in vars(theirs).items() if v}


def test_tolerates_a_newline_before_the_xml_declaration():
    body = b"\r\n" + recorded("ee", "ee_summary_B_basic_geocoded.xml")

    assert wire.parse_summary(wire.parse_xml(body), ANA.icn).vce_codes[0].code == "B"
