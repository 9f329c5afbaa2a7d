"""The customer pyramid, inactivity and RFM on small files whose figures were worked out by
hand (in the comments), not by running the code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assessment.customerdata import profile_files
from assessment.customerdata.pyramid import boundaries, months_before
from assessment.customerdata.rfm import segment_of


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def pyramid_file(tmp_path: Path) -> Path:
    """30 customers active in the 12 months to 2024-06-30, two inactive, one later.

    Revenue in the window: C01 1000 (two purchases of 500; it also bought in 2022,
    outside the window, which does not count), C02 500, C03-C07 100 each, C08-C30 10
    each; C30's purchase is on 2023-07-01, the window's first day. Total 1000 + 500 + 500
    + 230 = 2230.
    C31 bought on 2023-06-30 (12 months before, just outside: the window is after it) and
    C32 in 2022: both inactive. C33 bought only after the as-of date: neither.
    """
    rows = ["C01,2024-06-01,500", "C01,2024-05-01,500", "C01,2022-01-01,9999",
            "C02,2024-01-15,500"]
    rows += [f"C{n:02d},2024-02-01,100" for n in range(3, 8)]
    rows += [f"C{n:02d},2024-03-01,10" for n in range(8, 30)]
    rows += ["C30,2023-07-01,10", "C31,2023-06-30,700", "C32,2022-12-01,50",
             "C33,2024-07-05,80"]
    return write(tmp_path / "sales.csv", "customer,date,amount", rows)


def test_tier_boundaries_round_to_the_nearest_customer() -> None:
    # 30 active: 0.3 -> 0 but at least 1; 1.5 -> 2 (a half rounds up); 6 -> 6
    assert boundaries(30) == (1, 2, 6)
    # 10: 0.1 -> 1 (at least one); 0.5 -> 1; 2 -> 2
    assert boundaries(10) == (1, 1, 2)
    # 250: 2.5 -> 3, 12.5 -> 13, 50 -> 50 (not banker's rounding: that gives 2 and 12)
    assert boundaries(250) == (3, 13, 50)
    assert boundaries(1) == (1, 1, 1)
    assert boundaries(0) == (0, 0, 0)


def test_months_before_clips_to_the_month_end() -> None:
    assert months_before(date(2024, 6, 30), 12) == date(2023, 6, 30)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2024, 1, 15), 6) == date(2023, 7, 15)


def test_pyramid_tiers_shares_and_inactive(tmp_path: Path) -> None:
    data = profile_files([pyramid_file(tmp_path)], as_of=date(2024, 6, 30)).to_json()
    tiers = {tier["tier"]: tier for tier in data["pyramid"]}
    assert [tier["tier"] for tier in data["pyramid"]] == ["top", "big", "medium", "small",
                                                          "inactive"]
    # 30 active -> boundaries 1, 2, 6: top C01; big C02; medium C03-C06 (four of the five
    # customers with 100: ties go by id, so C07 is the first of small); small 24 customers
    assert [tiers[t]["customers"] for t in ("top", "big", "medium", "small")] == [1, 1, 4, 24]
    assert tiers["top"]["revenue_share"] == pytest.approx(1000 / 2230)
    assert tiers["big"]["revenue_share"] == pytest.approx(500 / 2230)
    assert tiers["medium"]["revenue_share"] == pytest.approx(400 / 2230)
    # C07's 100 and 23 customers with 10
    assert tiers["small"]["revenue_share"] == pytest.approx(330 / 2230)
    assert tiers["inactive"] == {"tier": "inactive", "customers": 2, "revenue_share": 0.0}
    assert data["ranking"] == "revenue"
    assert data["customers"] == 33
    assert (data["first_date"], data["last_date"]) == ("2022-01-01", "2024-07-05")


def test_a_shorter_window_makes_more_customers_inactive(tmp_path: Path) -> None:
    data = profile_files([pyramid_file(tmp_path)], as_of=date(2024, 6, 30),
                         window_months=6).to_json()
    tiers = {tier["tier"]: tier["customers"] for tier in data["pyramid"]}
    # window after 2023-12-30: C30 (2023-07-01) and C31, C32 are now inactive; 29 active
    # -> boundaries 0.29 -> 1, 1.45 -> 1, 5.8 -> 6: top 1, big 0, medium 5, small 23
    assert tiers == {"top": 1, "big": 0, "medium": 5, "small": 23, "inactive": 3}


def test_without_amounts_customers_rank_by_purchases(tmp_path: Path) -> None:
    # A 3 purchases, B 1, C..J 1 each (10 active): boundaries (1, 1, 2): top A with 3 of
    # the 12 purchases; big none; medium one customer with 1; small 8 with 8
    rows = ["A,2024-01-01", "A,2024-02-01", "A,2024-03-01"]
    rows += [f"{letter},2024-03-01" for letter in "BCDEFGHIJ"]
    path = write(tmp_path / "visits.csv", "customer,date", rows)
    data = profile_files([path]).to_json()
    assert data["ranking"] == "purchases"
    shares = [(t["customers"], t["revenue_share"]) for t in data["pyramid"]]
    assert shares == [(1, pytest.approx(3 / 12)), (0, 0.0), (1, pytest.approx(1 / 12)),
                      (8, pytest.approx(8 / 12)), (0, 0.0)]


def test_segments_follow_the_issue_rules_for_every_pair() -> None:
    for r in range(1, 6):
        for f in range(1, 6):
            expected = (
                "champions" if r >= 4 and f >= 4
                else "loyal" if r >= 3 and f >= 3
                else "new" if r == 5 and f == 1
                else "promising" if r >= 4 and f <= 2
                else "needs_attention" if r == 3 and f <= 2
                else "cannot_lose" if r == 1 and f == 5
                else "at_risk" if r <= 2 and f >= 3
                else "hibernating" if r == 2 and f <= 2
                else "lost"
            )
            assert segment_of(r, f) == expected, (r, f)


def test_rfm_five_customers(tmp_path: Path) -> None:
    """As of 2024-06-30:
    A: last 2024-06-29 (1 day), 5 purchases, 500  -> R5 F5 M5: champions
    B: last 2024-06-20 (10 days), 1 purchase, 100 -> R4 F1 M3: promising
    C: last 2024-05-31 (30 days), 3 purchases, 300 -> R3 F3 M4: loyal
    D: last 2024-03-02 (120 days), 4 purchases, 50 -> R2 F4: at risk
    E: last 2023-12-31 (182 days), 2 purchases, 50 -> R1 F2: lost
    Revenue 1000: champions 0.5, promising 0.1, loyal 0.3, at risk 0.05, lost 0.05.
    """
    rows = [f"A,2024-0{m}-29,100" for m in range(2, 7)]
    rows += ["B,2024-06-20,100"]
    rows += ["C,2024-05-31,100", "C,2024-04-01,100", "C,2024-03-01,100"]
    rows += ["D,2024-03-02,20", "D,2024-02-02,10", "D,2024-01-02,10", "D,2023-12-02,10"]
    rows += ["E,2023-12-31,25", "E,2023-11-30,25"]
    path = write(tmp_path / "rfm.csv", "customer,date,amount", rows)
    data = profile_files([path], as_of=date(2024, 6, 30)).to_json()["rfm"]
    segments = {s["segment"]: (s["customers"], s["revenue_share"]) for s in data["segments"]}
    assert list(segments) == ["champions", "loyal", "new", "promising", "needs_attention",
                              "cannot_lose", "at_risk", "hibernating", "lost"]
    assert segments["champions"] == (1, pytest.approx(0.5))
    assert segments["promising"] == (1, pytest.approx(0.1))
    assert segments["loyal"] == (1, pytest.approx(0.3))
    assert segments["at_risk"] == (1, pytest.approx(0.05))
    assert segments["lost"] == (1, pytest.approx(0.05))
    assert sum(count for count, _share in segments.values()) == 5
    assert data["at_risk_of_leaving"] == {"customers": 1, "revenue_share": pytest.approx(0.05)}
    # grid[r - 1][f - 1]
    assert data["grid"][4][4] == 1
    assert data["grid"][3][0] == 1
    assert data["grid"][2][2] == 1
    assert data["grid"][1][3] == 1
    assert data["grid"][0][1] == 1


def test_rfm_ties_are_broken_by_customer_id(tmp_path: Path) -> None:
    """Ten customers whose last purchase is on the same day: every R is a tie, broken by
    id: K0, K1 R5; K2, K3 R4; K4, K5 R3; K6, K7 R2; K8, K9 R1.
    K0-K4 bought once, K5-K9 twice (10 a purchase): F ranks K5..K9 first, then K0..K4,
    by id within each: K5, K6 F5; K7, K8 F4; K9, K0 F3; K1, K2 F2; K3, K4 F1.
    K0 (5,3) loyal; K1 (5,2), K2 (4,2), K3 (4,1) promising; K4 (3,1) needs attention;
    K5 (3,5) loyal; K6 (2,5), K7 (2,4), K8 (1,4), K9 (1,3) at risk.
    Revenue 5 x 10 + 5 x 20 = 150; at risk K6-K9: 80.
    """
    rows = [f"K{n},2024-05-01,10" for n in range(10)]
    rows += [f"K{n},2024-04-01,10" for n in range(5, 10)]
    path = write(tmp_path / "ties.csv", "customer,date,amount", rows)
    data = profile_files([path]).to_json()["rfm"]
    counts = {s["segment"]: s["customers"] for s in data["segments"]}
    assert counts == {"champions": 0, "loyal": 2, "new": 0, "promising": 3,
                      "needs_attention": 1, "cannot_lose": 0, "at_risk": 4,
                      "hibernating": 0, "lost": 0}
    assert data["at_risk_of_leaving"] == {"customers": 4,
                                          "revenue_share": pytest.approx(80 / 150)}


def test_a_customer_list_gets_identification_only(tmp_path: Path) -> None:
    path = write(tmp_path / "list.csv", "name,mobile", ["Ali,09121234567", "Sara,"])
    data = profile_files([path]).to_json()
    assert data["pyramid"] is None
    assert data["rfm"] is None
    assert data["first_date"] is None
    assert data["customers"] == 2
    assert data["quality"]["fields"]["mobile"] == {"filled": 0.5, "valid": 0.5}


def test_a_customer_list_and_a_transactions_file_join_on_the_customer_id(
        tmp_path: Path) -> None:
    # the list knows three customers (C3 never bought); sales know C1 and C2 only, and
    # write C1's id with Persian digits: 3 records, 2 active (C1 300, C2 100: top C1)
    listing = write(tmp_path / "list.csv", "customer id,name,mobile",
                    ["C1,Ali,09121234567", "C2,Sara,", "C3,Reza,09351112222"])
    sales = write(tmp_path / "sales.csv", "customer id,date,amount",
                  ["C۱,2024-05-01,300", "C2,2024-05-02,100"])
    data = profile_files([listing, sales]).to_json()
    assert data["rows"] == 5
    assert data["customers"] == 3
    assert data["quality"]["fields"]["mobile"] == {"filled": 2 / 3, "valid": 2 / 3}
    assert data["quality"]["fields"]["date"] == {"filled": 1.0, "valid": 1.0}
    assert [t["customers"] for t in data["pyramid"]] == [1, 0, 0, 1, 0]
    assert data["pyramid"][0]["revenue_share"] == pytest.approx(0.75)
    assert data["rfm"]["customers"] == 2
