"""Drive time estimated from straight-line distance, for when no routing service is configured."""

from __future__ import annotations

from collections.abc import Sequence

from dst.partners.types import DriveTime, GeoPoint

# Roads are longer than the straight line between two points. Studies of US road networks put the
# detour index (road distance ÷ great-circle distance) at about 1.2-1.4; 1.3 is the usual middle.
ROAD_CIRCUITY_FACTOR = 1.3
# Assumed door-to-door average speed, mixing local roads and highways. Deliberately plain: the
# figure is labelled an estimate wherever it is shown.
AVERAGE_SPEED_MPH = 50.0


def estimated_minutes(miles: float) -> float:
    return miles * ROAD_CIRCUITY_FACTOR / AVERAGE_SPEED_MPH * 60.0


class DriveTimeEstimator:
    """Same interface as RoutingClient; no I/O."""

    def __init__(
        self, *, circuity: float = ROAD_CIRCUITY_FACTOR, speed_mph: float = AVERAGE_SPEED_MPH
    ) -> None:
        self.circuity = circuity
        self.speed_mph = speed_mph

    async def drive_minutes(
        self, origin: GeoPoint, destinations: Sequence[tuple[str, GeoPoint]]
    ) -> list[DriveTime]:
        return [self.estimate(origin, destination_id, point) for destination_id, point in destinations]

    def estimate(self, origin: GeoPoint, destination_id: str, point: GeoPoint) -> DriveTime:
        miles = origin.miles_to(point)
        minutes = miles * self.circuity / self.speed_mph * 60.0
        method = f"estimate: {self.circuity:g} × straight-line {miles:.1f} mi at {self.speed_mph:g} mph"
        return DriveTime(destination_id, round(minutes, 1), source="estimate", method=method)
