"""Installing and shipping: pins a public index can serve, dependency bounds, the Docker build context."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = Version(version)
    return pins


def _dependencies() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    reqs += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    return {r.name.lower(): r for r in reqs}


def test_constraints_pin_versions_a_public_index_serves() -> None:
    """A local label (`+cpu`) exists only where that wheel was put: elsewhere pip cannot resolve it."""
    local = {name: str(v) for name, v in _pins().items() if v.local}
    assert not local, f"pins with a local version label: {local}"
    assert _pins()["torch"] == Version("2.13.0")


def test_every_dependency_admits_its_pin_and_bm25s_is_bounded() -> None:
    pins, deps = _pins(), _dependencies()
    for name, req in deps.items():
        if name in pins:
            assert req.specifier.contains(pins[name], prereleases=True), (name, str(req.specifier), pins[name])
    bm25s = deps["bm25s"].specifier
    assert any(spec.operator == "<" for spec in bm25s), "bm25s internals are used: bound the next minor version"
    assert not bm25s.contains("0.4.0") and bm25s.contains(pins["bm25s"])


def test_readme_tells_how_to_get_the_cpu_build_of_torch() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"pip install torch==2.13.0 --index-url {CPU_INDEX}" in readme
    assert "pip install -c constraints.txt -e '.[dev]'" in readme and "pip install -c constraints.txt -e ." in readme


def _docker_ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule, enough for these patterns: a path is out if it or a parent matches."""
    def regex(pattern: str) -> re.Pattern[str]:
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern[i] == "*":
                out, i = out + "[^/]*", i + 1
            elif pattern[i] == "?":
                out, i = out + "[^/]", i + 1
            elif pattern[i] == "[":
                end = pattern.index("]", i)
                out, i = out + pattern[i:end + 1], end + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        return re.compile(out)

    compiled = [regex(p.strip("/")) for p in patterns]
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return any(rx.fullmatch(prefix) for rx in compiled for prefix in prefixes)


def test_docker_context_holds_the_sources_and_no_local_state() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    assert not any(p.startswith("!") for p in patterns)  # the simple matcher above has no exceptions
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    shipped = [f for f in tracked if f.split("/")[0] in {"bot", "index", "knowledge", "examples"}]
    shipped += ["pyproject.toml", "constraints.txt", "README.md", "knowledge/data/succession.json"]
    assert [f for f in shipped if _docker_ignored(f, patterns)] == []
    for local in (".venv/bin/python", "data/facts.sqlite", "data/index/current", ".git/HEAD", "tests/test_cli.py",
                  "bot/__pycache__/cli.cpython-311.pyc", ".pytest_cache/v/x", "directive_bot.egg-info/PKG-INFO",
                  "x/facts.sqlite-wal", "han-chot.ics", ".ruff_cache/x", ".hypothesis/examples/x"):
        assert _docker_ignored(local, patterns), local


def test_docker_health_check_is_the_heartbeat_command() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    health = re.search(r"^HEALTHCHECK .*?CMD (.+)$", dockerfile, re.M | re.S)
    assert health and '["directive-bot", "health", "--max-age", "90"]' in health.group(1)
    assert "FactStore" not in dockerfile
