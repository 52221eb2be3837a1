"""The step durations of the runs in `DAGSTER_HOME` (one build), summed by step: prints JSON.

    python -m bench.steps

A raw asset's step includes its GX raw suite; the `*_expectations` steps are the GX suites of
the staging and mart tables; `dbt_*` steps are the dbt runs they check.
"""

import json
import sys


def step_seconds() -> dict[str, float]:
    from dagster import DagsterInstance

    totals: dict[str, float] = {}
    with DagsterInstance.get() as instance:
        for record in instance.get_run_records():
            for step in instance.get_run_step_stats(record.dagster_run.run_id):
                if step.start_time is not None and step.end_time is not None:
                    totals[step.step_key] = totals.get(step.step_key, 0.0) + step.end_time - step.start_time
    return totals


if __name__ == "__main__":
    print(json.dumps(step_seconds()))
    sys.exit(0)
