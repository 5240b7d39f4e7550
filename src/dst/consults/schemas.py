"""API schemas (camelCase JSON) for DST records and decisions; separate from the ORM models."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from dst.consults.factors import vista_token_in

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
ICN_PATTERN = r"^[0-9]{10}V[0-9]{6}$"


def _plain_text(value: str) -> str:
    """Free text must survive VistA's `^` split and line-by-line filing intact."""
    if CONTROL_CHARS.search(value):
        raise ValueError("must not contain line breaks, tabs or other control characters")
    if "^" in value:
        raise ValueError("must not contain the ^ character (VistA uses it to separate comment lines)")
    if "|" in value:
        raise ValueError("must not contain the | character (VistA uses it as a field separator)")
    token = vista_token_in(value)
    if token is not None:
        raise ValueError(
            f"must not contain {token!r}: VistA reads that text in a consult comment as an instruction "
            "(duplicate check or auto-forward); reword it"
        )
    return value.strip()


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


PlainText = Annotated[str, AfterValidator(_plain_text)]


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ConsultContext(CamelModel):
    """What Consult Toolbox knows about the consult being ordered (DESIGN §5)."""

    station: str = Field(pattern=r"^[0-9]{3}$", description="Three-digit VA station number (sta3n)")
    dfn: str | None = Field(default=None, pattern=r"^[0-9]{1,15}$", description="Patient DFN at the station")
    icn: str | None = Field(default=None, pattern=ICN_PATTERN, description="Integration Control Number")
    consult_service: PlainText = Field(min_length=1, max_length=80)
    urgency: Annotated[Literal["routine", "stat"], BeforeValidator(_lower)]
    clinically_indicated_date: date | None = None
    file_entry_date: date
    consult_number: str | None = Field(default=None, pattern=r"^[0-9]{1,15}$")
    order_number: str | None = Field(default=None, pattern=r"^[0-9]{1,15}$")
    signed: bool = False
    clinical_service: PlainText | None = Field(
        default=None,
        max_length=80,
        description="Official clinical service, when the consult service name is not mapped at the station",
    )

    @model_validator(mode="after")
    def _check(self) -> ConsultContext:
        if not self.dfn and not self.icn:
            raise ValueError("either dfn or icn must be given to identify the Veteran")
        if self.clinically_indicated_date and self.clinically_indicated_date < self.file_entry_date:
            raise ValueError(
                "clinicallyIndicatedDate must not be before fileEntryDate "
                f"({self.clinically_indicated_date} is before {self.file_entry_date})"
            )
        return self


class BmiIn(CamelModel):
    factor: str = Field(min_length=1, max_length=40)
    explanation: PlainText = Field(min_length=1, max_length=200)


class DecisionIn(CamelModel):
    veteran_option: Annotated[Literal["tbd", "opt-in", "opt-out"], BeforeValidator(_lower)]
    seoc_id: str | None = Field(default=None, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    forward: bool
    forward_to: PlainText | None = Field(default=None, max_length=80)
    bmi: BmiIn | None = None
    next_available_date: date | None = None
    veteran_agreed_later_date: date | None = None
    agreed_date_confirmed: bool = Field(
        default=False,
        description=(
            "The scheduler confirms a veteranAgreedLaterDate before nextAvailableDate: VA has no "
            "appointment on the agreed date, so DST refuses it (422) unless confirmed"
        ),
    )
    clinical_service: PlainText | None = Field(default=None, max_length=80)
    base_version: int | None = Field(default=None, ge=1)


class TraitsIn(CamelModel):
    """What MVI's attended search by traits requires: given and family name, birth date, whole SSN."""

    given: str = Field(min_length=1, max_length=50)
    family: str = Field(min_length=1, max_length=50)
    birth_date: date
    ssn: Annotated[str, BeforeValidator(lambda v: re.sub(r"[\s-]", "", v) if isinstance(v, str) else v)] = (
        Field(pattern=r"^[0-9]{9}$", description="nine digits; spaces and dashes are ignored")
    )
