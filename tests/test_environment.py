"""environment.yml, pyproject.toml and requirements.lock must describe the same environment."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def _direct() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"] + project["optional-dependencies"]["dev"]


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "==" in dep:
            name, version = dep.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def test_every_direct_dependency_is_locked_exactly():
    lock = _lock()
    missing = [_name(d) for d in _direct() if _name(d) not in lock]
    assert not missing, f"not pinned in requirements.lock: {missing} (run `make lock`)"


def test_environment_yml_matches_the_lock():
    lock, conda = _lock(), _conda()
    direct = {_name(d) for d in _direct()}
    assert set(conda) == direct, (
        f"environment.yml lists {sorted(set(conda) - direct)} extra and "
        f"misses {sorted(direct - set(conda))}"
    )
    drift = {n: (v, lock[n]) for n, v in conda.items() if lock.get(n) != v}
    assert not drift, f"environment.yml versions differ from requirements.lock: {drift}"


def test_environment_yml_uses_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]


def test_every_dependency_says_why_it_is_there():
    text = (ROOT / "pyproject.toml").read_text()
    block = text[text.index("dependencies = [") : text.index("[project.scripts]")]
    for line in block.splitlines():
        if re.match(r'\s*"[A-Za-z]', line):
            assert "#" in line and len(line.split("#", 1)[1].strip()) > 10, (
                f"pyproject.toml: say why this dependency is needed: {line.strip()}"
            )
