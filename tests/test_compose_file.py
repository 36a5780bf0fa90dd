"""docker-compose.yml: two bot front ends on one PostgreSQL store, behind one webhook proxy.

Why here: Docker is not on every machine that runs the tests, and a compose file nobody starts rots
silently (a renamed variable, a volume two services share by mistake). The file is parsed and held
against what the code reads from the environment (every BOT_* and TELEGRAM_* name it sets must be one
bot/config.py or knowledge/config.py reads) and against deploy/nginx.conf, the proxy that gives both
front ends the one webhook URL Telegram allows per bot.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
FRONTS = ("front-a", "front-b")
SOURCE_DIRS = ("bot", "knowledge", "index")
ENV_NAME = re.compile(r"^(BOT|TELEGRAM)_[A-Z0-9_]+$")
# Compose interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}.
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def interpolate(value: Any, environ: dict[str, str]) -> str:
    """`value` as `docker compose config` would read it with `environ` set (defaults where unset)."""
    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        have = environ.get(name)
        if op.startswith(":") and not have or have is None:
            if op.endswith("?"):
                raise AssertionError(f"${{{name}}} is required: {arg}")
            return arg if op.endswith("-") else ""
        return have

    return INTERPOLATION.sub(one, str(value))


def env_of(service: dict[str, Any], environ: dict[str, str] | None = None) -> dict[str, str]:
    """A service's environment (mapping or KEY=value list form), interpolated."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {key: interpolate(value, environ or {}) for key, value in raw.items()}


def named_volumes(service: dict[str, Any]) -> dict[str, str]:
    """Container path → named volume (bind mounts, which start with . or /, are left out)."""
    out = {}
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            source, target = entry.get("source", ""), entry["target"]
        else:
            source, target = entry.split(":")[:2]
        if source and not source.startswith((".", "/", "~")):
            out[target] = source
    return out


def _reads_environ(call: ast.Call) -> bool:
    """os.environ.get(…), os.getenv(…), environ.get(…)."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "get":
        owner = func.value
        return (isinstance(owner, ast.Attribute) and owner.attr == "environ") or (
            isinstance(owner, ast.Name) and owner.id == "environ")
    return isinstance(func, ast.Attribute) and func.attr == "getenv"


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _python_files() -> Iterator[Path]:
    for folder in SOURCE_DIRS:
        yield from sorted((ROOT / folder).rglob("*.py"))


def environment_names_read() -> set[str]:
    """Every variable name the code reads from the environment: string literals passed to
    os.environ.get / os.getenv / os.environ[…], or to a helper that passes its first parameter on to
    them (env_int, env_float, _clock, _flag, … found, not listed)."""
    trees = [ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in _python_files()]
    helpers: set[str] = set()
    for tree in trees:
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or not fn.args.args:
                continue
            first = fn.args.args[0].arg
            for node in ast.walk(fn):
                if (isinstance(node, ast.Call) and _reads_environ(node) and node.args
                        and isinstance(node.args[0], ast.Name) and node.args[0].id == first):
                    helpers.add(fn.name)
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            arg: ast.AST | None = None
            if isinstance(node, ast.Call) and node.args and (_reads_environ(node) or _called_name(node) in helpers):
                arg = node.args[0]
            elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
                  and node.value.attr == "environ"):
                arg = node.slice
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
    return names


def test_the_scanner_finds_the_variables_it_must() -> None:
    """The check below is only as good as this scan: it must see direct reads and the helpers'."""
    names = environment_names_read()
    assert {"BOT_DATABASE_URL", "BOT_DATA_DIR", "BOT_INSTANCE", "BOT_SYNC_SECONDS", "BOT_ADMIN_IDS",
            "TELEGRAM_BOT_TOKEN", "BOT_WEBHOOK_URL"} <= names  # os.environ.get
    assert {"BOT_WEBHOOK_PORT", "BOT_REMINDER_TIME", "BOT_REMIND_UNREVIEWED", "BOT_MAX_FILE_MB"} <= names  # helpers


def test_every_bot_variable_is_one_the_code_reads(compose: dict[str, Any]) -> None:
    read = environment_names_read()
    text = COMPOSE.read_text(encoding="utf-8")
    set_names = {name for service in compose["services"].values() for name in (service.get("environment") or {})}
    interpolated = {m.group(1) for m in INTERPOLATION.finditer(text)}
    ours = {name for name in set_names | interpolated if ENV_NAME.match(name)}
    assert ours, "the compose file sets no BOT_* variable at all"
    unknown = sorted(ours - read)
    assert not unknown, f"docker-compose.yml uses variables no code reads: {unknown}"


def test_db_is_postgres_15_with_a_volume_and_a_health_check(compose: dict[str, Any]) -> None:
    db = compose["services"]["db"]
    assert str(db["image"]).split(":")[0] == "postgres" and str(db["image"]).split(":")[1].startswith("15")
    test = db["healthcheck"]["test"]
    assert "pg_isready" in (test if isinstance(test, str) else " ".join(test))
    (volume,) = named_volumes(db).values()
    assert volume in compose["volumes"]
    raw_password = (db.get("environment") or {})["POSTGRES_PASSWORD"]
    assert "${POSTGRES_PASSWORD" in str(raw_password), "the password comes from the environment"
    assert env_of(db)["POSTGRES_PASSWORD"], "with a default for a local trial"
    assert env_of(db, {"POSTGRES_PASSWORD": "s3cret"})["POSTGRES_PASSWORD"] == "s3cret"


