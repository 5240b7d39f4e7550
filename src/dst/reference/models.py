"""Reference tables: stations, the clinical-service catalog, consult-service names, facilities, SEOCs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dst.db.base import Base, UtcDateTime, utcnow


class Station(Base):
    """A VA medical center (parent station), keyed by its sta3n."""

    __tablename__ = "station"

    sta3n: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(2))
    visn: Mapped[str] = mapped_column(String(2), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)


class ClinicalService(Base):
    """An official clinical service (national catalog)."""

    __tablename__ = "clinical_service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    care_category: Mapped[str] = mapped_column(String(20))
    lighthouse_service_id: Mapped[str] = mapped_column(String(40))
    ppms_specialty_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    seoc_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    community_care_consult_name: Mapped[str] = mapped_column(String(80))
    stop_codes: Mapped[list[ClinicalServiceStopCode]] = relationship(
        back_populates="clinical_service",
        cascade="all, delete-orphan",
        order_by="ClinicalServiceStopCode.position",
    )
    synonyms: Mapped[list[ClinicalServiceSynonym]] = relationship(
        back_populates="clinical_service", cascade="all, delete-orphan"
    )

    @property
    def primary_stop_code(self) -> str:
        return self.stop_codes[0].stop_code if self.stop_codes else ""


class ClinicalServiceStopCode(Base):
    __tablename__ = "clinical_service_stop_code"
    __table_args__ = (UniqueConstraint("clinical_service_id", "stop_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinical_service_id: Mapped[int] = mapped_column(ForeignKey("clinical_service.id", ondelete="CASCADE"))
    stop_code: Mapped[str] = mapped_column(String(3), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    clinical_service: Mapped[ClinicalService] = relationship(back_populates="stop_codes")


class ClinicalServiceSynonym(Base):
    __tablename__ = "clinical_service_synonym"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinical_service_id: Mapped[int] = mapped_column(ForeignKey("clinical_service.id", ondelete="CASCADE"))
    synonym: Mapped[str] = mapped_column(String(80), unique=True)
    clinical_service: Mapped[ClinicalService] = relationship(back_populates="synonyms")


class ConsultService(Base):
    """A station's consult service name (VistA file #123.5) and the clinical service it maps to.

    `source` is `cdw` (loaded by the mapping job), `override` (set by an administrator) or `seen`
    (a name that arrived from CTB with no mapping, kept so the gap can be fixed).
    """

    __tablename__ = "consult_service"
    __table_args__ = (UniqueConstraint("station", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station: Mapped[str] = mapped_column(String(3), index=True)
    name: Mapped[str] = mapped_column(String(80))
    clinical_service_id: Mapped[int | None] = mapped_column(
        ForeignKey("clinical_service.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(10))
    community_care: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    clinical_service: Mapped[ClinicalService | None] = relationship()


class Facility(Base):
    """Local copy of a VA health facility (loaded from Lighthouse Facilities; never read live)."""

    __tablename__ = "facility"

    facility_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    station: Mapped[str] = mapped_column(String(3), index=True)
    name: Mapped[str] = mapped_column(String(160))
    classification: Mapped[str | None] = mapped_column(String(80))
    visn: Mapped[str | None] = mapped_column(String(2))
    address_line1: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(2))
    zip: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(40))
    lat: Mapped[float | None] = mapped_column(Float, index=True)
    lng: Mapped[float | None] = mapped_column(Float)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Lighthouse operatingStatus.code (NORMAL, NOTICE, LIMITED, CLOSED); a CLOSED facility never counts.
    operating_status: Mapped[str | None] = mapped_column(String(20))
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FacilityService(Base):
    """Which Lighthouse health services a facility offers; indexed for the nearest-facility query."""

    __tablename__ = "facility_service"

    facility_id: Mapped[str] = mapped_column(
        ForeignKey("facility.facility_id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class FacilityWaitTime(Base):
    """Average wait per facility and clinical service (VA from CDW, community care from HSRM)."""

    __tablename__ = "facility_wait_time"
    __table_args__ = (UniqueConstraint("facility_id", "clinical_service_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[str] = mapped_column(String(20), index=True)
    clinical_service_id: Mapped[int] = mapped_column(ForeignKey("clinical_service.id", ondelete="CASCADE"))
    va_average_days: Mapped[float | None] = mapped_column(Float)
    va_sample_size: Mapped[int | None] = mapped_column(Integer)
    cc_average_days: Mapped[float | None] = mapped_column(Float)
    as_of: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))


class SeocEntry(Base):
    """An active Standardized Episode of Care (loaded from the SEOC service)."""

    __tablename__ = "seoc"

    seoc_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category_of_care: Mapped[str] = mapped_column(String(80), index=True)
    service_line: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    duration_days: Mapped[int | None] = mapped_column(Integer)
    max_visits: Mapped[int | None] = mapped_column(Integer)
    procedural_overview: Mapped[str | None] = mapped_column(Text)
    disclaimer: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(20))
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
