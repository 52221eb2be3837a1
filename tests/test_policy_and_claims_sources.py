"""Policy events, export-control rules, the seed article's claims and the cost model against their
sources (issue 16): the Federal Register dates against the API answer the fetcher saved, every
claimed figure against the article's own words, and a sample of values with the page that states
each (the ledgers in docs/source_checks/ record every row)."""

import json
import re

import pytest
from conftest import PROJECT_ROOT, reference_row, reference_rows

from ingestion.figures import parse_figure

FEDERAL_REGISTER_ANSWER = PROJECT_ROOT / "tests" / "fetch_fixtures" / "federal_register_documents.json"
DOCUMENT_URL = re.compile(r"federalregister\.gov/documents/\d{4}/\d{2}/\d{2}/([\d-]+)")
SEED_ARTICLE = PROJECT_ROOT.parent / "shared" / "seed" / "000_055613eb21f99114.txt"


# --- export-control rules: the Federal Register ------------------------------------------------


def test_rules_citing_the_federal_register_carry_its_publication_dates():
    # The Federal Register API answer (documents.json) for BIS "advanced computing" documents.
    published = {
        doc["document_number"]: doc["publication_date"]
        for doc in json.loads(FEDERAL_REGISTER_ANSWER.read_text())["results"]
    }
    cited = 0
    for rule in reference_rows("export_control_rules"):
        match = DOCUMENT_URL.search(rule["source_url"] or "")
        if match and match.group(1) in published:
            cited += 1
            assert str(rule["published_date"]) == published[match.group(1)], rule["rule_id"]
    assert cited == 3


@pytest.mark.parametrize(
    ("rule_id", "published", "effective"),
    [
        # Federal Register 2022-21658 (87 FR 62186): published 2022-10-13, effective 2022-10-07.
        ("us_2022_10", "2022-10-13", "2022-10-07"),
        # Federal Register 2023-23055 (88 FR 73458), federalstatelaw.com mirror: 2023-10-25 / 2023-11-17.
        ("us_2023_11", "2023-10-25", "2023-11-17"),
        # Federal Register 2025-00636 (90 FR 4544), frtracker.app mirror: "effective January 13, 2025".
        ("us_2025_01", "2025-01-15", "2025-01-13"),
        # Federal Register 2026-00789 (91 FR 1684, govinfo.gov): published and effective 2026-01-15.
        ("us_2026_01", "2026-01-15", "2026-01-15"),
    ],
)
def test_rule_dates_match_the_federal_register(rule_id, published, effective):
    rule = reference_row("export_control_rules", rule_id=rule_id)
    assert (str(rule["published_date"]), str(rule["effective_date"])) == (published, effective)


def test_rule_thresholds_match_their_sources():
    # eCFR text of ECCN 3A090.a (copies at eccnfinder.com/eccn/3a090): TPP >= 4800, or TPP >= 1600
    # with performance density >= 5.92.
    rule = reference_row("export_control_rules", rule_id="us_2023_11")
    assert (rule["a_tpp_min"], rule["a_tpp_min_with_pd"], rule["a_pd_min"], rule["a_io_gbps_min"]) == (
        4800,
        1600,
        5.92,
        None,
    )
    # Alston & Bird: the AI diffusion rule was rescinded on 2025-05-13.
    assert str(reference_row("export_control_rules", rule_id="us_2025_01")["rescinded_date"]) == "2025-05-13"


# --- policy events ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_id", "event_date", "source_host"),
    [
        # NVIDIA's 8-K via Shacknews: the USG letter of 2022-08-26 on A100 and H100 exports.
        ("us_2022_08_a100_h100_licence", "2022-08-26", "shacknews.com"),
        # Federal Register 2025-00636 mirror: the diffusion rule took effect on 2025-01-13.
        ("us_2025_01_diffusion", "2025-01-13", "frtracker.app"),
        # Reuters via Business Recorder (2025-08-11): 15% of China H20 / MI308 revenue to the US.
        ("us_2025_08_h20_resume", "2025-08-11", "www.brecorder.com"),
        # Morgan Lewis: case-by-case review below TPP 21,000 and 6,500 GB/s, effective 2026-01-15.
        ("us_2026_01_case_by_case", "2026-01-15", "www.morganlewis.com"),
        # Covington: the 25% duty proclamation of 2026-01-14, effective 2026-01-15.
        ("us_2026_01_chip_tariff", "2026-01-14", "www.cov.com"),
        # Reuters via News.Az: customs told agents H200 chips may not enter; firms summoned 2026-01-13.
        ("cn_2026_01_h200_customs", "2026-01-13", "news.az"),
        # Nikkei Asia via The Asia Live (2026-01-15): draft cap on foreign AI-chip purchases.
        ("cn_2026_01_chip_purchase_cap_draft", "2026-01-15", "theasialive.com"),
        # Reuters via News Arena India: state-funded data centres to use only domestic AI chips.
        ("cn_2025_11_state_funded", "2025-11-05", "newsarenaindia.com"),
    ],
)
def test_policy_event_dates_match_their_sources(event_id, event_date, source_host):
    event = reference_row("policy_events", event_id=event_id)
    assert str(event["event_date"]) == event_date
    assert event["source_url"].split("/")[2] == source_host


