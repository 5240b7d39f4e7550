"""The national clinical-service catalog that ships with DST (DESIGN §6).

Each clinical service carries its official name, common synonyms, care category (which access
standard applies), clinic stop codes, Lighthouse Facilities v1 service id, PPMS (NUCC taxonomy)
specialty codes, SEOC categories of care and the standard `COMMUNITY CARE-…` consult name that
auto-forwarding targets. Stop codes are DSS identifiers; taxonomy codes are NUCC codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CareCategory(StrEnum):
    """The 38 CFR 17.4040 grouping that decides which access standard applies."""

    PRIMARY_CARE = "primary-care"
    MENTAL_HEALTH = "mental-health"
    EXTENDED_CARE = "extended-care"  # non-institutional extended care
    SPECIALTY = "specialty"


@dataclass(frozen=True)
class ClinicalServiceSpec:
    name: str
    care_category: CareCategory
    stop_codes: tuple[str, ...]
    lighthouse_service_id: str
    ppms_specialty_codes: tuple[str, ...]
    seoc_categories: tuple[str, ...]
    synonyms: tuple[str, ...] = ()

    @property
    def community_care_consult_name(self) -> str:
        return f"COMMUNITY CARE-{self.name}"


_P, _M, _X, _S = (
    CareCategory.PRIMARY_CARE,
    CareCategory.MENTAL_HEALTH,
    CareCategory.EXTENDED_CARE,
    CareCategory.SPECIALTY,
)

NATIONAL_CLINICAL_SERVICES: tuple[ClinicalServiceSpec, ...] = (
    ClinicalServiceSpec(
        "PRIMARY CARE",
        _P,
        ("323", "322", "348", "350"),
        "primaryCare",
        ("207QA0505X", "363LP2300X", "363LA2200X", "261QP2300X"),
        ("PRIMARY CARE",),
        ("PC", "PCP", "PRIMARY CARE/MEDICINE", "PACT", "GENERAL MEDICINE"),
    ),
    ClinicalServiceSpec(
        "MENTAL HEALTH",
        _M,
        ("502", "509", "510", "534"),
        "mentalHealth",
        ("2084P0800X", "103T00000X", "101YM0800X"),
        ("MENTAL HEALTH",),
        ("MH", "BEHAVIORAL HEALTH", "PSYCHIATRY", "PSYCHOLOGY", "MENTAL HEALTH CLINIC"),
    ),
    ClinicalServiceSpec(
        "AUDIOLOGY",
        _S,
        ("203",),
        "audiology",
        ("231H00000X", "237600000X", "261QH0700X"),
        ("AUDIOLOGY",),
        ("HEARING", "AUDIO", "HEARING AIDS", "AUDIOLOGY AND SPEECH"),
    ),
    ClinicalServiceSpec(
        "CARDIOLOGY",
        _S,
        ("303",),
        "cardiology",
        ("207RC0000X",),
        ("CARDIOLOGY",),
        ("CARDIO", "HEART", "CARDIAC"),
    ),
    ClinicalServiceSpec(
        "DERMATOLOGY", _S, ("304",), "dermatology", ("207N00000X",), ("DERMATOLOGY",), ("DERM", "SKIN")
    ),
    ClinicalServiceSpec(
        "GASTROENTEROLOGY",
        _S,
        ("307",),
        "gastroenterology",
        ("207RG0100X",),
        ("GASTROENTEROLOGY",),
        ("GI", "GASTRO", "COLONOSCOPY"),
    ),
    ClinicalServiceSpec(
        "GYNECOLOGY",
        _S,
        ("404",),
        "gynecology",
        ("207VG0400X", "207V00000X"),
        ("GYNECOLOGY",),
        ("GYN", "OB/GYN", "OBGYN"),
    ),
    ClinicalServiceSpec(
        "NUTRITION",
        _S,
        ("123", "124"),
        "nutrition",
        ("133V00000X", "133VN1201X", "133N00000X", "133NN1002X"),
        ("NUTRITION",),
        ("DIETETICS", "DIETITIAN", "NUTRITION/DIETETICS"),
    ),
    ClinicalServiceSpec(
        "OPHTHALMOLOGY",
        _S,
        ("407",),
        "ophthalmology",
        ("207W00000X",),
        ("OPHTHALMOLOGY",),
        ("EYE SURGERY", "OPHTHO", "EYE"),
    ),
    ClinicalServiceSpec(
        "OPTOMETRY",
        _S,
        ("408",),
        "optometry",
        ("152W00000X", "152WC0802X"),
        ("OPTOMETRY",),
        ("EYE EXAM", "VISION", "EYE CLINIC"),
    ),
    ClinicalServiceSpec(
        "ORTHOPEDICS",
        _S,
        ("409",),
        "orthopedics",
        ("207X00000X",),
        ("ORTHOPEDICS",),
        ("ORTHO", "ORTHOPAEDICS", "ORTHOPEDIC SURGERY"),
    ),
    ClinicalServiceSpec(
        "PODIATRY",
        _S,
        ("411",),
        "podiatry",
        ("213E00000X", "213EG0000X", "213EP1101X", "213ES0131X", "213ES0103X"),
        ("PODIATRY",),
        ("FOOT", "FOOT CARE", "POD"),
    ),
    ClinicalServiceSpec(
        "UROLOGY", _S, ("414",), "urology", ("208800000X",), ("UROLOGY",), ("URO", "UROLOGY CLINIC")
    ),
    # Women's health in VA is comprehensive primary care for women Veterans (stop 322 family),
    # so it takes the primary-care standard, not the specialty one.
    ClinicalServiceSpec(
        "WOMENS HEALTH",
        _P,
        ("322",),
        "womensHealth",
        ("207VX0201X", "207V00000X"),
        ("WOMENS HEALTH",),
        ("WOMEN'S HEALTH", "WH", "WOMENS CLINIC"),
    ),
    ClinicalServiceSpec("NEUROLOGY", _S, ("315",), "neurology", ("2084N0400X",), ("NEUROLOGY",), ("NEURO",)),
    ClinicalServiceSpec(
        "ENDOCRINOLOGY",
        _S,
        ("305",),
        "endocrinology",
        ("207RE0101X",),
        ("ENDOCRINOLOGY",),
        ("ENDO", "DIABETES"),
    ),
    ClinicalServiceSpec(
        "PULMONARY",
        _S,
        ("312",),
        "pulmonaryMedicine",
        ("207RP1001X",),
        ("PULMONARY",),
        ("PULMONOLOGY", "LUNG"),
    ),
    ClinicalServiceSpec(
        "OTOLARYNGOLOGY",
        _S,
        ("403",),
        "otolaryngology",
        ("207Y00000X",),
        ("OTOLARYNGOLOGY",),
        ("ENT", "EAR NOSE THROAT"),
    ),
    ClinicalServiceSpec(
        "PHYSICAL THERAPY",
        _S,
        ("205",),
        "physicalTherapy",
        ("225100000X",),
        ("PHYSICAL THERAPY",),
        ("PT", "REHAB"),
    ),
    ClinicalServiceSpec(
        "CHIROPRACTIC", _S, ("436",), "chiropractic", ("111N00000X",), ("CHIROPRACTIC",), ("CHIRO",)
    ),
    ClinicalServiceSpec(
        "ACUPUNCTURE", _S, ("159",), "complementaryHealth", ("171100000X",), ("ACUPUNCTURE",), ("ACU",)
    ),
    ClinicalServiceSpec(
        "ADULT DAY HEALTH CARE",
        _X,
        ("190",),
        "geriatrics",
        ("261QA0600X",),
        ("ADULT DAY HEALTH CARE",),
        ("ADHC", "ADULT DAY CARE"),
    ),
    ClinicalServiceSpec(
        "HOMEMAKER/HOME HEALTH AIDE",
        _X,
        ("680",),
        "geriatrics",
        ("3747P1801X",),
        ("GEC HOMEMAKER/HOME HEALTH AIDE",),
        ("H/HHA", "HOME HEALTH AIDE", "HOMEMAKER"),
    ),
)


def normalize_service_name(name: str) -> str:
    """Uppercase and fold runs of whitespace, the way CPRS displays consult service names."""
    return " ".join(name.upper().split())


def spec_by_name(name: str) -> ClinicalServiceSpec | None:
    wanted = normalize_service_name(name)
    for spec in NATIONAL_CLINICAL_SERVICES:
        if wanted == spec.name or wanted in spec.synonyms:
            return spec
    return None
