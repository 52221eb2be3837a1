"""Write the hostile-input corpus (tests/corpus/<source>/<case>): `python tests/corpus/make_corpus.py`.

The files are committed; this script says how each was made (the GB18030/GBK files, the BOM,
the PDFs and the huge lines cannot be written by hand). Every case and its expected outcome is
listed in docs/HOSTILE_INPUTS.md and asserted in tests/test_hostile_inputs.py.
"""

import codecs
import csv
import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pdf_fixtures import table_pdf  # noqa: E402

FX_HEADER = "currency,rate_date,usd_per_unit,source_name,source_url,as_of,confidence,note"
FX_ROWS = [
    "CNY,2025-10-01,0.1404,Fed G.5,https://www.federalreserve.gov/releases/g5/,2025-11-03,reported,avg",
    "CNY,2025-11-01,0.1406,Fed G.5,https://www.federalreserve.gov/releases/g5/,2025-12-01,reported,avg",
    "HKD,2025-11-01,0.1285,Fed G.5,https://www.federalreserve.gov/releases/g5/,2025-12-01,reported,avg",
]
CLAIMS_HEADER = (
    "claim_id,topic,claim_zh,claim_en,claimed_value,claimed_unit,"
    "source_kind,source_name,source_url,as_of,confidence"
)
CHIPS_HEADER = (
    "chip_name,vendor,origin,epoch_hardware_name,bf16_tflops,int8_tops,memory_gb,memory_bandwidth_tbps,"
    "tdp_w,die_area_mm2,interconnect_gbps,process_node,released,price_usd,source_kind,source_name,source_url,as_of,"
    "confidence,note"
)
HW_HEADER = (
    "Hardware name,Manufacturer,Release date,Memory size per board (Byte),Memory bandwidth (byte/s),TDP (W)"
)
CLUSTER_HEADER = (
    "Name,Country,Owner,Chip type (primary),Chip quantity (primary),First Operational Date,"
    "Power Capacity (MW)"
)
PRICE_HEADER = "date,ticker,open,high,low,close,volume,currency"


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


def write(path: str, content: str | bytes, encoding: str = "utf-8") -> None:
    target = HERE / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def reference() -> None:
    write("reference/fx_rates_empty.csv", b"")
    write("reference/fx_rates_truncated.csv", lines(FX_HEADER, *FX_ROWS[:2], "HKD,2025-11-01,0.12"))
    write(
        "reference/fx_rates_unclosed_quote.csv",
        lines(FX_HEADER, *FX_ROWS[:2], 'HKD,2025-11-01,0.1285,"Fed G.5'),
    )
    claims = lines(
        CLAIMS_HEADER,
        "C1,share,华为昇腾出货量超过英伟达,Huawei Ascend shipments exceed NVIDIA's,,,"
        "press,新闻报道,,2025-12-01,claimed",
        "C2,capex,字节跳动资本开支3000亿元,ByteDance capex of 300 billion yuan,3000亿,CNY,"
        "press,新闻报道,,2025-12-01,claimed",
    )
    write("reference/claims_gb18030.csv", claims, "gb18030")
    write("reference/claims_gbk.csv", claims, "gbk")
    write("reference/fx_rates_bom.csv", codecs.BOM_UTF8 + lines(FX_HEADER, *FX_ROWS).encode())
    write(
        "reference/fx_rates_semicolon.csv", lines(*(row.replace(",", ";") for row in [FX_HEADER, *FX_ROWS]))
    )
    write("reference/fx_rates_header_missing.csv", lines(*FX_ROWS))
    write("reference/fx_rates_key_renamed.csv", lines(FX_HEADER.replace("usd_per_unit", "rate"), *FX_ROWS))
    write("reference/fx_rates_extra_column.csv", lines(FX_HEADER + ",comment", *(r + ",ok" for r in FX_ROWS)))
    write(
        "reference/fx_rates_wrong_type.csv",
        lines(FX_HEADER, FX_ROWS[0], FX_ROWS[1].replace("0.1406", "seven cents"), FX_ROWS[2]),
    )
    write(
        "reference/fx_rates_chinese_dates.csv",
        lines(
            FX_HEADER,
            FX_ROWS[0].replace("2025-10-01", "2025年10月1日").replace("2025-11-03", "2025年11月3日"),
        ),
    )
    write(
        "reference/fx_rates_future_as_of.csv",
        lines(FX_HEADER, FX_ROWS[0], FX_ROWS[1].replace("2025-12-01", "2099-01-01")),
    )
    write(
        "reference/fx_rates_duplicate_key.csv",
        lines(FX_HEADER, *FX_ROWS, FX_ROWS[1].replace("0.1406", "0.1500")),
    )
    write(
        "reference/fx_rates_negative.csv",
        lines(FX_HEADER, FX_ROWS[0], FX_ROWS[1].replace("0.1406", "-0.1406")),
    )
    write("reference/fx_rates_empty_key.csv", lines(FX_HEADER, FX_ROWS[0], "," + FX_ROWS[1].split(",", 1)[1]))
    write(
        "reference/fx_rates_huge_line.csv",
        lines(FX_HEADER, FX_ROWS[0], FX_ROWS[1].replace("Fed G.5", "x" * 200_000), FX_ROWS[2]),
    )
    write("reference/fx_rates_is_a_pdf.csv", table_pdf([["currency", "rate"], ["CNY", "0.14"]]))
    chip = [
        "NVIDIA H200 SXM",
        "NVIDIA",
        "foreign",
        "NVIDIA H200 SXM",
        "989 TFLOPS",
        "1979",
        "141GB",
        "4.8 TB/s",
        "700W",
        "814 mm²",
        "900 GB/s",
        "4nm",
        "2024-11-18",
        "US$32,000",
        "datasheet",
        "NVIDIA datasheet",
        "https://www.nvidia.com/en-us/data-center/h200/",
        "2025年12月5日",
        "reported",
        "units as written",
    ]
    write("reference/chips_units_in_cells.csv", csv_text([CHIPS_HEADER.split(","), chip]))


