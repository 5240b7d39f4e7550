"""Demo Standardized Episodes of Care: two to four per clinical service, shaped like the SEOC API's."""

from __future__ import annotations

from datetime import date, timedelta

from dst.demo.places import seeded_rng
from dst.partners.types import Seoc
from dst.reference.catalog import NATIONAL_CLINICAL_SERVICES, ClinicalServiceSpec

DESCRIPTION = (
    "This authorization covers services associated with all medical care listed below for the referred "
    "condition on the consult."
)
DISCLAIMER = (
    "*Additional care beyond this episode requires documentation of clinical need and VA review and "
    "approval. *Additional consultations relevant to the patient's condition require VA review and approval."
)
# Clinical service -> (id code, service line, [(SEOC name, duration days, maximum visits)]).
_EPISODES: dict[str, tuple[str, str, tuple[tuple[str, int, int], ...]]] = {
    "PRIMARY CARE": (
        "PRIM",
        "Primary Care",
        (
            ("Primary Care Evaluation and Management", 180, 6),
            ("Primary Care Follow-Up Care", 365, 12),
            ("Primary Care Preventive Services", 90, 2),
        ),
    ),
    "MENTAL HEALTH": (
        "MENT",
        "Mental Health",
        (
            ("Mental Health Comprehensive Outpatient Care", 180, 24),
            ("Psychotherapy Individual and Group", 180, 20),
            ("Psychiatric Medication Management", 365, 12),
        ),
    ),
    "AUDIOLOGY": (
        "AUDI",
        "Rehabilitation and Prosthetic Services",
        (
            ("Audiology Hearing Evaluation", 90, 2),
            ("Audiology Hearing Aid Fitting and Follow-Up", 180, 6),
            ("Tinnitus Evaluation and Management", 180, 4),
        ),
    ),
    "CARDIOLOGY": (
        "CARD",
        "Medicine",
        (
            ("Cardiology Evaluation and Treatment", 180, 8),
            ("Cardiac Diagnostic Testing", 90, 3),
            ("Cardiac Rehabilitation", 180, 36),
        ),
    ),
    "DERMATOLOGY": (
        "DERM",
        "Medicine",
        (
            ("Dermatology Evaluation and Treatment", 180, 6),
            ("Dermatology Mohs Micrographic Surgery", 90, 4),
            ("Dermatology Phototherapy", 180, 36),
        ),
    ),
    "GASTROENTEROLOGY": (
        "GAST",
        "Medicine",
        (
            ("Gastroenterology Evaluation and Treatment", 180, 6),
            ("Screening Colonoscopy", 90, 2),
            ("Hepatology Evaluation and Treatment", 365, 8),
        ),
    ),
    "GYNECOLOGY": (
        "GYNE",
        "Surgery",
        (("Gynecology Evaluation and Treatment", 180, 6), ("Gynecologic Surgery", 120, 4)),
    ),
    "NUTRITION": (
        "NUTR",
        "Nutrition and Food Services",
        (("Nutrition Counseling", 180, 6), ("Medical Nutrition Therapy for Diabetes", 365, 8)),
    ),
    "OPHTHALMOLOGY": (
        "OPHT",
        "Surgery",
        (
            ("Ophthalmology Evaluation and Treatment", 180, 6),
            ("Cataract Surgery", 120, 5),
            ("Retina Evaluation and Treatment", 365, 12),
        ),
    ),
    "OPTOMETRY": (
        "OPTO",
        "Optometry",
        (("Optometry Routine Eye Examination", 90, 2), ("Optometry Eyeglasses and Contact Lenses", 180, 3)),
    ),
    "ORTHOPEDICS": (
        "ORTH",
        "Surgery",
        (
            ("Orthopedic Evaluation and Treatment", 180, 8),
            ("Orthopedic Joint Replacement", 365, 10),
            ("Orthopedic Hand Surgery", 180, 6),
        ),
    ),
    "PODIATRY": (
        "PODI",
        "Surgery",
        (
            ("Podiatry Routine Foot Care", 365, 6),
            ("Podiatry Evaluation and Treatment", 180, 6),
            ("Podiatry Surgery", 180, 6),
        ),
    ),
    "UROLOGY": (
        "UROL",
        "Surgery",
        (
            ("Urology Evaluation and Treatment", 180, 6),
            ("Urology Procedures", 120, 4),
            ("Lithotripsy", 90, 3),
        ),
    ),
    "WOMENS HEALTH": (
        "WOME",
        "Women's Health",
        (
            ("Women's Health Primary Care", 180, 6),
            ("Screening Mammography", 90, 2),
            ("Women's Health Breast Evaluation", 120, 4),
        ),
    ),
    "NEUROLOGY": (
        "NEUR",
        "Medicine",
        (
            ("Neurology Evaluation and Treatment", 180, 6),
            ("EMG and Nerve Conduction Studies", 90, 2),
            ("Headache Management", 180, 6),
        ),
    ),
    "ENDOCRINOLOGY": (
        "ENDO",
        "Medicine",
        (("Endocrinology Evaluation and Treatment", 180, 6), ("Diabetes Management", 365, 8)),
    ),
    "PULMONARY": (
        "PULM",
        "Medicine",
        (
            ("Pulmonary Evaluation and Treatment", 180, 6),
            ("Pulmonary Function Testing", 90, 2),
            ("Sleep Apnea Evaluation and Treatment", 180, 6),
        ),
    ),
    "OTOLARYNGOLOGY": (
        "OTOL",
        "Surgery",
        (("Otolaryngology Evaluation and Treatment", 180, 6), ("Otolaryngology Surgery", 120, 5)),
    ),
    "PHYSICAL THERAPY": (
        "PHYS",
        "Physical Medicine and Rehabilitation",
        (
            ("Physical Therapy Evaluation and Treatment", 90, 12),
            ("Physical Therapy Post-Operative Rehabilitation", 120, 24),
        ),
    ),
    "CHIROPRACTIC": (
        "CHIR",
        "Physical Medicine and Rehabilitation",
        (("Chiropractic Care Initial", 90, 12), ("Chiropractic Care Continuation", 180, 12)),
    ),
    "ACUPUNCTURE": (
        "ACUP",
        "Physical Medicine and Rehabilitation",
        (
            ("Acupuncture Initial", 90, 12),
            ("Acupuncture Continuation of Initial Care", 180, 12),
            ("Acupuncture Chronic Care Management", 365, 24),
        ),
    ),
    "ADULT DAY HEALTH CARE": (
        "ADHC",
        "Geriatrics and Extended Care",
        (("Adult Day Health Care", 180, 78), ("Adult Day Health Care Continuation", 365, 156)),
    ),
    "HOMEMAKER/HOME HEALTH AIDE": (
        "HHHA",
        "Geriatrics and Extended Care",
        (("Homemaker/Home Health Aide Services", 180, 180), ("Homemaker/Home Health Aide Respite", 90, 30)),
    ),
}


