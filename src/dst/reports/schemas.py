"""Report filters and the one shape every report takes: columns, rows, a chart and notes (camelCase JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """A checked filter: dates in order, and a VISN, station and clinical service that exist."""

    start: date
    end: date
    visn: str | None = None
    station: str | None = None
    clinical_service: str | None = None

    def query(self) -> dict[str, str]:
        """The same filter as query parameters, for CSV and JSON links."""
        params = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for name, value in (
            ("visn", self.visn),
            ("station", self.station),
            ("clinicalService", self.clinical_service),
        ):
            if value:
                params[name] = value
        return params


class Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class FilterOut(Camel):
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    visn: str | None = None
    station: str | None = None
    clinical_service: str | None = None


class Column(Camel):
    key: str
    label: str
    numeric: bool = True


class Dataset(Camel):
    label: str
    data: list[float | int | None]


class Chart(Camel):
    """What the page draws; the table under it carries the same figures."""

    kind: str = Field(description="bar or horizontal-bar")
    labels: list[str]
    datasets: list[Dataset]
    axis_label: str


class Report(Camel):
    name: str
    title: str
    question: str = Field(description="The question this report answers")
    filters: FilterOut
    columns: list[Column]
    rows: list[dict[str, Cell]]
    totals: dict[str, Cell] | None = None
    chart: Chart | None = None
    notes: list[str] = Field(default_factory=list)
    empty: bool = Field(description="True when nothing in the filter matched; rows is then empty")


class ReportIndexEntry(Camel):
    name: str
    title: str
    question: str
    href: str = Field(description="JSON for this report under /api/v1/reports")
