"""The package's outer boundaries: the numpy core stays light, imports point one way, the wheel ships data/."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: The numpy-only packages (STYLE.md): none of their modules may pull in the plotting or widget stack.
CORE = ("core", "anatomy", "model", "teaching")
HEAVY = ("plotly", "ipywidgets", "anywidget")


def _modules() -> set[str]:
    """Every module of the package, dotted below ``facelayers`` (``model.geometry``), packages included."""
    found = {info.name.removeprefix("facelayers.")
             for info in pkgutil.walk_packages([str(REPO / "facelayers")], prefix="facelayers.")}
    return found - {"__main__"}


CORE_MODULES = ["facelayers"] + sorted(f"facelayers.{name}" for name in _modules() if name.split(".")[0] in CORE)


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)


def test_core_modules_do_not_import_plotly_or_widgets():
    """Each core module in turn, in one fresh interpreter: after each import, nothing heavy is loaded (the first
    module that pulls one in is named)."""
    code = textwrap.dedent(
        f"""
        import importlib, json, sys
        found = {{}}
        for module in {CORE_MODULES!r}:
            importlib.import_module(module)
            heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
            if heavy:
                found[module] = heavy
                break
        print(json.dumps(found))
        """
    )
    proc = _run([sys.executable, "-c", code], cwd=REPO)
    assert proc.returncode == 0, f"importing the core failed:\n{proc.stderr}"
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found == {}, f"{found}: keep plotly in facelayers.render, widgets in facelayers.widgets"


def test_import_contracts_hold():
    """The [tool.importlinter] contracts in pyproject.toml (layers, and the forbidden heavy imports)."""
    lint = Path(sys.executable).parent / "lint-imports"
    assert lint.exists(), f"{lint} is missing: pip install -e '.[test]' (import-linter)"
    proc = _run([str(lint)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, f"lint-imports failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"


def test_the_layers_contract_is_named_for_its_list():
    """The contract's name spells its layers in order, so that the name cannot drift from the list."""
    import tomllib

    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    spelled = " -> ".join("/".join(m.strip().removeprefix("facelayers.") for m in layer.split("|"))
                          for layer in layers["layers"])
    assert layers["name"].endswith(spelled), f"name {layers['name']!r} does not end with {spelled!r}"
    listed = {m.strip().removeprefix("facelayers.") for layer in layers["layers"] for m in layer.split("|")}
    outside = sorted(name for name in _modules() if not any(name == p or name.startswith(p + ".") for p in listed))
    assert not outside, f"modules outside the layers contract: {outside}"
    assert len(layers["layers"]) <= 7, f"the layers are coarse (a subpackage each): {layers['layers']}"


def test_the_forbidden_contract_covers_the_numpy_packages():
    """The forbidden contract's sources are exactly the numpy-only packages imported one by one above."""
    import tomllib

    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    (forbidden,) = [c for c in contracts if c["type"] == "forbidden"]
    assert sorted(m.removeprefix("facelayers.") for m in forbidden["source_modules"]) == sorted(CORE)
    assert set(forbidden["forbidden_modules"]) == set(HEAVY)


def test_the_package_is_typed():
    assert (REPO / "facelayers" / "py.typed").is_file()
    assert not (REPO / "facelayers" / "bench.py").exists(), "the benchmark lives in benchmarks/, outside the package"
    assert not list((REPO / "facelayers").rglob("message_meter.py")), "its message meter too (benchmarks/)"


def test_ruff_passes():
    """pyflakes, pycodestyle, import order and the numpydoc docstrings ([tool.ruff] in pyproject.toml)."""
    ruff = Path(sys.executable).parent / "ruff"
    assert ruff.exists(), f"{ruff} is missing: pip install -e '.[test]'"
    proc = _run([str(ruff), "check", "facelayers", "tests", "tools"], cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)]
    )
    assert proc.returncode == 0, f"pip wheel failed:\n{proc.stdout}\n{proc.stderr}"
    (built,) = out.glob("facelayers-*.whl")
    return built


def _repo_data_files() -> list[str]:
    return sorted(
        p.relative_to(REPO / "data").as_posix()
        for p in (REPO / "data").rglob("*")
        if p.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in p.parts)
    )


def test_wheel_ships_the_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "facelayers/data/thickness.csv" in names
    schemas = sorted(n for n in names if n.startswith("facelayers/data/schemas/"))
    assert schemas, "the wheel has no facelayers/data/schemas/*"
    missing = [f for f in _repo_data_files() if f"facelayers/data/{f}" not in names]
    assert not missing, f"data/ files missing from the wheel: {missing}"


def _expected_region_count() -> int:
    return len(json.loads((REPO / "data" / "regions.json").read_text(encoding="utf-8"))["regions"])


def test_installed_wheel_loads_the_anatomy_without_the_repo(wheel, tmp_path):
    target = tmp_path / "site"
    proc = _run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)])
    assert proc.returncode == 0, f"pip install --target failed:\n{proc.stdout}\n{proc.stderr}"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = textwrap.dedent(
        """
        import facelayers
        from facelayers.anatomy.load import load_anatomy
        a = load_anatomy()
        print(facelayers.__file__)
        print(len(a.regions))
        """
    )
    # Only the installed copy and the venv's third-party packages: -S skips site, so an editable install's
    # .pth cannot put the repo back on the path; cwd is a fresh directory, not the checkout.
    paths = sysconfig.get_paths()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(target), paths["purelib"], paths["platlib"]]))
    proc = _run([sys.executable, "-S", "-c", code], cwd=elsewhere, env=env)
    assert proc.returncode == 0, f"load_anatomy() from the installed wheel failed:\n{proc.stderr}"
    module_file, count = proc.stdout.strip().splitlines()[-2:]
    assert Path(module_file).resolve().is_relative_to(target.resolve()), f"imported {module_file}, not the wheel"
    assert int(count) == _expected_region_count()