def _overview(name: str, visits: int) -> str:
    steps = (
        "Initial outpatient evaluation for this episode of care",
        f"A maximum of {visits} visits related to {name.lower()} is approved for this episode of care",
        "Diagnostic tests, imaging and laboratory services related to the referred condition",
        "Outpatient re-evaluation during this episode of care as clinically indicated",
    )
    return "\n".join(f"{number}. {step}" for number, step in enumerate(steps, start=1))


def seocs_for(spec: ClinicalServiceSpec, seed: int) -> list[Seoc]:
    rng = seeded_rng(seed, f"seoc:{spec.name}")
    code, service_line, episodes = _EPISODES[spec.name]
    category = spec.seoc_categories[0]
    return [
        Seoc(
            seoc_id=f"SEOC-{code}-{number:03d}",
            name=name,
            category_of_care=category,
            service_line=service_line,
            description=DESCRIPTION,
            duration_days=duration,
            max_visits=visits,
            procedural_overview=_overview(name, visits),
            disclaimer=DISCLAIMER,
            version=f"1.0.{rng.randint(1, 9)}",
            effective_date=date(2019, 6, 6) + timedelta(days=rng.randrange(1_800)),
        )
        for number, (name, duration, visits) in enumerate(episodes, start=1)
    ]


def superseded_acupuncture() -> Seoc:
    """An ended earlier version, as the SEOC API lists under 'all states', for filters to skip."""
    return Seoc(
        seoc_id="SEOC-ACUP-001-1.0.0",
        name="Acupuncture Initial",
        category_of_care="ACUPUNCTURE",
        service_line="Physical Medicine and Rehabilitation",
        description=DESCRIPTION,
        duration_days=90,
        max_visits=12,
        procedural_overview=_overview("Acupuncture Initial", 12),
        disclaimer=DISCLAIMER,
        status="Inactive",
        version="1.0.0",
        effective_date=date(2018, 12, 7),
        end_date=date(2019, 1, 2),
    )


def build_seocs(seed: int) -> tuple[Seoc, ...]:
    active = [seoc for spec in NATIONAL_CLINICAL_SERVICES for seoc in seocs_for(spec, seed)]
    return (*active, superseded_acupuncture())
