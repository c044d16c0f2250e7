"""environment.yml (conda-forge, read by Binder) mirrors pyproject.toml: same packages, same bounds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]

#: PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {
    "playwright": "playwright-python",
    "kaleido": "python-kaleido",
}

#: The extras environment.yml installs, besides [project] dependencies (the layered ones name each other:
#: lessons includes widgets, which includes plot).
EXTRAS = ("plot", "widgets", "lessons", "export", "test", "bench")

# A conda-forge match spec as this file writes them: name, then PEP 440-style clauses ("numpy>=1.26").
_CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*$")


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))


def _pip_section(env: dict) -> list[str]:
    sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, f"environment.yml needs exactly one pip: section, found {len(sections)}"
    return [str(line) for line in sections[0]]


def _conda_specs(env: dict) -> dict[str, SpecifierSet]:
    """Conda-forge name -> specifier, for every conda (not pip) dependency."""
    specs: dict[str, SpecifierSet] = {}
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            continue
        match = _CONDA_SPEC.match(str(entry))
        assert match, f"environment.yml: cannot read dependency {entry!r}"
        name, spec = canonicalize_name(match.group(1)), match.group(2)
        # conda's single "=" means a prefix match (numpy=1.26 is 1.26.*), not PEP 440's "==": keep them out.
        assert not re.match(r"^=[^=]", spec), f"environment.yml: {entry!r} uses conda's '=': write '>=' or '=='"
        assert name not in specs, f"environment.yml lists {name} twice"
        specs[name] = SpecifierSet(spec.replace(" ", ""))
    return specs


def _pyproject_requirements(project: dict) -> dict[str, Requirement]:
    """Canonical PyPI name -> requirement, from [project] dependencies and the mirrored extras."""
    lines = list(project.get("dependencies", []))
    for extra in EXTRAS:
        lines += project["optional-dependencies"][extra]
    reqs: dict[str, Requirement] = {}
    for line in lines:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if name == canonicalize_name(project["name"]):
            continue  # "facelayers[lessons]" inside an extra: the package itself, installed by pip -e .
        assert name not in reqs or reqs[name].specifier == req.specifier, (
            f"pyproject.toml gives {name} twice with different bounds: {reqs[name].specifier} and {req.specifier}"
        )
        reqs[name] = req
    return reqs


def _fmt(spec: SpecifierSet | None) -> str:
    return "(missing)" if spec is None else (str(spec) or "(any version)")


def test_environment_file_is_a_conda_forge_env_named_facelayers():
    env = _environment()
    assert env["name"] == "facelayers"
    assert env["channels"] == ["conda-forge"]
    conda = _conda_specs(env)
    assert "pip" in conda, "environment.yml needs pip to run its pip: section"


def test_environment_installs_the_package_itself_with_pip():
    assert "-e ." in _pip_section(_environment())


def test_every_dependency_has_the_same_bounds_on_both_sides():
    reqs = _pyproject_requirements(_pyproject()["project"])
    env = _environment()
    conda = _conda_specs(env)
    pip_extra = {
        canonicalize_name(Requirement(line).name): Requirement(line).specifier
        for line in _pip_section(env)
        if not line.startswith("-")
    }

    problems = []
    expected_conda_names = set()
    for name, req in sorted(reqs.items()):
        conda_name = canonicalize_name(CONDA_NAMES.get(name, name))
        expected_conda_names.add(conda_name)
        got = conda.get(conda_name, pip_extra.get(name))
        if got != req.specifier:
            problems.append(
                f"{name}: pyproject.toml says {_fmt(req.specifier)}, "
                f"environment.yml ({conda_name}) says {_fmt(got)}"
            )
    for conda_name, spec in sorted(conda.items()):
        if conda_name in expected_conda_names or conda_name in {"python", "pip"}:
            continue
        problems.append(f"{conda_name}: environment.yml says {_fmt(spec)}, pyproject.toml does not list it")
    for name, spec in sorted(pip_extra.items()):
        if name not in reqs:
            problems.append(f"{name}: environment.yml pip: says {_fmt(spec)}, pyproject.toml does not list it")

    assert not problems, "environment.yml and pyproject.toml disagree:\n  " + "\n  ".join(problems)


def test_plotting_does_not_pull_in_jupyterlab_or_voila():
    """The extras are layered: plot (plotly) < widgets (+ ipywidgets, anywidget) < lessons (+ JupyterLab, Voila)."""
    extras = _pyproject()["project"]["optional-dependencies"]

    def names(extra: str) -> set[str]:
        found = set()
        for line in extras[extra]:
            req = Requirement(line)
            if canonicalize_name(req.name) == "facelayers":
                for inner in req.extras:
                    found |= names(inner)
            else:
                found.add(canonicalize_name(req.name))
        return found

    assert names("plot") == {"plotly"}
    assert names("widgets") == {"plotly", "ipywidgets", "anywidget"}
    assert {"jupyterlab", "voila"} <= names("lessons")
    for light in ("plot", "widgets", "export"):
        assert not {"jupyterlab", "voila", "notebook"} & names(light), f"[{light}] pulls in the notebook stack"


def test_the_makefile_venv_installs_what_make_test_needs():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    line = next(text for text in makefile.splitlines() if "pip install" in text and "-e '." in text)
    installed = set(re.search(r"-e '\.\[([a-z,]+)\]'", line).group(1).split(","))
    assert {"lessons", "export", "test"} <= installed, line


def test_python_requirement_agrees():
    requires = SpecifierSet(_pyproject()["project"]["requires-python"])
    conda = _conda_specs(_environment())
    assert "python" in conda, "environment.yml must pin python"
    assert conda["python"] == requires, (
        f"python: pyproject.toml requires-python says {requires}, environment.yml says {_fmt(conda['python'])}"
    )


@pytest.mark.parametrize("pypi_name", sorted(CONDA_NAMES))
def test_conda_name_mapping_is_used(pypi_name):
    """A stale mapping entry (package dropped from pyproject) should go."""
    assert canonicalize_name(pypi_name) in _pyproject_requirements(_pyproject()["project"])
