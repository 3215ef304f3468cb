"""The engine as a package: a wheel that installs with its theme, runtime and starter site,
and a ``broadsheet new`` site that builds and passes ``check`` away from this repository."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the sources (a build writes beside them), installed
    into a folder of its own (the test venv supplies the dependencies)."""
    work = tmp_path_factory.mktemp("package")
    wheel = build_wheel(work)
    subprocess.run([*PIP, "install", "--no-deps", "--target", str(work / "lib"), str(wheel)], check=True)
    return work


PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]


def build_wheel(work: Path) -> Path:
    """The wheel, built from a copy of the sources (a build writes beside them) into ``work/dist``."""
    source = work / "source"
    for name in ("broadsheet", "templates", "static"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    subprocess.run([*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"), str(source)], check=True)
    (wheel,) = (work / "dist").glob("broadsheet-*.whl")
    return wheel


def broadsheet(installed: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed / "lib")}
    return subprocess.run([sys.executable, "-m", "broadsheet", *args], cwd=installed, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_the_wheel_has_the_command_theme_runtime_and_starter(installed: Path) -> None:
    (wheel,) = (installed / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "broadsheet = broadsheet.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    for expected in ("broadsheet/theme/templates/base.html", "broadsheet/theme/static/style.css", "broadsheet/py.typed"):
        assert expected in names
    assert any(re.fullmatch(r"broadsheet/vendor/vega-runtime-.*\.js", n) for n in names)
    assert "broadsheet/starter/charts/yields.py" in names


@pytest.mark.slow
def test_new_makes_a_site_that_builds_and_checks_with_the_installed_engine(installed: Path) -> None:
    made = broadsheet(installed, "new", "mysite")
    assert made.returncode == 0, made.stderr
    where = broadsheet(installed, "new", "mysite")
    assert where.returncode == 1 and "mysite: already exists" in where.stderr and "Traceback" not in where.stderr
    checked = broadsheet(installed, "check", "--root", "mysite")
    assert checked.returncode == 0, checked.stderr
    built = broadsheet(installed, "build", "--root", "mysite")
    assert built.returncode == 0, built.stderr
    public = installed / "mysite" / "public"
    home = (public / "index.html").read_text()
    assert re.search(r'href="/static/style\.[0-9a-f]{10}\.css"', home)  # the packaged theme
    assert list((public / "static").glob("vega-runtime.*.js"))
    assert (public / "embed" / "yield-ranges" / "index.html").is_file()


@pytest.mark.slow
def test_the_engine_imported_is_the_installed_one(installed: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import broadsheet, broadsheet.config as c; print(broadsheet.__file__); print(c.DEFAULT_THEME)"],
        cwd=installed,
        env={**os.environ, "PYTHONPATH": str(installed / "lib")},
        capture_output=True,
        text=True,
        check=True,
    )
    module, theme = probe.stdout.split("\n")[:2]
    assert module.startswith(str(installed / "lib")) and theme == str(installed / "lib" / "broadsheet" / "theme")


def test_the_package_pins_what_requirements_txt_pins() -> None:
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("#")[0].strip().split("==")
            pins[name.lower()] = version
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert declared, "the package declares its dependencies"
    for requirement in declared:
        name, version = requirement.split("==")
        assert pins.get(name.lower()) == version, requirement


def _declared() -> dict[str, str]:
    """The package's dependencies, by normalised distribution name."""
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    return {re.sub(r"[-_.]+", "-", r.split("==")[0]).lower(): r.split("==")[1] for r in declared}


def test_every_library_the_engine_imports_is_a_declared_dependency() -> None:
    """An import the package does not declare works here (the test venv holds everything) and
    fails in a user's fresh environment: vegafusion did, with a 30-line traceback."""
    distributions = importlib.metadata.packages_distributions()
    imported = set()
    for module in (REPO / "broadsheet").rglob("*.py"):
        if "starter" in module.parts:
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            imported |= {name.split(".")[0] for name in names}
    third_party = {name for name in imported if name in distributions and name != "broadsheet"}
    assert {"vegafusion", "altair", "yaml"} <= third_party
    declared = _declared()
    for name in sorted(third_party):
        dists = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions[name]}
        assert dists & declared.keys(), f"broadsheet imports {name} ({', '.join(sorted(dists))}) but pyproject.toml does not declare it"


def test_version_is_the_package_version() -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    for command in ([sys.executable, "build.py", "--version"], [sys.executable, "-m", "broadsheet", "--version"]):
        shown = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
        assert shown.stdout.strip() == f"broadsheet {version}", command


@pytest.mark.slow
def test_the_wheel_installs_builds_and_checks_in_an_empty_environment(tmp_path: Path) -> None:
    """What a new user does: a fresh virtual environment with nothing in it, the wheel
    installed from the package index with its declared dependencies (pip resolves them, as
    it would for the user), then ``new``, ``build`` and ``check`` on the starter."""
    wheel = build_wheel(tmp_path)
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    bin_dir = tmp_path / "venv" / "bin"
    before = subprocess.run([bin_dir / "python", "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, check=True)
    assert {line.split("==")[0] for line in before.stdout.split()} <= {"pip", "setuptools"}, before.stdout
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([bin_dir / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)], check=True, env=env)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(bin_dir / "broadsheet"), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("broadsheet "), version.stderr
    for args in (("new", "story"), ("build", "--root", "story"), ("check", "--root", "story")):
        done = run(*args)
        assert done.returncode == 0, f"broadsheet {' '.join(args)}: {done.stderr}"
        assert "Traceback" not in done.stderr
    assert (tmp_path / "story" / "public" / "embed" / "yield-ranges" / "index.html").is_file()


def test_the_readmes_install_commands_name_what_is_there() -> None:
    """``pip install ./broadsheet`` from inside a clone named the engine's folder, which pip
    refuses: each local path the README's install commands name, read from the repository's
    folder (where the README says to run them), is a project or a requirements file."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Start your own site") :]
    block = section[section.index("```sh") : section.index("```", section.index("```sh") + 5)]
    assert "in the folder of this repository" in block, block
    commands = re.findall(r"pip install ([^#\n]+)", block) + re.findall(r"`pip install ([^`]+)`", section[:2000])
    paths = [arg for command in commands for arg in command.split() if arg.startswith((".", "/")) or arg.endswith(".txt")]
    assert paths, commands
    for path in paths:
        target = REPO / path
        assert (target / "pyproject.toml").is_file() or (target.is_file() and target.suffix == ".txt"), path
