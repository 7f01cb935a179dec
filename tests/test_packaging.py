"""pyproject.toml and environment.yml must describe the same environment.

Every runtime dependency (``[project].dependencies``) and test dependency
(``[project.optional-dependencies].test``) must appear in environment.yml with
the same version range, under its conda-forge name (see ``CONDA_NAMES``), and
environment.yml must not list Python packages that pyproject.toml does not.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYPROJECT = PROJECT_DIR / "pyproject.toml"
ENVIRONMENT = PROJECT_DIR / "environment.yml"

#: PyPI name (normalised) -> conda-forge name, where the two differ.
CONDA_NAMES: Mapping[str, str] = {
    "jupyter-client": "jupyter_client",
    "jupyter-core": "jupyter_core",
    "jupyter-server": "jupyter_server",
    "jupyterlab-widgets": "jupyterlab_widgets",
    "playwright": "playwright-python",
}
#: conda-forge name (normalised) -> PyPI name (normalised).
PYPI_NAMES: Mapping[str, str] = {
    re.sub(r"[-_.]+", "-", conda).lower(): pypi for pypi, conda in CONDA_NAMES.items()
}
#: Entries that only environment.yml has: the interpreter, pip, and the PostgreSQL
#: server the store tests start (apt-get install postgresql outside conda).
CONDA_ONLY = frozenset({"python", "pip", "postgresql"})

SCRIPT = ("workbook", "workbook.cli:main")


def normalise(name: str) -> str:
    """Compare-ready package name: lowercase, ``_``/``.`` as ``-``, extras stripped."""
    return re.sub(r"[-_.]+", "-", name.split("[", 1)[0].strip()).lower()


@dataclass(frozen=True)
class Dependency:
    """One dependency line, from either file."""

    name: str  # as written, without extras
    key: str  # normalised PyPI name: the key both files are matched on
    spec: SpecifierSet
    text: str  # the line as written


def _pypi_dependency(line: str) -> Dependency:
    req = Requirement(line)
    return Dependency(req.name, normalise(req.name), req.specifier, line)


_CONDA_LINE = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9_.\-]*)(?P<extras>\[[^\]]*\])?(?P<version>.*)$"
)
_OPERATORS = ("==", "!=", ">=", "<=", "~=", ">", "<")


def conda_specifier(version: str) -> SpecifierSet:
    """A conda version constraint (``>=2.2,<4``, ``=3.11``, ``1.2.*``) as PEP 440.

    Raises ValueError for conda syntax that has no plain PEP 440 equivalent
    (``|``, build strings, ...).
    """
    version = version.strip()
    if not version:
        return SpecifierSet()
    clauses = []
    for clause in (part.strip() for part in version.split(",")):
        if clause.startswith(_OPERATORS):
            clauses.append(clause)
        elif clause.startswith("="):  # conda: =1.2 means 1.2.*
            clauses.append(f"=={clause[1:].rstrip('.*')}.*")
        elif clause.endswith("*"):  # conda: 1.2.* means 1.2.*
            clauses.append(f"=={clause.rstrip('.*')}.*")
        else:
            clauses.append(f"=={clause}")
    try:
        return SpecifierSet(",".join(clauses))
    except InvalidSpecifier as exc:
        raise ValueError(f"cannot read conda version constraint {version!r}") from exc


def _conda_dependency(line: str) -> Dependency:
    match = _CONDA_LINE.match(line)
    if match is None or match["extras"]:
        raise ValueError(f"cannot read conda dependency {line!r} (conda has no [extras])")
    name = match["name"]
    key = normalise(name)
    return Dependency(name, PYPI_NAMES.get(key, key), conda_specifier(match["version"]), line)


def _version_text(line: str) -> str:
    """The version part of a PEP 508 line, as written (``>=2.2,<4``)."""
    req = Requirement(line)
    text = line.split(";", 1)[0]
    text = text[text.index(req.name) + len(req.name) :]
    return re.sub(r"^\s*\[[^\]]*\]", "", text).strip()


def pyproject_dependencies(pyproject: Mapping[str, Any]) -> list[str]:
    project = pyproject.get("project", {})
    test = project.get("optional-dependencies", {}).get("test", [])
    return [*project.get("dependencies", []), *test]


def environment_dependencies(environment: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(conda lines, pip lines) of environment.yml; pip options such as ``-e .`` are left out."""
    conda: list[str] = []
    pip: list[str] = []
    for entry in environment.get("dependencies") or []:
        if isinstance(entry, Mapping):
            pip.extend(str(p) for p in entry.get("pip", []) if not str(p).startswith("-"))
        else:
            conda.append(str(entry))
    return conda, pip


def _index(deps: Iterable[Dependency], where: str, problems: list[str]) -> dict[str, Dependency]:
    index: dict[str, Dependency] = {}
    for dep in deps:
        if dep.key in index:
            problems.append(
                f"{where}: {dep.key} listed twice ({index[dep.key].text!r}, {dep.text!r})"
            )
        index[dep.key] = dep
    return index


