"""A synthetic set of Chinese AI data centres and their accelerator cards, from a fixed seed.

Epoch AI's China clusters are anonymised (no chip type), so the domestic-chip compliance mart
would have no decidable rows without this set. Every row is labelled `dataset = 'synthetic'`
and `confidence = 'claimed'`: it is invention for illustration, never an observation.
"""

import random
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from ingestion.quarantine import Load

SEED = 20251209
COUNT = 40
AS_OF = date(2026, 1, 31)
SOURCE_NAME = f"chipwatch synthetic generator (ingestion/synthetic_datacenters.py, seed {SEED})"
NOTE = "Synthetic: generated from a fixed seed to exercise the compliance mart; not an observed data centre"

PROVINCES = ("Guizhou", "Inner Mongolia", "Ningxia", "Gansu", "Beijing", "Shanghai", "Guangdong", "Zhejiang")
# sector -> (probability that it is state-funded, range of the domestic share of its cards)
SECTORS = {
    "internet": (0.0, (0.0, 0.6)),
    "telecom operator": (0.5, (0.2, 0.9)),
    "government": (1.0, (0.4, 1.0)),
    "finance": (0.3, (0.3, 1.0)),
    "research": (0.8, (0.3, 1.0)),
}
DOMESTIC_CHIPS = (
    "Huawei Ascend 910B",
    "Huawei Ascend 910C",
    "Cambricon MLU590",
    "Hygon K100",
    "MetaX MXC500 OAM",
    "Moore Threads MTT S4000",
    "Iluvatar BI-V150",
    "Enflame T21",
)
# Foreign cards a Chinese buyer could lawfully get, by the date the data centre went live.
FOREIGN_CHIPS_BY_PERIOD = (
    (date(2022, 1, 1), ("NVIDIA A800 SXM 80GB", "NVIDIA H800 SXM5")),
    (date(2023, 11, 17), ("NVIDIA H20", "NVIDIA L20")),
    (date(2025, 12, 8), ("NVIDIA H20", "NVIDIA H200 SXM")),
)

COLUMNS = {
    "datacenter_id": pl.String,
    "datacenter_name": pl.String,
    "province": pl.String,
    "sector": pl.String,
    "state_funded": pl.Boolean,
    "status": pl.String,
    "first_operational_date": pl.Date,
    "chip_name": pl.String,
    "cards": pl.Int64,
    "dataset": pl.String,
    "source_name": pl.String,
    "source_url": pl.String,
    "as_of": pl.Date,
    "confidence": pl.String,
    "note": pl.String,
}


def _foreign_chips(live: date) -> tuple[str, ...]:
    return [chips for start, chips in FOREIGN_CHIPS_BY_PERIOD if live >= start][-1]


def generate_synthetic_datacenters(seed: int = SEED, count: int = COUNT) -> pl.DataFrame:
    """One row per synthetic data centre and card type; the same seed gives the same frame."""
    rng = random.Random(seed)
    rows = []
    first_day, span_days = date(2022, 6, 1), (date(2026, 6, 30) - date(2022, 6, 1)).days
    for index in range(1, count + 1):
        sector = rng.choice(list(SECTORS))
        state_probability, (low, high) = SECTORS[sector]
        province = rng.choice(PROVINCES)
        state_funded = rng.random() < state_probability
        live = first_day + timedelta(days=rng.randrange(span_days))
        total = rng.randrange(64, 2_500) * 8
        domestic = round(total * rng.uniform(low, high) / 8) * 8
        cards = dict.fromkeys(rng.sample(DOMESTIC_CHIPS, rng.randint(1, 2)), 0)
        _split(rng, cards, domestic)
        foreign = dict.fromkeys(rng.sample(_foreign_chips(live), 1), 0)
        _split(rng, foreign, total - domestic)
        for chip_name, quantity in {**cards, **foreign}.items():
            if quantity <= 0:
                continue
            rows.append(
                {
                    "datacenter_id": f"SYN-{index:03d}",
                    "datacenter_name": f"Synthetic {sector} data centre {index:03d} ({province})",
                    "province": province,
                    "sector": sector,
                    "state_funded": state_funded,
                    "status": "Existing" if live <= AS_OF else "Planned",
                    "first_operational_date": live,
                    "chip_name": chip_name,
                    "cards": quantity,
                    "dataset": "synthetic",
                    "source_name": SOURCE_NAME,
                    "source_url": None,
                    "as_of": AS_OF,
                    "confidence": "claimed",
                    "note": NOTE,
                }
            )
    return pl.DataFrame(rows, schema=COLUMNS, orient="row")


def load_synthetic_datacenters(path: Path) -> Load:
    """The generated frame as the load of its source, `path` being this module."""
    return Load.of_frame(generate_synthetic_datacenters(), (path.name,))


def _split(rng: random.Random, buckets: dict[str, int], total: int) -> None:
    """Share `total` cards (a multiple of 8) over the buckets, in whole servers of 8."""
    names = list(buckets)
    servers = total // 8
    for name in names[:-1]:
        taken = rng.randint(0, servers)
        buckets[name] = taken * 8
        servers -= taken
    buckets[names[-1]] = servers * 8
