"""A stat consult: VistA's comment reports the 1-day stat policy on its own line, never as 17.4040."""

from __future__ import annotations

from factories import consult, days_from_today, key, ordinary, veteran
from harness import SERVICE


def test_the_stat_policy_has_its_own_line_and_basis_code(client) -> None:
    body = consult(veteran(ordinary), "CARDIOLOGY", urgency="stat")
    dst_id = client.post("/api/v1/dst", json=body, headers=SERVICE).json()["dstId"]
    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    decision = {
        "veteranOption": "opt-in",
        "seocId": seoc,
        "forward": False,
        "nextAvailableDate": days_from_today(3),
    }
    saved = client.put(f"/api/v1/dst/{dst_id}/decision", json=decision, headers={**SERVICE, **key()})
    assert saved.status_code == 200, saved.text

    eligibility = client.get(f"/api/v1/dst/{dst_id}/eligibility", headers=SERVICE).json()
    assert {c["code"] for c in eligibility["criteria"]} >= {"wait-time"}
    assert "stat-wait-policy" not in {c["code"] for c in eligibility["criteria"]}
    (policy,) = eligibility["policy"]
    assert policy["code"] == "stat-wait-policy" and policy["status"] == "met"
    assert "stat-wait-policy" in eligibility["basis"]

    lines = client.get(f"/vs/v2/consultFactor/{dst_id}", headers=SERVICE).text.split("^")
    wait = next(x for x in lines if x.startswith("WTE-"))
    assert "policy" not in wait.lower() and "28 days" in wait
    swp = next(x for x in lines if x.startswith("SWP-"))
    assert swp.startswith("SWP-Stat wait policy: MET - ")
    assert "17.4010" not in swp
    elb = next(x for x in lines if x.startswith("ELB-"))
    assert "STAT-WAIT-POLICY" in elb