def compare_dependencies(pyproject: Mapping[str, Any], environment: Mapping[str, Any]) -> list[str]:
    """Every way the two documents disagree, one readable line each ([] = in step)."""
    problems: list[str] = []
    wanted = _index(
        (_pypi_dependency(line) for line in pyproject_dependencies(pyproject)),
        "pyproject.toml",
        problems,
    )
    conda_lines, pip_lines = environment_dependencies(environment)
    parsed: list[Dependency] = []
    for line in conda_lines:
        try:
            parsed.append(_conda_dependency(line))
        except ValueError as exc:
            problems.append(f"environment.yml: {exc}")
    parsed.extend(_pypi_dependency(line) for line in pip_lines)
    pip_keys = {normalise(Requirement(line).name) for line in pip_lines}
    have = _index(parsed, "environment.yml", problems)

    for key, want in wanted.items():
        conda_name = CONDA_NAMES.get(key, key)
        version = _version_text(want.text)
        got = have.get(key)
        if got is None:
            problems.append(
                f"missing from environment.yml: {want.text!r} (add '- {conda_name}{version}')"
            )
            continue
        if key not in pip_keys and got.name.lower() != conda_name:
            problems.append(
                f"{key}: environment.yml calls it {got.name!r}, conda-forge's name is "
                f"{conda_name!r} (CONDA_NAMES in tests/test_packaging.py)"
            )
        if got.spec != want.spec:
            problems.append(
                f"{key}: version range differs - pyproject.toml {want.text!r}, "
                f"environment.yml {got.text!r} (want '{conda_name}{version}')"
            )
    for key, got in have.items():
        if key not in wanted and key not in CONDA_ONLY:
            problems.append(
                f"environment.yml lists {got.text!r}, which pyproject.toml does not "
                "(add it there, or to CONDA_ONLY in tests/test_packaging.py)"
            )
    return problems


