"""Synthetic load for the benchmarks: SYNTHETIC data from a fixed seed, never an observation.

Three high-volume domains, each written as a CSV file in the shape its connector reads, streamed
in chunks so memory stays flat whatever the size (one chunk of about 250,000 rows in memory):

**Daily price bars** (`prices.csv`, landed by `ingestion.lander.land`): header
`Date,Ticker,Open,High,Low,Close,Volume,Currency,Dataset`, `Dataset = synthetic` on every row.

- Trading days: Monday to Friday from 2010-01-04, no holidays, `DAYS_PER_TICKER` (2,500, about
  ten years) per ticker. Tickers `SYN000001.SH`, `.SZ`, `.HK`, `.US` in turn (currency CNY, CNY,
  HKD, USD); as many as `rows` needs, the last one cut short, so the file has exactly `rows` rows
  and (date, ticker) is unique.
- Close: a geometric random walk per ticker. Start price lognormal, median 30 (log sd 0.8);
  daily volatility sigma uniform in [0.008, 0.03] per ticker; daily log return
  Normal(0.0002 - sigma^2 / 2, sigma); floored at 0.01.
- Open: the previous close times exp(Normal(0, sigma / 3)) (the first day: the start price).
- High: max(open, close) times exp(|Normal(0, sigma / 2)|); low: min(open, close) times
  exp(-|Normal(0, sigma / 2)|). Prices are written with 4 decimals.
- Volume: an integer, lognormal: per ticker a base of exp(Normal(ln 1e6, 1)), each day times
  exp(Normal(0, 0.5)).

**Card inventories** (`card_inventory.csv`, landed by `ingestion.lander.land` into
`raw.card_inventory`; drop it in `data/inbox/card_inventory/`): one row per accelerator card in a
synthetic data centre, the card-level version of `ingestion.synthetic_datacenters` (same provinces,
sectors and chips). Per data centre: sector and province uniform, state funding Bernoulli by sector,
go-live day uniform over 2022-06-01..2026-06-30, 8 x uniform{64..2,500} cards (servers of 8), one to
two domestic chip types and one foreign (the cards split uniformly between them), a card's status
`active` 0.90, `spare` 0.05, `failed` 0.03, `retired` 0.02, installed on the go-live day plus
uniform{0..180} days. Data centres are generated until `rows` cards; the last one is cut short.

**Procurement records** (`procurement.csv`, landed by `ingestion.lander.land` into
`raw.procurement_lines`; drop it in `data/inbox/procurement/`): one row per purchase-order line.
Data centre uniform over `rows // 50 + 1` synthetic ids; chip uniform over the same chips; order
date uniform over 2022-01-01..2026-06-30; delivery the order date plus Poisson(45) days; units 8 x
Geometric(p=0.1); unit price in USD: per chip a base drawn once uniform in [5,000, 40,000]
(invented, not a list price), each line times exp(Normal(0, 0.15)); currency CNY 0.8, USD 0.2 (CNY
amounts at a fixed 7.1 per USD).

The same seed and size give the same bytes: each ticker, data centre and chunk of order lines
draws from its own generator seeded with (seed, index) (order lines in blocks of 10,000), so the
write chunk size does not change the output.

    python -m bench.synthetic --rows 10m --out /tmp/load [--domains prices,inventory,procurement]
"""

import argparse
import math
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from ingestion.synthetic_datacenters import DOMESTIC_CHIPS

SEED = 20260101
DAYS_PER_TICKER = 2_500
FIRST_DAY = np.datetime64("2010-01-04")
CHUNK_ROWS = 250_000
PROCUREMENT_BLOCK = 10_000  # order lines per generator: fixed, so the bytes do not depend on CHUNK_ROWS
SOURCE_NAME = f"chipwatch bench synthetic generator (bench/synthetic.py, seed {SEED})"
EXCHANGES = (("SH", "CNY"), ("SZ", "CNY"), ("HK", "HKD"), ("US", "USD"))
PRICE_HEADER = ["Date", "Ticker", "Open", "High", "Low", "Close", "Volume", "Currency", "Dataset"]

