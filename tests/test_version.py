"""One version source: package.json; the Python package, its metadata and ``status`` report the same."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import jupyterlab_mlops

ROOT = Path(__file__).resolve().parent.parent


def test_python_version_is_package_json_version():
    expected = json.loads((ROOT / "package.json").read_text())["version"]
    assert jupyterlab_mlops.__version__ == expected, "package.json changed: re-run scripts/setup.sh"
    assert version("jupyterlab_mlops") == expected


def test_both_manifests_declare_the_license_file():
    package = json.loads((ROOT / "package.json").read_text())
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert package["license"] == "BSD-3-Clause" and 'license = "BSD-3-Clause"' in pyproject
    assert (ROOT / "LICENSE").read_text().startswith("BSD 3-Clause License")