def epoch_hardware() -> None:
    ok = "NVIDIA H100 SXM5 80GB,NVIDIA,2022-03-22,80000000000,3350000000000,700"
    write(
        "epoch_ml_hardware/units_in_cells.csv",
        lines(HW_HEADER, ok, "NVIDIA H200 SXM,NVIDIA,2024-11-18,141GB,4.8 TB/s,700W"),
    )
    write("epoch_ml_hardware/key_renamed.csv", lines(HW_HEADER.replace("Hardware name", "Chip"), ok))
    write(
        "epoch_ml_hardware/extra_columns.csv",
        lines(HW_HEADER + ",Cooling,Form factor", ok + ",liquid,SXM5"),
    )
    write(
        "epoch_ml_hardware/wrong_types.csv",
        lines(HW_HEADER, ok, "Ascend 910C,Huawei,sometime 2025,lots,,unknown"),
    )
    write(
        "epoch_ml_hardware/duplicate_keys.csv",
        lines(
            HW_HEADER,
            ok,
            ok,
            "Ascend 910B,Huawei,2023-08-01,64000000000,1600000000000,400",
            "Ascend 910B,Huawei,2023-08-01,64000000000,1800000000000,400",
        ),
    )
    write(
        "epoch_ml_hardware/negative_and_absurd.csv",
        lines(HW_HEADER, ok, "Bad A,Acme,2024-01-01,-80000000000,,", "Bad B,Acme,2024-01-01,,5000 TB/s,"),
    )
    write(
        "epoch_ml_hardware/chinese_date.csv",
        lines(HW_HEADER, "Ascend 950PR,Huawei,2026年3月1日,128GB,1.6 TB/s,"),
    )
    write("epoch_ml_hardware/header_only.csv", lines(HW_HEADER))
    write("epoch_ml_hardware/outside.csv", lines(HW_HEADER, ok))
    link = HERE / "epoch_ml_hardware" / "symlink_outside" / "link.csv"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink("../outside.csv", link)