PROVINCES = ("Guizhou", "Inner Mongolia", "Ningxia", "Gansu", "Beijing", "Shanghai", "Guangdong", "Zhejiang")
SECTORS = {  # sector -> probability that it is state-funded
    "internet": 0.0,
    "telecom operator": 0.5,
    "government": 1.0,
    "finance": 0.3,
    "research": 0.8,
}
FOREIGN_CHIPS = ("NVIDIA A800 SXM 80GB", "NVIDIA H800 SXM5", "NVIDIA H20", "NVIDIA L20", "NVIDIA H200 SXM")
CHIPS = DOMESTIC_CHIPS + FOREIGN_CHIPS
CARD_STATUS = (("active", 0.90), ("spare", 0.05), ("failed", 0.03), ("retired", 0.02))
GO_LIVE_FIRST, GO_LIVE_LAST = np.datetime64("2022-06-01"), np.datetime64("2026-06-30")
ORDER_FIRST, ORDER_LAST = np.datetime64("2022-01-01"), np.datetime64("2026-06-30")
CNY_PER_USD = 7.1


def parse_size(text: str | int) -> int:
    """'1m' -> 1,000,000; '10k' -> 10,000; '2500' -> 2,500."""
    if isinstance(text, int):
        return text
    cleaned = text.strip().lower().replace("_", "").replace(",", "")
    factor = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}.get(cleaned[-1:], 1)
    number = cleaned[:-1] if factor > 1 else cleaned
    value = int(float(number) * factor)
    if value <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return value


def size_label(rows: int) -> str:
    for factor, suffix in ((1_000_000, "m"), (1_000, "k")):
        if rows >= factor and rows % factor == 0:
            return f"{rows // factor}{suffix}"
    return str(rows)


def _rng(seed: int, *index: int) -> np.random.Generator:
    return np.random.default_rng([seed, *index])


def _write_chunks(path: Path, chunks, float_precision: int | None = None) -> int:
    """Write frames one after the other as one CSV (header once); return the row count."""
    rows = 0
    with open(path, "wb") as handle:
        for frame in chunks:
            frame.write_csv(handle, include_header=rows == 0, float_precision=float_precision)
            rows += frame.height
    return rows


# --- prices -----------------------------------------------------------------------------------


def ticker_count(rows: int) -> int:
    return math.ceil(rows / DAYS_PER_TICKER)


def _ticker_bars(seed: int, index: int, days: int) -> dict[str, np.ndarray]:
    rng = _rng(seed, 1, index)
    sigma = rng.uniform(0.008, 0.03)
    start = math.exp(rng.normal(math.log(30.0), 0.8))
    returns = rng.normal(0.0002 - sigma**2 / 2, sigma, days)
    close = np.maximum(start * np.exp(np.cumsum(returns)), 0.01)
    previous = np.concatenate(([start], close[:-1]))
    open_ = np.maximum(previous * np.exp(rng.normal(0.0, sigma / 3, days)), 0.01)
    open_[0] = start
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, sigma / 2, days)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, sigma / 2, days)))
    base = math.exp(rng.normal(math.log(1e6), 1.0))
    volume = np.rint(base * np.exp(rng.normal(0.0, 0.5, days))).astype(np.int64)
    return {"Open": open_, "High": high, "Low": low, "Close": close, "Volume": volume}


