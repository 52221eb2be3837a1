"""Every figure a curated chip row or observation credits to Epoch AI is one Epoch's CSV states.

The curated rows citing "Epoch AI Machine Learning Hardware" are compared, field by field, with
the 2025-11 edition shipped in data/inbox/epoch_ml_hardware/ (the same file as Epoch's download
of November 2025), read by the project's own connector, which converts Epoch's SI units:
FLOP/s and OP/s / 1e12 -> TFLOPS and TOPS, bytes / 1e9 -> GB, byte/s / 1e12 -> TB/s, intranode
byte/s / 1e9 -> GB/s. A value may be empty (nobody states it, or Epoch's is a known error noted in
the row); a value that is there must be Epoch's, in the column that field maps to.
"""

import math

import pytest
from conftest import PROJECT_ROOT, reference_rows

from ingestion.epoch_hardware import load_epoch_ml_hardware

EPOCH_CSV = PROJECT_ROOT / "data" / "inbox" / "epoch_ml_hardware" / "epoch_ml_hardware_2025-11.csv"
EPOCH_SOURCE = "Epoch AI Machine Learning Hardware"

# curated column -> the Epoch connector's column holding the same quantity in the same unit
NUMERIC_FIELDS = {
    "bf16_tflops": "bf16_tflops",  # Tensor-FP16/BF16 (FLOP/s); see FP16_FALLBACK
    "int8_tops": "int8_tops",
    "memory_gb": "memory_gb",
    "memory_bandwidth_tbps": "memory_bandwidth_tbps",
    "tdp_w": "tdp_w",
    "die_area_mm2": "die_area_mm2",
    "interconnect_gbps": "intranode_bandwidth_gbps",
    "price_usd": "release_price_usd",
}
# The curated column is dense BF16/FP16: where Epoch has no Tensor-FP16/BF16 value, its FP16
# column is the figure, and the row's note must say so.
FP16_FALLBACK = "fp16_tflops"
FP16_NOTE = "FP16 column"


def _epoch() -> dict[str, dict]:
    load = load_epoch_ml_hardware(EPOCH_CSV)
    return {row["hardware_name"]: row for row in load.frame.to_dicts()}


EPOCH = _epoch()
EPOCH_CHIPS = [row for row in reference_rows("chips") if row["source_name"] == EPOCH_SOURCE]


def _same(ours: float, theirs: float | None) -> bool:
    return theirs is not None and math.isclose(ours, theirs, rel_tol=1e-9)


def epoch_mismatches(chip: dict, epoch: dict) -> list[str]:
    """The fields of a curated chip row whose value Epoch's row does not state."""
    wrong = []
    for field, column in NUMERIC_FIELDS.items():
        ours = chip[field]
        if ours is None:
            continue
        if field == "bf16_tflops" and epoch[column] is None:
            if _same(ours, epoch[FP16_FALLBACK]) and FP16_NOTE in (chip["note"] or ""):
                continue
        elif _same(ours, epoch[column]):
            continue
        wrong.append(f"{field}={ours} (Epoch: {epoch[column]})")
    if chip["process_node"] is not None:
        nm = epoch["process_nm"]
        if nm is None or chip["process_node"] != f"{nm:g}nm":
            wrong.append(f"process_node={chip['process_node']} (Epoch: {nm} nm)")
    if chip["released"] is not None:
        released = epoch["release_date"]
        if released is None or not str(released).startswith(chip["released"]):
            wrong.append(f"released={chip['released']} (Epoch: {released})")
    return wrong


def test_the_epoch_cited_rows_are_many_and_all_listed_by_epoch():
    assert len(EPOCH_CHIPS) >= 45
    missing = [c["chip_name"] for c in EPOCH_CHIPS if c["epoch_hardware_name"] not in EPOCH]
    assert missing == []


@pytest.mark.parametrize("chip", EPOCH_CHIPS, ids=lambda chip: chip["chip_name"])
def test_every_value_credited_to_epoch_is_the_one_epoch_states(chip):
    assert epoch_mismatches(chip, EPOCH[chip["epoch_hardware_name"]]) == []


def test_the_comparison_fails_on_the_values_once_written_here():
    # The A800's 2.039 TB/s (Epoch: 2.04), the 910C's 800 TFLOPS (Epoch's TPP 12800 / 16; its FP16
    # column gives 752) and the H20's 814 mm² (Epoch gives no die size for the H20).
    a800 = next(c for c in EPOCH_CHIPS if c["chip_name"] == "NVIDIA A800 SXM 80GB")
    ascend = next(c for c in EPOCH_CHIPS if c["chip_name"] == "Huawei Ascend 910C")
    h20 = next(c for c in EPOCH_CHIPS if c["chip_name"] == "NVIDIA H20")
    assert epoch_mismatches({**a800, "memory_bandwidth_tbps": 2.039}, EPOCH["NVIDIA A800 SXM"])
    assert epoch_mismatches({**ascend, "bf16_tflops": 800.0}, EPOCH["Huawei Ascend 910C"])
    assert epoch_mismatches({**h20, "die_area_mm2": 814.0}, EPOCH["NVIDIA HGX H20"])
    # An FP16-column figure whose note does not say where it comes from is refused too.
    assert epoch_mismatches({**ascend, "note": "from a product page"}, EPOCH["Huawei Ascend 910C"])


def test_reported_epoch_observations_are_figures_epoch_states():
    chips_by_name = {c["chip_name"]: c for c in reference_rows("chips")}
    observations = [
        row
        for row in reference_rows("figure_observations")
        if row["table_name"] == "chips" and row["source_name"] == EPOCH_SOURCE
    ]
    assert observations, "figure_observations holds Epoch observations of chips"
    for row in observations:
        epoch = EPOCH[chips_by_name[row["record_key"]]["epoch_hardware_name"]]
        if row["confidence"] == "reported":
            assert _same(row["value"], epoch[NUMERIC_FIELDS[row["field"]]]), row
        else:
            # a derived figure says how it was computed
            assert row["confidence"] == "derived" and any(op in row["note"] for op in ("/", " x ", "=")), row


def test_derived_epoch_figures_follow_from_epoch_numbers():
    # Ascend 910B and 910C: TPP / 16 (Epoch's TPP is in TOPS x bit length).
    assert EPOCH["Huawei Ascend 910B"]["tpp"] / 16 == 376
    assert EPOCH["Huawei Ascend 910C"]["tpp"] / 16 == 800
    # MetaX MXC500 (OAM): Epoch's 18 TB/s / 10 = 1.8 TB/s.
    assert EPOCH["MetaX MXC500 (OAM)"]["memory_bandwidth_tbps"] / 10 == pytest.approx(1.8)
    # A800 INT8: twice its Tensor BF16, the ratio of the A100 SXM4 80 GB row.
    a100 = EPOCH["NVIDIA A100 SXM4 80 GB"]
    assert a100["int8_tops"] / a100["bf16_tflops"] == 2
    assert 2 * EPOCH["NVIDIA A800 SXM"]["bf16_tflops"] == pytest.approx(623.6)
    # H20 die: the H100 SXM5's GH100 die.
    assert EPOCH["NVIDIA H100 SXM5 80GB"]["die_area_mm2"] == 814
