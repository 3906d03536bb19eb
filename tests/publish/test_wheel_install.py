"""A non-editable install carries its own templates, notebook and sample incident."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True,
    )
    (path,) = out.glob("postmortem_kit-*.whl")
    return path


def test_wheel_contains_resources(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in [
        "postmortem_kit/_resources/templates/postmortem/index.html.j2",
        "postmortem_kit/_resources/templates/postmortem/conf.json",
        "postmortem_kit/_resources/notebooks/postmortem.ipynb",
        "postmortem_kit/_resources/sample/INC-2041/postmortem.yaml",
    ]:
        assert required in names, required


def test_installed_copy_finds_resources_outside_the_source_tree(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    code = (
        "import postmortem_kit, postmortem_kit.resources as r;"
        "print(postmortem_kit.__file__);"
        "print(r.resource_path('templates'));"
        "print(r.resource_path('template_notebook'));"
        "print(r.resource_path('sample_incident'))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=run_dir,
        env=env,
        check=True,
    )
    paths = proc.stdout.split()
    assert len(paths) == 4
    for p in paths:
        assert p.startswith(str(target)), f"{p} is not inside the installed copy"
