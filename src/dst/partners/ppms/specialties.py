"""NUCC taxonomy display names for the specialty codes DST's clinical services search PPMS with.

PPMS puts such a name in each ProviderLocator row (`ProviderSpecialty`, e.g. "Podiatrist") beside its
`SpecialtyCode`; the fake speaks the same way, so the providers table shows what PPMS would show.
"""

from __future__ import annotations

SPECIALTY_NAMES: dict[str, str] = {
    "207QA0505X": "Family Medicine - Adult Medicine",
    "363LP2300X": "Nurse Practitioner - Primary Care",
    "363LA2200X": "Nurse Practitioner - Adult Health",
    "261QP2300X": "Clinic/Center - Primary Care",
    "2084P0800X": "Psychiatry & Neurology - Psychiatry",
    "103T00000X": "Psychologist",
    "101YM0800X": "Counselor - Mental Health",
    "231H00000X": "Audiologist",
    "237600000X": "Audiologist-Hearing Aid Fitter",
    "261QH0700X": "Clinic/Center - Hearing and Speech",
    "207RC0000X": "Internal Medicine - Cardiovascular Disease",
    "207N00000X": "Dermatology",
    "207RG0100X": "Internal Medicine - Gastroenterology",
    "207VG0400X": "Obstetrics & Gynecology - Gynecology",
    "207V00000X": "Obstetrics & Gynecology",
    "133V00000X": "Dietitian, Registered",
    "133VN1201X": "Dietitian, Registered - Nutrition, Obesity and Weight Management",
    "133N00000X": "Nutritionist",
    "133NN1002X": "Nutritionist - Nutrition, Education",
    "207W00000X": "Ophthalmology",
    "152W00000X": "Optometrist",
    "152WC0802X": "Optometrist - Corneal and Contact Management",
    "207X00000X": "Orthopaedic Surgery",
    "213E00000X": "Podiatrist",
    "213EG0000X": "Podiatrist - General Practice",
    "213EP1101X": "Podiatrist - Primary Podiatric Medicine",
    "213ES0131X": "Podiatrist - Foot & Ankle Surgery",
    "213ES0103X": "Podiatrist - Foot Surgery",
    "208800000X": "Urology",
    "207VX0201X": "Obstetrics & Gynecology - Gynecologic Oncology",
    "2084N0400X": "Psychiatry & Neurology - Neurology",
    "207RE0101X": "Internal Medicine - Endocrinology, Diabetes & Metabolism",
    "207RP1001X": "Internal Medicine - Pulmonary Disease",
    "207Y00000X": "Otolaryngology",
    "225100000X": "Physical Therapist",
    "111N00000X": "Chiropractor",
    "171100000X": "Acupuncturist",
    "261QA0600X": "Clinic/Center - Adult Day Care",
    "3747P1801X": "Attendant Care Provider - Personal Care Attendant",
}


def specialty_name(code: str) -> str:
    return SPECIALTY_NAMES.get(code, code)
