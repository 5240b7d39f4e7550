"""Lighthouse health service names: v1 camelCase service ids, and the v0 PascalCase names mapped to them."""

from __future__ import annotations

V1_HEALTH_SERVICE_IDS: tuple[str, ...] = (
    "adaptiveSports", "addiction", "adviceNurse", "allergy", "amputation", "anesthesia", "audiology",
    "bariatricSurgery", "billing", "vision", "cancer", "cardiology", "cardiovascularSurgery",
    "caregiverSupport", "cashier", "chiropractic", "colonSurgery", "communityEngagement",
    "complementaryHealth", "familyCounseling", "covid19Vaccine", "criticalCare", "dental",
    "dermatology", "diabetic", "emergencyCare", "endocrinology", "gastroenterology",
    "genomicMedicine", "geriatrics", "griefCounseling", "gynecology", "hematology", "hiv",
    "homeless", "hospitalMedicine", "infectiousDisease", "internalMedicine", "domesticAbuseSupport",
    "laboratory", "lgbtq", "medicalRecords", "mentalHealth", "militarySexualTrauma", "minorityCare",
    "weightManagement", "myHealtheVetCoordinator", "nephrology", "neurology", "neurosurgery",
    "nutrition", "ophthalmology", "optometry", "orthopedics", "otolaryngology", "outpatientSurgery",
    "painManagement", "hospice", "patientAdvocates", "pharmacy", "physicalMedicine",
    "physicalTherapy", "plasticSurgery", "podiatry", "polytrauma", "primaryCare", "psychiatry",
    "psychology", "ptsd", "pulmonaryMedicine", "radiationOncology", "radiology",
    "recreationTherapy", "registerForCare", "registryExams", "rehabilitation", "prosthetics",
    "transitionCounseling", "rheumatology", "sleepMedicine", "smoking", "socialWork",
    "specialtyCare", "spinalInjury", "suicidePrevention", "surgery", "surgicalOncology",
    "telehealth", "thoracicSurgery", "transplantSurgery", "travelReimbursement", "urgentCare",
    "urology", "vascularSurgery", "veteranConnections", "employmentPrograms", "mobility",
    "wholeHealth", "womensHealth", "workshops", "wound",
)  # fmt: skip

# v0 names whose v1 id is not just the name with a lower-case first letter (Lighthouse maps these).
V0_LEGACY_NAMES = {"mentalhealthcare": "mentalHealth", "dentalservices": "dental"}

_BY_LOWER = {service_id.lower(): service_id for service_id in V1_HEALTH_SERVICE_IDS}

# Display names v1 shows where they differ from the id; the fake uses them, the client ignores them.
DISPLAY_NAMES = {
    "primaryCare": "Primary care",
    "mentalHealth": "Mental health care",
    "audiology": "Audiology and speech",
    "dental": "Dental/oral surgery",
    "hematology": "Hematology/oncology",
    "womensHealth": "Women Veteran care",
}


def normalize_service_id(name: str) -> str:
    """Any Lighthouse spelling (`PrimaryCare`, `primaryCare`, `MentalHealthCare`) → the v1 id.

    Like Lighthouse itself, matching is case-insensitive; an unknown name keeps its letters with a
    lower-case first letter so a new v1 service still gets through.
    """
    key = name.strip().lower()
    if key in V0_LEGACY_NAMES:
        return V0_LEGACY_NAMES[key]
    if key in _BY_LOWER:
        return _BY_LOWER[key]
    stripped = name.strip()
    return stripped[:1].lower() + stripped[1:]


def is_known_service(name: str) -> bool:
    key = name.strip().lower()
    return key in _BY_LOWER or key in V0_LEGACY_NAMES


def display_name(service_id: str) -> str:
    return DISPLAY_NAMES.get(service_id, service_id[:1].upper() + service_id[1:])