def allows_exactly_python_311(spec: SpecifierSet) -> bool:
    inside = ("3.11.0", "3.11.7", "3.11.99")
    outside = ("3.10.14", "3.12.0", "3.13.1", "4.0")
    return all(spec.contains(v) for v in inside) and not any(spec.contains(v) for v in outside)


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    with PYPROJECT.open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def environment() -> dict[str, Any]:
    data = yaml.safe_load(ENVIRONMENT.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "environment.yml is not a mapping"
    return data


# -- the real files -----------------------------------------------------------------------


def test_environment_yml_matches_pyproject(
    pyproject: dict[str, Any], environment: dict[str, Any]
) -> None:
    assert pyproject_dependencies(pyproject), "pyproject.toml lists no dependencies?"
    problems = compare_dependencies(pyproject, environment)
    assert not problems, "pyproject.toml and environment.yml disagree:\n  " + "\n  ".join(problems)


def test_environment_yml_header(environment: dict[str, Any]) -> None:
    assert environment.get("name") == "dime-workbook"
    assert environment.get("channels") == ["conda-forge"]
    conda, _ = environment_dependencies(environment)
    assert "pip" in conda


def test_python_is_311_on_both_sides(
    pyproject: dict[str, Any], environment: dict[str, Any]
) -> None:
    requires = pyproject["project"]["requires-python"]
    assert allows_exactly_python_311(SpecifierSet(requires)), requires
    conda, _ = environment_dependencies(environment)
    pythons = [dep for dep in map(_conda_dependency, conda) if dep.key == "python"]
    assert len(pythons) == 1, f"environment.yml needs exactly one python entry, has {pythons}"
    assert allows_exactly_python_311(pythons[0].spec), pythons[0].text


def test_console_script(pyproject: dict[str, Any]) -> None:
    name, target = SCRIPT
    assert pyproject["project"].get("scripts", {}).get(name) == target
    # The installed metadata (pip install -e .) agrees, i.e. the install is not stale.
    installed = metadata.entry_points(group="console_scripts", name=name)
    assert [ep.value for ep in installed] == [target]


# -- the comparison itself can fail ---------------------------------------------------------


def test_comparison_reports_every_kind_of_mismatch() -> None:
    pyproject = {
        "project": {
            "dependencies": [
                "pandas>=2.2,<4",
                "jupyter-server>=2.14,<3",
                "psycopg[binary]>=3.2,<4",
                "click>=8.1,<9",
            ],
            "optional-dependencies": {"test": ["pytest>=8,<10", "playwright>=1.45,<2"]},
        }
    }
    environment = {
        "dependencies": [
            "python=3.11",
            "pip",
            "pandas>=2.2,<3",  # range differs
            "jupyter-server>=2.14,<3",  # PyPI spelling, conda-forge says jupyter_server
            "psycopg>=3.2,<4",  # fine: extras stripped
            "playwright-python>=1.45,<2",  # fine: mapped name
            "tqdm>=4.66,<5",  # not in pyproject
            # click and pytest missing
        ]
    }
    problems = compare_dependencies(pyproject, environment)
    report = "\n".join(problems)
    assert len(problems) == 5, report
    assert "pandas: version range differs" in report
    assert "'pandas>=2.2,<3'" in report and "want 'pandas>=2.2,<4'" in report
    assert "conda-forge's name is 'jupyter_server'" in report
    assert "missing from environment.yml: 'click>=8.1,<9' (add '- click>=8.1,<9')" in report
    assert "missing from environment.yml: 'pytest>=8,<10'" in report
    assert "environment.yml lists 'tqdm>=4.66,<5'" in report
    assert "psycopg" not in report and "playwright" not in report


def test_comparison_accepts_equivalent_spellings() -> None:
    pyproject = {"project": {"dependencies": ["PyYAML>=6.0,<7", "Jupyterlab_Widgets>=3.0.13,<3.1"]}}
    environment = {
        "dependencies": [
            "pyyaml <7, >=6",
            "jupyterlab_widgets>=3.0.13,<3.1",
            {"pip": ["-e ."]},
        ]
    }
    assert compare_dependencies(pyproject, environment) == []


def test_comparison_reads_pip_section_with_pypi_names() -> None:
    pyproject = {"project": {"dependencies": ["jupyter-server>=2.14,<3"]}}
    ok = {"dependencies": [{"pip": ["jupyter-server>=2.14,<3"]}]}
    bad = {"dependencies": [{"pip": ["jupyter-server>=2.14"]}]}
    assert compare_dependencies(pyproject, ok) == []
    assert compare_dependencies(pyproject, bad) == [
        "jupyter-server: version range differs - pyproject.toml 'jupyter-server>=2.14,<3', "
        "environment.yml 'jupyter-server>=2.14' (want 'jupyter_server>=2.14,<3')"
    ]


@pytest.mark.parametrize(
    ("conda", "pep440"),
    [
        (">=2.2,<4", ">=2.2,<4"),
        ("=3.11", "==3.11.*"),
        ("3.11.*", "==3.11.*"),
        ("==1.2.3", "==1.2.3"),
        ("", ""),
    ],
)
def test_conda_specifier(conda: str, pep440: str) -> None:
    assert conda_specifier(conda) == SpecifierSet(pep440)


def test_conda_specifier_rejects_conda_only_syntax() -> None:
    with pytest.raises(ValueError, match="cannot read"):
        conda_specifier("1.2|1.4")
    assert compare_dependencies({"project": {}}, {"dependencies": ["numpy[blas]"]}) == [
        "environment.yml: cannot read conda dependency 'numpy[blas]' (conda has no [extras])"
    ]


def test_python_311_check_can_fail() -> None:
    assert allows_exactly_python_311(conda_specifier("=3.11"))
    assert not allows_exactly_python_311(conda_specifier(">=3.11"))
    assert not allows_exactly_python_311(SpecifierSet(">=3.10,<3.12"))


# -- what the wheel holds -----------------------------------------------------------------


def test_the_package_is_marked_typed_and_holds_no_developer_tools(pyproject: dict[str, Any]) -> None:
    """py.typed tells mypy users the package's annotations are meant (PEP 561); the refresh
    and sample tools live in devtools/, which the wheel leaves out."""
    package = PROJECT_DIR / "workbook"
    assert (package / "py.typed").is_file()
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["workbook"]
    assert (PROJECT_DIR / "devtools" / "refresh_report.py").is_file()
    assert not (package / "report" / "refresh.py").exists() and not (package / "report" / "sample.py").exists()
    importers = [str(path.relative_to(PROJECT_DIR)) for path in package.rglob("*.py")
                 if re.search(r"^\s*(from|import) devtools\b", path.read_text(encoding="utf-8"), re.M)]
    assert importers == [], "the installed package cannot import devtools/"


@pytest.mark.slow
def test_the_wheel_ships_the_notebooks_without_their_stored_outputs(tmp_path: Path) -> None:
    """The repo's notebooks keep their outputs for nbval; the wheel's copies (which `workbook report`
    and `workbook serve` run afresh) have none, and the same cells otherwise."""
    import json
    import subprocess
    import sys
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(PROJECT_DIR)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {Path(name).name: json.loads(archive.read(name)) for name in archive.namelist()
                   if name.startswith("workbook/_bundled/notebooks/") and name.endswith(".ipynb")}
    in_repo = {path.name: json.loads(path.read_text(encoding="utf-8"))
               for path in (PROJECT_DIR / "notebooks").glob("*.ipynb")}
    assert set(shipped) == set(in_repo) and "organisation_report.ipynb" in shipped

    def outputs(notebook: dict[str, Any]) -> int:
        return sum(len(cell.get("outputs", [])) for cell in notebook["cells"])

    assert outputs(in_repo["organisation_report.ipynb"]) > 0  # nbval's reference stays in the repository
    for name, notebook in shipped.items():
        assert outputs(notebook) == 0, name
        assert all(cell.get("execution_count") is None for cell in notebook["cells"]), name
        assert [c["source"] for c in notebook["cells"]] == [c["source"] for c in in_repo[name]["cells"]], name
        assert notebook["metadata"] == in_repo[name]["metadata"], name
