"""The newcomer's path: `make demo` / `make test` use a virtual environment and take a port;
`scripts/test.sh` leaves no state folder (with its password file) behind.

`make -n` prints the commands without running them; test.sh runs with a stand-in PYTHON that
records what it is asked to do, so nothing is installed, started or tested twice here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="needs make")


def make_n(*args: str, virtual_env: str | None = None) -> list[str]:
    # `make test` itself exports PYTHON (and a caller may set the others): start from none
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "MAKEFLAGS", "PYTHON", "VENV", "HOST", "PORT")}
    if virtual_env:
        env["VIRTUAL_ENV"] = virtual_env
    out = subprocess.run(["make", "-n", "-C", str(REPO), "--no-print-directory", *args],
                         env=env, capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def test_make_makes_and_uses_a_virtual_environment_outside_one(tmp_path) -> None:
    venv = tmp_path / "venv"
    lines = make_n("demo", "test", f"VENV={venv}")
    assert lines[0] == f"python3 -m venv --system-site-packages {venv}"
    assert f"{venv}/bin/python -m pip install -q -e '.[test]'" in lines
    assert any(line.startswith(f"{venv}/bin/python -m constellation.cli demo ") for line in lines)
    assert f"PYTHON={venv}/bin/python bash scripts/test.sh" in lines
    # inside an active one: no new environment, its python
    inside = make_n("demo", "test", f"VENV={venv}", virtual_env="/opt/env")
    assert not any("-m venv" in line for line in inside)
    assert "PYTHON=/opt/env/bin/python bash scripts/test.sh" in inside


def test_make_demo_takes_a_port_and_host(tmp_path) -> None:
    lines = make_n("demo", "PORT=8051", "HOST=0.0.0.0", f"VENV={tmp_path / 'venv'}")
    assert lines[-1].endswith("-m constellation.cli demo --host 0.0.0.0 --port 8051")
    assert make_n("demo", f"VENV={tmp_path / 'venv'}")[-1].endswith("--port 8050")


STAND_IN = """#!/usr/bin/env bash
# Records `-m MODULE …` calls; `db start` leaves a password file as the real server does.
echo "$*" >> "$RECORD"
if [ "$2 $3 $4" = "constellation.cli db start" ]; then
  echo secret > "$CONSTELLATION_HOME/root-password"
fi
if [ "$2" = "pytest" ]; then echo "$CONSTELLATION_HOME" > "$HOME_SEEN"; exit "${PYTEST_CODE:-0}"; fi
exit 0
"""


def run_test_sh(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    python = bin_dir / "python-stand-in"
    python.write_text(STAND_IN)
    python.chmod(0o755)
    for tool in ("chromium", "chromedriver"):  # present: nothing to install
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / tool).chmod(0o755)
    run_env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHON": str(python),
               "RECORD": str(tmp_path / "record"), "HOME_SEEN": str(tmp_path / "home-seen"),
               **env}
    run_env.pop("CONSTELLATION_TEST_HOME", None)
    run_env.update(env)
    done = subprocess.run(["bash", str(REPO / "scripts" / "test.sh"), "-q"], env=run_env,
                          capture_output=True, text=True, timeout=120)
    return done, Path((tmp_path / "home-seen").read_text().strip())


def test_test_sh_removes_the_state_folder_it_made(tmp_path) -> None:
    done, home = run_test_sh(tmp_path)
    assert done.returncode == 0, done.stderr
    assert home.name.startswith("constellation-test.")
    assert not home.exists()  # with the password file in it
    calls = (tmp_path / "record").read_text().splitlines()
    assert calls[-2:] == ["-m pytest -q", "-m constellation.cli db stop"]
    # a failing run still cleans up, and keeps pytest's exit code
    done, home = run_test_sh(tmp_path, PYTEST_CODE="3")
    assert done.returncode == 3 and not home.exists()


def test_test_sh_keeps_a_state_folder_it_was_given(tmp_path) -> None:
    given = tmp_path / "given-home"
    given.mkdir()
    done, home = run_test_sh(tmp_path, CONSTELLATION_TEST_HOME=str(given))
    assert done.returncode == 0, done.stderr
    assert home == given and (given / "root-password").exists()
