"""dbt's command line (`chipwatch-dbt`, what the build's dbt steps run), in a process whose
collector is set for one call (`orchestration.process`)."""

from orchestration.process import collect_for_one_job, skip_collection_at_exit


def main() -> None:
    from dbt.cli.main import cli

    collect_for_one_job()
    try:
        cli()
    finally:
        skip_collection_at_exit()
