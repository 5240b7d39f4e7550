"""Community providers and SEOCs cover every clinical service in the national catalog."""

from __future__ import annotations

import itertools
import re
from collections import Counter

from dst.demo.model import DemoNetwork
from dst.demo.network import iter_providers
from dst.demo.places import JURISDICTIONS
from dst.reference.catalog import NATIONAL_CLINICAL_SERVICES


def test_default_network_has_50000_unique_providers(network: DemoNetwork) -> None:
    assert len(network.providers) == 50_000
    assert len({p.provider_id for p in network.providers}) == 50_000
    assert all(re.fullmatch(r"9\d{9}", p.provider_id) for p in network.providers[:1000])


def test_every_catalog_service_has_community_providers(network: DemoNetwork) -> None:
    codes = Counter(code for p in network.providers for code in p.specialty_codes)
    for spec in NATIONAL_CLINICAL_SERVICES:
        assert sum(codes[c] for c in spec.ppms_specialty_codes) >= 50, spec.name
    catalog_codes = {c for spec in NATIONAL_CLINICAL_SERVICES for c in spec.ppms_specialty_codes}
    assert set(codes) <= catalog_codes


def test_providers_look_like_ppms_rows(network: DemoNetwork) -> None:
    for provider in network.providers[:2000]:
        assert 1 <= len(provider.specialty_codes) <= 2
        assert provider.address.is_complete and provider.address.state in JURISDICTIONS
        assert provider.phone and re.fullmatch(r"\d{3}-555-01\d{2}", provider.phone)
        assert provider.network and re.fullmatch(r"CCN Region [1-5]", provider.network)
        assert provider.name and provider.care_site
    accepting = Counter(p.accepting_new_patients for p in network.providers)
    assert accepting[True] > accepting[False] > 0 and accepting[None] > 0


def test_providers_cluster_where_people_live(network: DemoNetwork) -> None:
    towns = Counter((p.address.city, p.address.state) for p in network.providers)
    assert towns[("Houston", "TX")] > 100
    assert towns[("Houston", "TX")] > 20 * towns.get(("Pittsburg", "NH"), 0)


def test_iter_providers_streams_the_same_providers_lazily(network: DemoNetwork) -> None:
    assert list(iter_providers(300)) == list(network.providers[:300])
    million = iter_providers(1_000_000)
    assert list(itertools.islice(million, 5)) == list(network.providers[:5])


def test_every_catalog_service_has_two_to_four_active_seocs(network: DemoNetwork) -> None:
    active = [s for s in network.seocs if s.status == "Active"]
    for spec in NATIONAL_CLINICAL_SERVICES:
        mine = [s for s in active if s.category_of_care in spec.seoc_categories]
        assert 2 <= len(mine) <= 4, spec.name
    ids = [s.seoc_id for s in network.seocs]
    assert len(ids) == len(set(ids))


def test_seocs_carry_what_the_seoc_api_carries(network: DemoNetwork) -> None:
    for seoc in network.seocs:
        assert re.fullmatch(r"SEOC-[A-Z]{4}-\d{3}(-1\.0\.\d)?", seoc.seoc_id)
        assert seoc.duration_days and 90 <= seoc.duration_days <= 365
        assert seoc.max_visits and seoc.max_visits > 0
        assert seoc.procedural_overview and seoc.procedural_overview.startswith("1. ")
        assert seoc.version and re.fullmatch(r"1\.0\.\d", seoc.version)
        assert seoc.effective_date and seoc.service_line and seoc.disclaimer
    ended = [s for s in network.seocs if s.status != "Active"]
    assert all(s.end_date for s in ended) and len(ended) == 1