def epoch_clusters() -> None:
    rows = [
        CLUSTER_HEADER.split(","),
        ["华为云乌兰察布集群", "China", "华为", "Huawei Ascend 910B", "8,000", "2024年6月", "40"],
        ["Cluster B", "United States of America", "Acme", "NVIDIA H100 SXM5", "512", "2024-03-05", "1"],
    ]
    write("epoch_gpu_clusters/gbk_chinese.csv", csv_text(rows), "gbk")
    write("epoch_gpu_clusters/tab_delimited.csv", csv_text(rows, "\t"))
    text = csv_text(rows)
    write("epoch_gpu_clusters/truncated.csv", text + "Cluster C,Japan,Sakura,NVIDIA H1")
    write("epoch_gpu_clusters/key_missing.csv", text.replace("Name,", "Site,", 1))
    write("epoch_gpu_clusters/empty_name.csv", text + ",China,Anon,,100,2025-01-01,\n")
    write(
        "epoch_gpu_clusters/absurd_power.csv",
        text + "Cluster D,France,Mistral,NVIDIA H100 SXM5,100,2025-01-01,5000000\n",
    )


def nvidia() -> None:
    write("nvidia_revenue/empty.pdf", b"")
    write("nvidia_revenue/html_error_page.pdf", b"<html><body>403 Forbidden</body></html>\n")
    real = (
        HERE.parents[1] / "data" / "inbox" / "nvidia_revenue" / "Rev_by_Mkt_Qtrly_Trend_Q126.pdf"
    ).read_bytes()
    write("nvidia_revenue/truncated.pdf", real[:3000])
    write(
        "nvidia_revenue/not_a_revenue_table.pdf",
        table_pdf([["Chip", "TDP (W)", "Memory"], ["H100", "700", "80 GB"], ["H200", "700", "141 GB"]]),
    )
    write(
        "nvidia_revenue/units_and_bad_cells.pdf",
        table_pdf(
            [
                ["", "Q1 FY26", "Q4 FY25"],
                ["Data Center", "$39.1B", "35,580"],
                ["Gaming", "n.m.", "2,544"],
                ["Automotive", "(120)", "570"],
                ["OEM & Other", "9,999,999", "126"],
            ]
        ),
    )


def prices() -> None:
    zh = lines(
        "日期,代码,开盘,最高,最低,收盘,成交量,币种",
        "2025年12月5日,688795.SS,650,700,590,600.50,1.2万,CNY",
        "2025年12月8日,688795.SS,601,620,580,610,98000,CNY",
    )
    write("prices/gb18030_chinese_headers.csv", zh, "gb18030")
    write(
        "prices/bom_semicolon.csv",
        codecs.BOM_UTF8
        + lines(
            "Date;Ticker;Open;High;Low;Close;Volume;Currency", "2025-12-05;0981.HK;70;72;69;71.5;100;HKD"
        ).encode(),
    )
    write(
        "prices/pipe_delimited.csv",
        lines(PRICE_HEADER.replace(",", "|"), "2025-12-05|NVDA|180|185|179|183|1000|USD"),
    )
    good = "2025-12-05,NVDA,180,185,179,183,1000,USD"
    write(
        "prices/bad_and_future_dates.csv",
        lines(
            PRICE_HEADER,
            good,
            "yesterday,NVDA,1,1,1,1,1,USD",
            "2099-01-01,NVDA,1,1,1,1,1,USD",
            "05.12.2025,AMD,1,1,1,1,1,USD",
        ),
    )
    write("prices/negative_close.csv", lines(PRICE_HEADER, good, "2025-12-08,NVDA,180,185,179,-183,1000,USD"))
    write(
        "prices/duplicate_keys.csv",
        lines(
            PRICE_HEADER,
            good,
            good,
            "2025-12-08,NVDA,180,185,179,184,1000,USD",
            "2025-12-08,NVDA,180,185,179,190,1000,USD",
        ),
    )
    write(
        "prices/huge_line.csv",
        lines(PRICE_HEADER, good, "2025-12-08,NVDA,180,185,179,184,1000," + "U" * 70_000),
    )
    write("prices/header_missing.csv", lines(good, "2025-12-08,NVDA,180,185,179,184,1000,USD"))
    write("prices/empty.csv", b"")


if __name__ == "__main__":
    reference()
    epoch_hardware()
    epoch_clusters()
    nvidia()
    prices()
    print(f"corpus written under {HERE}")
