"""Runs of `make run` (executed in process) show in the Dagster UI's Timeline, not only in Runs."""

from dagster import DagsterInstance, job, op
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster_graphql.test.utils import execute_dagster_graphql

from orchestration.build import WORKSPACE_FILE, runs_with_workspace_origin

# The fields the UI's Timeline reads of each run (a run without repositoryOrigin is left out).
TIMELINE_RUNS = """
{
  runsOrError {
    ... on Runs {
      results { id status startTime endTime repositoryOrigin { repositoryName repositoryLocationName } }
    }
  }
}
"""


@op
def noop():
    return 1


@job
def in_process_job():
    noop()


def test_runs_executed_in_process_carry_the_workspace_code_location_the_timeline_groups_by(tmp_path):
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        plain = in_process_job.execute_in_process(instance=instance).run_id
        with runs_with_workspace_origin(instance):
            built = in_process_job.execute_in_process(instance=instance).run_id
        assert "create_run_for_job" not in vars(instance)

        with WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[str(WORKSPACE_FILE)])) as workspace:
            context = workspace.create_request_context()
            [location] = context.get_code_location_entries()
            assert context.get_code_location_error(location) is None
            result = execute_dagster_graphql(context, TIMELINE_RUNS)
    assert result.errors is None
    runs = {run["id"]: run for run in result.data["runsOrError"]["results"]}
    assert runs[plain]["repositoryOrigin"] is None  # why the Timeline showed no build
    assert runs[built]["repositoryOrigin"] == {
        "repositoryName": "__repository__",
        "repositoryLocationName": location,
    }
    assert runs[built]["status"] == "SUCCESS"
    assert runs[built]["startTime"] and runs[built]["endTime"] >= runs[built]["startTime"]