def _price_chunks(rows: int, seed: int):
    days = np.busday_offset(FIRST_DAY, np.arange(DAYS_PER_TICKER), roll="forward")
    all_dates = pl.Series("Date", days.astype("datetime64[D]")).cast(pl.Date)
    tickers_per_chunk = max(1, CHUNK_ROWS // DAYS_PER_TICKER)
    written, index = 0, 0
    while written < rows:
        frames = []
        for _ in range(tickers_per_chunk):
            if written >= rows:
                break
            n = min(DAYS_PER_TICKER, rows - written)
            exchange, currency = EXCHANGES[index % len(EXCHANGES)]
            bars = _ticker_bars(seed, index, n)
            frames.append(
                pl.DataFrame(
                    {
                        "Date": all_dates[:n],
                        "Ticker": pl.repeat(f"SYN{index + 1:06d}.{exchange}", n, eager=True),
                        **bars,
                        "Currency": pl.repeat(currency, n, eager=True),
                        "Dataset": pl.repeat("synthetic", n, eager=True),
                    }
                )
            )
            written += n
            index += 1
        yield pl.concat(frames).select(PRICE_HEADER)


def write_prices(path: str | Path, rows: int, seed: int = SEED) -> int:
    """Write `rows` synthetic daily price bars to `path` (CSV); return the row count."""
    return _write_chunks(Path(path), _price_chunks(rows, seed), float_precision=4)


# --- card inventories -------------------------------------------------------------------------


def _datacenter_cards(seed: int, index: int, limit: int) -> pl.DataFrame:
    rng = _rng(seed, 2, index)
    sectors = list(SECTORS)
    sector = sectors[rng.integers(len(sectors))]
    province = PROVINCES[rng.integers(len(PROVINCES))]
    state_funded = bool(rng.random() < SECTORS[sector])
    span = int((GO_LIVE_LAST - GO_LIVE_FIRST).astype(int))
    live = GO_LIVE_FIRST + np.timedelta64(int(rng.integers(0, span + 1)), "D")
    cards = min(8 * int(rng.integers(64, 2_501)), limit)
    domestic = list(rng.choice(DOMESTIC_CHIPS, size=int(rng.integers(1, 3)), replace=False))
    foreign = [FOREIGN_CHIPS[rng.integers(len(FOREIGN_CHIPS))]]
    kinds = np.array(domestic + foreign)
    # Whole servers of 8 cards, each server one chip type.
    server = np.arange(cards) // 8
    server_kind = rng.integers(0, len(kinds), size=server[-1] + 1)
    statuses, weights = zip(*CARD_STATUS, strict=True)
    dc_id = f"SYN-DC-{index + 1:06d}"
    return pl.DataFrame(
        {
            "datacenter_id": pl.repeat(dc_id, cards, eager=True),
            "datacenter_name": pl.repeat(
                f"Synthetic {sector} data centre {index + 1:06d} ({province})", cards, eager=True
            ),
            "province": pl.repeat(province, cards, eager=True),
            "sector": pl.repeat(sector, cards, eager=True),
            "state_funded": pl.repeat(state_funded, cards, eager=True),
            "first_operational_date": pl.repeat(live.astype(date), cards, eager=True),
            "server_id": [f"{dc_id}-S{s:05d}" for s in server],
            "card_serial": [f"{dc_id}-C{c:06d}" for c in range(cards)],
            "chip_name": kinds[server_kind[server]],
            "status": np.array(statuses)[rng.choice(len(statuses), size=cards, p=weights)],
            "installed_on": pl.Series(live + rng.integers(0, 181, size=cards).astype("timedelta64[D]")).cast(
                pl.Date
            ),
            "dataset": pl.repeat("synthetic", cards, eager=True),
            "source_name": pl.repeat(SOURCE_NAME, cards, eager=True),
            "confidence": pl.repeat("claimed", cards, eager=True),
        }
    )


def _inventory_chunks(rows: int, seed: int):
    written, index, frames, pending = 0, 0, [], 0
    while written < rows:
        frame = _datacenter_cards(seed, index, rows - written)
        frames.append(frame)
        written += frame.height
        pending += frame.height
        index += 1
        if pending >= CHUNK_ROWS:
            yield pl.concat(frames)
            frames, pending = [], 0
    if frames:
        yield pl.concat(frames)


def write_card_inventory(path: str | Path, rows: int, seed: int = SEED) -> int:
    """Write `rows` synthetic accelerator cards (one row each) to `path` (CSV)."""
    return _write_chunks(Path(path), _inventory_chunks(rows, seed))


# --- procurement ------------------------------------------------------------------------------


def _procurement_block(
    seed: int, block: int, n: int, base_price: np.ndarray, datacenters: int
) -> pl.DataFrame:
    """Lines block * PROCUREMENT_BLOCK + 1 .. + n, from their own generator."""
    rng = _rng(seed, 4, block)
    first = block * PROCUREMENT_BLOCK
    span = int((ORDER_LAST - ORDER_FIRST).astype(int))
    chip = rng.integers(0, len(CHIPS), size=n)
    ordered = ORDER_FIRST + rng.integers(0, span + 1, size=n).astype("timedelta64[D]")
    delivered = ordered + rng.poisson(45, size=n).astype("timedelta64[D]")
    units = 8 * rng.geometric(0.1, size=n)
    usd = np.round(base_price[chip] * np.exp(rng.normal(0.0, 0.15, size=n)), 2)
    cny = rng.random(n) < 0.8
    unit_price = np.where(cny, np.round(usd * CNY_PER_USD, 2), usd)
    return pl.DataFrame(
        {
            "po_line_id": [f"SYN-PO-{i:010d}" for i in range(first + 1, first + n + 1)],
            "datacenter_id": [f"SYN-DC-{d:06d}" for d in rng.integers(1, datacenters + 1, size=n)],
            "order_date": pl.Series(ordered).cast(pl.Date),
            "delivery_date": pl.Series(delivered).cast(pl.Date),
            "chip_name": np.array(CHIPS)[chip],
            "units": units,
            "unit_price": unit_price,
            "currency": np.where(cny, "CNY", "USD"),
            "amount": np.round(unit_price * units, 2),
            "dataset": pl.repeat("synthetic", n, eager=True),
            "source_name": pl.repeat(SOURCE_NAME, n, eager=True),
            "confidence": pl.repeat("claimed", n, eager=True),
        }
    )


def _procurement_chunks(rows: int, seed: int):
    base_price = _rng(seed, 3).uniform(5_000, 40_000, size=len(CHIPS))
    datacenters = rows // 50 + 1
    frames, pending = [], 0
    for block, first in enumerate(range(0, rows, PROCUREMENT_BLOCK)):
        frame = _procurement_block(seed, block, min(PROCUREMENT_BLOCK, rows - first), base_price, datacenters)
        frames.append(frame)
        pending += frame.height
        if pending >= CHUNK_ROWS:
            yield pl.concat(frames)
            frames, pending = [], 0
    if frames:
        yield pl.concat(frames)


def write_procurement(path: str | Path, rows: int, seed: int = SEED) -> int:
    """Write `rows` synthetic purchase-order lines to `path` (CSV)."""
    return _write_chunks(Path(path), _procurement_chunks(rows, seed))


WRITERS: dict[str, tuple[str, Callable[..., int]]] = {
    "prices": ("prices.csv", write_prices),
    "inventory": ("card_inventory.csv", write_card_inventory),
    "procurement": ("procurement.csv", write_procurement),
}


def generate(out: str | Path, rows: int, domains=tuple(WRITERS), seed: int = SEED) -> dict[str, Path]:
    """Write each domain's file of `rows` rows into `out`; return domain -> path."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for domain in domains:
        name, writer = WRITERS[domain]
        writer(folder / name, rows, seed)
        written[domain] = folder / name
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write synthetic benchmark load (labelled synthetic).")
    parser.add_argument("--rows", default="1m", help="rows per domain: 1000, 1m, 10m, 100m")
    parser.add_argument("--out", required=True, help="folder to write the CSV files into")
    parser.add_argument("--domains", default=",".join(WRITERS), help="comma-separated: " + ", ".join(WRITERS))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    rows = parse_size(args.rows)
    for domain, path in generate(args.out, rows, args.domains.split(","), args.seed).items():
        print(f"{domain}: {rows:,} rows -> {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