@pytest.mark.parametrize("environ", [{}, {"POSTGRES_PASSWORD": "s3cret"}], ids=["defaults", "password-set"])
def test_front_ends_share_one_database(compose: dict[str, Any], environ: dict[str, str]) -> None:
    services = compose["services"]
    db_env = env_of(services["db"], environ)
    urls = {env_of(services[name], environ)["BOT_DATABASE_URL"] for name in FRONTS}
    assert len(urls) == 1, urls
    url = urlsplit(urls.pop())
    assert url.scheme in ("postgresql", "postgres") and url.hostname == "db"
    assert url.username == db_env.get("POSTGRES_USER", "postgres")
    assert url.password == db_env["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == db_env.get("POSTGRES_DB", url.username)
    assert url.port in (None, 5432)


def test_front_ends_are_two_instances_with_their_own_data(compose: dict[str, Any]) -> None:
    services = compose["services"]
    instances, data_volumes = set(), set()
    for name in FRONTS:
        front = services[name]
        env = env_of(front)
        assert env["BOT_INSTANCE"] == name
        instances.add(env["BOT_INSTANCE"])
        assert env["BOT_DATA_DIR"] == "/data"
        volume = named_volumes(front)["/data"]
        assert volume in compose["volumes"]
        data_volumes.add(volume)
        assert front["depends_on"]["db"]["condition"] == "service_healthy"
        build = front["build"]
        context = build if isinstance(build, str) else build.get("context", ".")
        dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        assert (ROOT / context / dockerfile).is_file()
    assert len(instances) == len(FRONTS) and len(data_volumes) == len(FRONTS)
    assert not data_volumes & set(named_volumes(services["db"]).values())


def test_front_ends_serve_one_webhook(compose: dict[str, Any]) -> None:
    """Telegram keeps one webhook URL per token: both register the same one and serve its path on the
    same port; token and admins come from the environment, never from the file."""
    services = compose["services"]
    envs = [env_of(services[name]) for name in FRONTS]
    raw = [services[name]["environment"] for name in FRONTS]
    for env, source in zip(envs, raw, strict=True):
        assert urlsplit(env["BOT_WEBHOOK_URL"]).scheme == "https"
        assert str(source["TELEGRAM_BOT_TOKEN"]).startswith("${TELEGRAM_BOT_TOKEN")
        assert str(source["BOT_ADMIN_IDS"]).startswith("${BOT_ADMIN_IDS")
        assert str(source["BOT_WEBHOOK_URL"]).startswith("${BOT_WEBHOOK_URL")
    assert len({env["BOT_WEBHOOK_URL"] for env in envs}) == 1
    assert len({env["BOT_WEBHOOK_PORT"] for env in envs}) == 1
    assert env_of(services["front-a"], {"BOT_WEBHOOK_URL": "https://x.vn/hook"})["BOT_WEBHOOK_URL"] == "https://x.vn/hook"


def test_proxy_balances_the_webhook_over_both_front_ends(compose: dict[str, Any]) -> None:
    services = compose["services"]
    proxy = services["proxy"]
    assert str(proxy["image"]).startswith("nginx")
    mounts = [str(v).split(":") for v in proxy["volumes"]]
    (conf_mount,) = [m for m in mounts if m[0].endswith("nginx.conf")]
    conf_path = ROOT / conf_mount[0]
    assert conf_path.is_file() and conf_path.relative_to(ROOT).parts[0] == "deploy"
    assert conf_mount[1].startswith("/etc/nginx/")
    assert proxy.get("ports"), "the proxy is what the HTTPS terminator forwards to"
    conf = re.sub(r"#[^\n]*", "", conf_path.read_text(encoding="utf-8"))
    port = env_of(services["front-a"])["BOT_WEBHOOK_PORT"]
    upstreams = dict(re.findall(r"upstream\s+(\S+)\s*\{([^}]*)\}", conf))
    assert len(upstreams) == 1, upstreams
    (name, body), = upstreams.items()
    servers = re.findall(r"^\s*server\s+([\w.-]+):(\d+)", body, re.MULTILINE)
    assert sorted(servers) == sorted((front, port) for front in FRONTS)
    assert re.search(rf"proxy_pass\s+http://{re.escape(name)}\s*;", conf)
    assert set(proxy.get("depends_on") or []) >= set(FRONTS)


def test_one_shot_ingest_stores_into_the_shared_database(compose: dict[str, Any]) -> None:
    services = compose["services"]
    ingest = services["ingest"]
    command = ingest["command"] if isinstance(ingest["command"], list) else ingest["command"].split()
    assert command[:2] == ["directive-bot", "ingest"]
    # The image copies examples/ into its working directory (Dockerfile: WORKDIR /app, COPY examples).
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^WORKDIR /app$", dockerfile, re.MULTILINE)
    assert re.search(r"^COPY examples \./examples$", dockerfile, re.MULTILINE)
    assert command[2:] == ["/app/examples"] and any((ROOT / "examples").iterdir())
    env = env_of(ingest)
    assert env["BOT_DATABASE_URL"] == env_of(services["front-a"])["BOT_DATABASE_URL"]
    assert ingest.get("restart") in ("no", None) and ingest.get("profiles")
    # Not a front end's volume: a running front end would not reload an index another process rebuilt.
    fronts = {named_volumes(services[name])["/data"] for name in FRONTS}
    assert named_volumes(ingest)["/data"] not in fronts


def test_every_named_volume_is_declared(compose: dict[str, Any]) -> None:
    used = {v for service in compose["services"].values() for v in named_volumes(service).values()}
    assert used == set(compose["volumes"])