def test_reported_domestic_chip_shares_keep_their_basis():
    # NewsBytes (2025-08-17): publicly owned computing hubs must source more than 50% domestically.
    hubs = reference_row("policy_events", event_id="cn_2025_08_public_hubs_half_domestic")
    assert (hubs["min_domestic_share"], hubs["confidence"], hubs["share_basis"]) == (
        0.5,
        "reported",
        "domestic chips in cards",
    )
    # The article's reading of the 2023 plan stays a claim without a source URL.
    for event_id in ("cn_2023_10_claimed_share", "cn_2023_10_claimed_share_gov"):
        claimed = reference_row("policy_events", event_id=event_id)
        assert (claimed["confidence"], claimed["source_url"]) == ("claimed", None)


# --- the seed article's claims, in its own words ----------------------------------------------

# Each claimed figure as the article writes it (a percentage is a share or a gain as a ratio).
ARTICLE_FIGURES = {
    "C1b": "400%",
    "C1c": "468%",
    "C1d": "3000亿",
    "C1e": "28万",
    "C2a": "2228倍",
    "C3b": "25%",
    "C4a": "80%",
    "C5a": "141GB",
    "C5b": "4.8TB/s",
    "C6a": "171亿美元",
    "C6b": "45亿美元",
    "C7a": "5000万美元",
    "C7b": "120亿美元",
    "C10a": "75%",
    "C10b": "50%",
    "C10c": "1.5",
    "C11a": "35%",
    "C11b": "50%",
    "C12a": "300亿",
}


def _figure_value(text: str) -> float:
    figure = parse_figure(text)
    return figure.value / 100 if figure.unit == "percent" else figure.value


def test_every_claimed_figure_is_the_article_s_own():
    claims = {row["claim_id"]: row["claim_zh"] for row in reference_rows("claims")}
    numbered = [part for part in reference_rows("claim_parts") if part["claimed_value"] is not None]
    assert {part["part_id"] for part in numbered} == set(ARTICLE_FIGURES) | {"C8a"}
    for part in numbered:
        if part["part_id"] == "C8a":
            assert "先后调整了6次" in claims["C8"] and part["claimed_value"] == 6
            continue
        written = ARTICLE_FIGURES[part["part_id"]]
        assert written in claims[part["claim_id"]], part["part_id"]
        assert part["claimed_value"] == pytest.approx(_figure_value(written)), part["part_id"]
        assert (part["claimed_unit"] == "USD") == ("美元" in written), part["part_id"]


def test_claims_quote_the_seed_article():
    if not SEED_ARTICLE.exists():
        pytest.skip("the seed article is not beside the repository")
    article = SEED_ARTICLE.read_text(encoding="utf-8")
    for claim in reference_rows("claims"):
        for sentence in filter(None, claim["claim_zh"].split("。")):
            assert sentence in article, claim["claim_id"]


def test_claims_are_dated_by_the_article():
    # The article's "yesterday" is the 2025-12-08 H200 announcement: it was published 2025-12-09.
    assert {str(row["as_of"]) for row in reference_rows("claims")} == {"2025-12-09"}
    assert {row["confidence"] for row in reference_rows("claims") + reference_rows("claim_parts")} == {
        "claimed"
    }


# --- the cost model -----------------------------------------------------------------------------


def test_cost_model_values_match_their_sources():
    # Reuters (via Tradingpedia, Techzine, News.Az): Chinese orders of H200 at about USD 27,000 a card.
    h200 = reference_row("cost_assumptions", parameter="chip_price_usd", chip_name="NVIDIA H200 SXM")
    assert (h200["value"], h200["source_kind"], h200["confidence"]) == (27000, "press", "reported")
    # The article (5年起步): service life of five years, an assumption drawn from it.
    assert reference_row("cost_assumptions", parameter="service_life_years")["value"] == 5
    # The article's C10: 128 Ascend 910C cards; the H200 baseline uses the same count.
    scenarios = {row["scenario_id"]: row for row in reference_rows("cluster_scenarios")}
    assert {s["chip_count"] for s in scenarios.values()} == {128}
    assert {s["source_kind"] for s in scenarios.values()} == {"assumption"}
