"""Request bodies of the viewer's JSON API (camelCase on the wire)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class EdipiQuery(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    edipi: str = Field(pattern=r"^[0-9]{10}$", description="The DoD EDIPI, ten digits")


class FacilitiesQuery(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    icn: str = Field(min_length=1, max_length=40)
    svc_name: str = Field(min_length=1, max_length=80, description="Official clinical service name")
