"""dbt's command line (`chipwatch-dbt`, what the build's dbt steps run), in a process whose
collector is set for one call (`orchestration.process`)."""

from orchestration.process import collect_for_one_job, keep_what_is_loaded


def main() -> None:
    from dbt.cli.main import cli

    collect_for_one_job()
    try:
        cli()
    finally:
        keep_what_is_loaded()
