"""Real clients of the serving file, as BI tools bundle them, installed from the registries.

Python duckdb of several versions and the DuckDB CLI (PyPI, `uv pip install --target`), the Node
client `@duckdb/node-api` and Evidence's DuckDB connector (npm), and Superset in a virtual
environment of its own (PyPI, uv), each in its own directory under
`.cache/bi_clients/` (git-ignored), installed once and reused. `.ci/run` installs them before the
tests (`python tests/bi_clients.py`); a test installs what is missing. Outside CI a client that
cannot be installed (no network) makes its test skip with the reason; under `CI=true` it fails.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("CHIPWATCH_BI_CLIENTS", PROJECT_ROOT / ".cache" / "bi_clients"))

# The oldest DuckDB the serving file promises to open in, versions in between, and the pinned one.
PYTHON_DUCKDB_VERSIONS = ("1.0.0", "1.2.2", "1.4.4", duckdb.__version__)
DUCKDB_CLI_VERSION = "1.4.4.post2"
# Evidence's connector asks for `^1.4.2-r.1`, which npm resolves to 1.4.2-r.1 (newer builds are
# prereleases the range does not match): the node client the Evidence recipe runs on.
NODE_PACKAGES = ("@duckdb/node-api@1.4.2-r.1", "@evidence-dev/duckdb@2.0.1")
# Superset's wheel leaves its dependencies open: the newest flask-caching breaks its cache setup,
# and `superset test-db` needs rich and cachetools, which it does not declare.
SUPERSET_REQUIREMENTS = (
    "apache-superset==6.1.0",
    "duckdb-engine==0.17.0",
    "flask-caching==2.3.1",
    "rich",
    "cachetools",
)
INSTALLED = ".installed"


class ClientUnavailable(RuntimeError):
    """A client could not be installed (no network, no npm)."""


def _install(name: str, *commands: list[str]) -> Path:
    """Run `commands` (with `{target}` in them) into `CACHE/name`, once: the marker file written
    last says it is complete (a virtual environment cannot be moved, so it is built in place)."""
    target = CACHE / name
    if (target / INSTALLED).exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    try:
        for command in commands:
            subprocess.run(
                [part.replace("{target}", str(target)) for part in command],
                check=True,
                capture_output=True,
                text=True,
                timeout=900,
            )
    except FileNotFoundError as error:
        raise ClientUnavailable(f"cannot install {name}: {error.filename} is not installed") from error
    except subprocess.CalledProcessError as error:
        raise ClientUnavailable(f"cannot install {name}: {error.stderr.strip()[-800:]}") from error
    (target / INSTALLED).touch()
    return target


UV = shutil.which("uv") or "uv"


def _uv_target(name: str, requirement: str) -> Path:
    return _install(
        name,
        [
            UV,
            "pip",
            "install",
            "-q",
            "--compile-bytecode",
            "--python",
            sys.executable,
            "--target",
            "{target}",
            requirement,
        ],
    )


def python_duckdb(version: str) -> Path:
    return _uv_target(f"python-duckdb-{version}", f"duckdb=={version}")


def duckdb_cli() -> Path:
    installed = _uv_target(f"duckdb-cli-{DUCKDB_CLI_VERSION}", f"duckdb-cli=={DUCKDB_CLI_VERSION}")
    return installed / "bin" / "duckdb"


def node_modules() -> Path:
    name = "npm-" + "_".join(package.lstrip("@").replace("/", "-") for package in NODE_PACKAGES)
    npm = ["npm", "install", "--prefix", "{target}", "--no-audit", "--no-fund", "--loglevel=error"]
    return _install(name, [*npm, *NODE_PACKAGES]) / "node_modules"


def superset() -> Path:
    """Superset in a virtual environment of its own (it brings SQLAlchemy 1.4): its `bin/`."""
    name = f"superset-{SUPERSET_REQUIREMENTS[0].split('==')[1]}-duckdb-{duckdb.__version__}"
    requirements = [*SUPERSET_REQUIREMENTS, f"duckdb=={duckdb.__version__}"]
    venv = _install(
        name,
        [UV, "venv", "-q", "--python", sys.executable, "{target}"],
        [UV, "pip", "install", "-q", "--compile-bytecode", "--python", "{target}/bin/python", *requirements],
    )
    return venv / "bin"


def install_all() -> None:
    for version in PYTHON_DUCKDB_VERSIONS:
        python_duckdb(version)
    duckdb_cli()
    node_modules()
    superset()


def available(install):
    """`install()`, or skip the test saying why (fail instead under CI)."""
    try:
        return install()
    except ClientUnavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{error} (CI must test every client)")
        pytest.skip(str(error))


def run_python(version: str, script: str, *args: str) -> str:
    """Run `script` with Python duckdb `version` (and no other package of the project)."""
    target = available(lambda: python_duckdb(version))
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r})\n{script}", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def run_node(script: str, *args: str) -> str:
    """Run a CommonJS `script` with the cached node packages on its `require` path."""
    modules = available(node_modules)
    result = subprocess.run(
        ["node", "-e", textwrap.dedent(script), "--", *args],
        env={**os.environ, "NODE_PATH": str(modules)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def parse_json(output: str):
    return json.loads(output.strip().splitlines()[-1])


if __name__ == "__main__":
    install_all()
    print(f"BI clients ready in {CACHE}")
