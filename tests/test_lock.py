"""requirements.lock holds exact versions inside pyproject.toml's and environment.yml's ranges.

pyproject.toml is the source of truth (ranges); ``scripts/lock`` writes the lock
from it and ``scripts/setup`` installs exactly the lock, so a fresh machine next
month gets the versions the tests passed with.  This test fails when someone
changes a range without locking again, locks by hand outside a range, or when
the project's .venv was not set up from the lock.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.markers import Marker
from packaging.version import Version
from test_packaging import (
    CONDA_ONLY,
    _conda_dependency,
    _pypi_dependency,
    environment_dependencies,
    normalise,
    pyproject_dependencies,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
LOCK = PROJECT_DIR / "requirements.lock"
#: Where the lock is meant to be installed (scripts/lock resolves for it).
TARGET = {"python_version": "3.11", "python_full_version": "3.11.0", "sys_platform": "linux",
          "platform_system": "Linux", "os_name": "posix", "implementation_name": "cpython",
          "platform_python_implementation": "CPython", "platform_machine": "x86_64"}
#: Left out of the lock on purpose (scripts/lock says why).
LEFT_OUT = frozenset({"rfc3987-syntax"})

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)\s*(?:;(?P<marker>.*))?$")


@dataclass(frozen=True)
class Pin:
    name: str
    version: Version


def read_lock(text: str) -> tuple[dict[str, Pin], list[str]]:
    """The pins that apply on the target machine, by normalised name, and lines that are not pins."""
    pins: dict[str, Pin] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        if match is None:
            problems.append(f"requirements.lock line {number} is not an exact pin: {line!r}")
            continue
        if match["marker"] and not Marker(match["marker"]).evaluate(TARGET):
            continue
        key = normalise(match["name"])
        if key in pins:
            problems.append(f"requirements.lock pins {key} twice")
        pins[key] = Pin(match["name"], Version(match["version"]))
    return pins, problems


def compare_lock(pyproject: Mapping[str, Any], environment: Mapping[str, Any], lock: str) -> list[str]:
    """Every way the lock disagrees with the two range files, one readable line each."""
    pins, problems = read_lock(lock)
    wanted = [("pyproject.toml", _pypi_dependency(line)) for line in pyproject_dependencies(pyproject)]
    conda, pip = environment_dependencies(environment)
    wanted += [("environment.yml", _conda_dependency(line)) for line in conda]
    wanted += [("environment.yml", _pypi_dependency(line)) for line in pip]
    for where, dep in wanted:
        if dep.key in CONDA_ONLY:
            continue
        pin = pins.get(dep.key)
        if pin is None:
            problems.append(f"{dep.key} ({where}: {dep.text!r}) is not in requirements.lock: run scripts/lock")
        elif not dep.spec.contains(pin.version, prereleases=True):
            problems.append(f"requirements.lock pins {dep.key}=={pin.version}, outside {where}'s "
                            f"{dep.text!r}: run scripts/lock")
    problems += [f"requirements.lock pins {key}, which is left out on purpose (scripts/lock)"
                 for key in sorted(LEFT_OUT & pins.keys())]
    return problems


@pytest.fixture(scope="module")
def files() -> tuple[dict[str, Any], dict[str, Any], str]:
    with (PROJECT_DIR / "pyproject.toml").open("rb") as f:
        pyproject = tomllib.load(f)
    environment = yaml.safe_load((PROJECT_DIR / "environment.yml").read_text(encoding="utf-8"))
    return pyproject, environment, LOCK.read_text(encoding="utf-8")


def test_lock_agrees_with_pyproject_and_environment_yml(files: tuple[dict[str, Any], dict[str, Any], str]) -> None:
    problems = compare_lock(*files)
    assert not problems, "requirements.lock disagrees:\n  " + "\n  ".join(problems)
    pins, _ = read_lock(files[2])
    assert len(pins) > 100, "the lock pins the whole environment, not only the direct dependencies"
    assert "pytest" in pins and "playwright" in pins and "axe-playwright-python" in pins  # the test extra too


def test_lock_says_how_it_was_made() -> None:
    assert LOCK.read_text(encoding="utf-8").splitlines()[1].strip() == "#    scripts/lock"


def test_project_venv_is_installed_from_the_lock() -> None:
    """The .venv scripts/setup made holds exactly the locked versions (a stale one fails here)."""
    if Path(sys.prefix).resolve() != (PROJECT_DIR / ".venv").resolve():
        pytest.skip("not the project's .venv (conda or another environment): nothing installed from the lock")
    pins, _ = read_lock(LOCK.read_text(encoding="utf-8"))
    differ = []
    for key, pin in pins.items():
        try:
            installed = Version(metadata.version(pin.name))
        except metadata.PackageNotFoundError:
            differ.append(f"{key}: not installed (lock {pin.version})")
            continue
        if installed != pin.version:
            differ.append(f"{key}: {installed} installed, lock {pin.version}")
    for key in LEFT_OUT:
        with pytest.raises(metadata.PackageNotFoundError):
            metadata.version(key)
    assert not differ, "run scripts/setup:\n  " + "\n  ".join(differ)


# -- the comparison itself can fail ---------------------------------------------------------
def test_comparison_reports_missing_outside_and_unlocked_lines() -> None:
    pyproject = {"project": {"dependencies": ["pandas>=2.2,<4", "click>=8.1,<9"],
                             "optional-dependencies": {"test": ["pytest>=8,<10"]}}}
    environment = {"dependencies": ["python=3.11", "pandas>=2.2,<3", "click>=8.1,<9", "pytest>=8,<10"]}
    lock = "\n".join([
        "# header",
        "pandas==3.1.0",
        "    # via dime-workbook",
        "click>=8.1",
        "colorama==0.4.6 ; sys_platform == 'win32'",
        "rfc3987-syntax==1.1.0",
    ])
    problems = compare_lock(pyproject, environment, lock)
    assert any("click>=8.1" in p and "not an exact pin" in p for p in problems)
    assert any(p.startswith("click (pyproject.toml") and "not in requirements.lock" in p for p in problems)
    assert any(p.startswith("pytest (pyproject.toml") for p in problems)
    assert any("pandas==3.1.0, outside environment.yml's 'pandas>=2.2,<3'" in p for p in problems)
    assert not any("pandas==3.1.0, outside pyproject" in p for p in problems)
    assert any("rfc3987-syntax" in p and "left out on purpose" in p for p in problems)
    pins, _ = read_lock(lock)
    assert "colorama" not in pins  # a Windows-only pin does not apply on the target machine
