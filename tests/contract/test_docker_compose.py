"""docker-compose.yml and the Dockerfile run the same processes as ``make run``.

No Docker engine runs where the tests run, so the files are checked as data:
``docker-compose config`` must accept the compose file, and its resolved form
must start every process of the Procfile with the same command, wait for the
migrations and for healthy infrastructure, health-check every long-running
container, and configure the processes only with real ``Settings`` fields.

Each check is a function returning the problems it found; the last tests feed
the checks broken files to show that they do catch what they look for.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import io
import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from regulars.shared.settings import SERVICES, Settings
from regulars.shared.testing.infra import REPO

PROCESSES = (*SERVICES, "gateway")  # long-running Regulars processes with /health/ready
INFRASTRUCTURE = ("postgres", "rabbitmq")
MIGRATE = "migrate"
MAILBOX = "devmailbox"
LOCALSTRIPE = "localstripe"  # the dev Stripe the wallet pays through
NOT_IN_COMPOSE = {"welcome"}  # Procfile entries that only print hints for `make run`
PREFIX = "REGULARS_"

Config = dict[str, Any]


class FileSettings(Settings):
    """Settings from the given values and the defaults only, never from this process's environment."""

    @classmethod
    def settings_customise_sources(  # type: ignore[override]  # only the init source, whatever the others
        cls, settings_cls: Any, init_settings: Any, **_others: Any
    ) -> tuple[Any, ...]:
        return (init_settings,)


DEFAULTS = FileSettings()
# Settings whose default is a published development secret: compose must replace each.
DEV_SECRETS = sorted(name for name, field in Settings.model_fields.items() if "change-me" in str(field.default))


# --- reading the files -------------------------------------------------------------


def compose_config() -> Config:
    """The compose file as docker-compose resolves it (anchors, merges, variables)."""
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: scripts/infra.sh test-tools installs it"
    # The file's own defaults are checked, not what this shell would substitute.
    env = {k: v for k, v in os.environ.items() if not k.startswith((PREFIX, "RABBITMQ_", "COMPOSE_"))}
    done = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"docker-compose config failed:\n{done.stderr}"
    config: Config = yaml.safe_load(done.stdout)
    return config


def procfile() -> dict[str, str]:
    entries = {}
    for line in (REPO / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def dockerignore_patterns(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """(is_exception, regex) for each line of a .dockerignore, in order."""
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = line.lstrip("!").strip().strip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif pattern[i] == "[":
                end = pattern.index("]", i)
                regex, i = regex + pattern[i : end + 1], end + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        patterns.append((exception, re.compile(regex)))
    return patterns


def ignored(path: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether Docker leaves ``path`` out of the build context: the last matching line decides."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]  # a pattern on a parent applies too
    verdict = False
    for exception, regex in patterns:
        if any(regex.fullmatch(candidate) for candidate in candidates):
            verdict = not exception
    return verdict


def command_argvs(command: str | list[str]) -> list[list[str]]:
    """The programs a container runs: ``sh -c "a && b"`` gives [a, b]."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in argv[2].split("&&")]
    return [argv]


def python_modules(argvs: list[list[str]]) -> list[tuple[str, list[str]]]:
    """(module, arguments) for each ``python -m module arguments…``."""
    return [(argv[2], argv[3:]) for argv in argvs if argv[:2] == ["python", "-m"] and len(argv) > 2]


def regulars_containers(config: Config) -> dict[str, Config]:
    return {name: service for name, service in config["services"].items() if name not in INFRASTRUCTURE}


def settings_of(service: Config) -> Settings:
    env = service.get("environment") or {}
    values = {key.removeprefix(PREFIX).lower(): value for key, value in env.items() if key.startswith(PREFIX)}
    return FileSettings(**values)


# --- the checks ----------------------------------------------------------------------


def problems_with_processes(config: Config, procfile_entries: dict[str, str]) -> list[str]:
    services = config["services"]
    problems = [f"no {name} container" for name in (*INFRASTRUCTURE, MIGRATE) if name not in services]
    for name, command in procfile_entries.items():
        if name in NOT_IN_COMPOSE:
            continue
        if name not in services:
            problems.append(f"Procfile process {name} has no container")
            continue
        if command_argvs(services[name].get("command") or []) != [shlex.split(command)]:
            problems.append(f"{name} runs {services[name].get('command')!r}, make run runs {command!r}")
    return problems


def problems_with_healthchecks(config: Config) -> list[str]:
    problems = []
    for name, service in config["services"].items():
        if name == MIGRATE:
            continue
        test = (service.get("healthcheck") or {}).get("test") or []
        if service.get("healthcheck", {}).get("disable") or not test or test[0] == "NONE":
            problems.append(f"{name} has no healthcheck")
            continue
        script = " ".join(test)
        if name in PROCESSES:
            url = f"http://127.0.0.1:{DEFAULTS.port_of(name)}/health/ready"
            if url not in script:
                problems.append(f"{name} healthcheck does not ask {url}: {script}")
        if name == MAILBOX:
            for port in (DEFAULTS.smtp_port, DEFAULTS.mailbox_http_port):
                if str(port) not in script:
                    problems.append(f"{name} healthcheck does not check port {port}")
        if name == LOCALSTRIPE and f"127.0.0.1:{DEFAULTS.localstripe_port}/" not in script:
            problems.append(f"{name} healthcheck does not ask port {DEFAULTS.localstripe_port}")
    if "pg_isready" not in " ".join(config["services"].get("postgres", {}).get("healthcheck", {}).get("test", [])):
        problems.append("postgres healthcheck is not pg_isready")
    rabbit = " ".join(config["services"].get("rabbitmq", {}).get("healthcheck", {}).get("test", []))
    if "rabbitmq-diagnostics" not in rabbit:
        problems.append("rabbitmq healthcheck is not rabbitmq-diagnostics")
    return problems


def problems_with_dependencies(config: Config) -> list[str]:
    services = config["services"]
    wanted = {
        "postgres": "service_healthy",
        "rabbitmq": "service_healthy",
        MIGRATE: "service_completed_successfully",
    }
    problems = []
    for name in (*PROCESSES, MIGRATE):
        depends = services.get(name, {}).get("depends_on") or {}
        if isinstance(depends, list):
            problems.append(f"{name} depends_on has no conditions")
            continue
        for dependency, condition in wanted.items():
            if name == MIGRATE and dependency == MIGRATE:
                continue
            got = (depends.get(dependency) or {}).get("condition")
            if got != condition:
                problems.append(f"{name} must wait for {dependency} with {condition}, has {got}")
    if str(services.get(MIGRATE, {}).get("restart", "no")) != "no":
        problems.append("migrate is a one-shot and must not restart")
    notifications = services.get("notifications", {}).get("depends_on") or {}
    if (notifications.get(MAILBOX) or {}).get("condition") != "service_healthy":
        problems.append("notifications must wait for a healthy devmailbox (its SMTP server)")
    wallet = services.get("wallet", {}).get("depends_on") or {}
    if (wallet.get(LOCALSTRIPE) or {}).get("condition") != "service_healthy":
        problems.append("wallet must wait for a healthy localstripe (its payment provider)")
    return problems


def problems_with_migrate(config: Config) -> list[str]:
    argvs = command_argvs(config["services"].get(MIGRATE, {}).get("command") or [])
    want = [["python", "-m", f"regulars.{name}", "migrate"] for name in SERVICES]
    problems = [f"migrate does not run {shlex.join(argv)}" for argv in want if argv not in argvs]
    seeds = [i for i, argv in enumerate(argvs) if argv[:5] == ["python", "-m", "regulars.identity", "demo", "seed"]]
    if not seeds:
        problems.append("migrate does not seed the demo")
    elif any(argvs.index(argv) > seeds[0] for argv in want if argv in argvs):
        problems.append("the demo is seeded before every database is migrated")
    return problems


def problems_with_settings(config: Config, dockerfile: str) -> list[str]:
    fields = set(Settings.model_fields)
    problems = []
    names: list[tuple[str, str]] = []
    for name, service in config["services"].items():
        names += [(name, key) for key in service.get("environment") or {} if key.startswith(PREFIX)]
    for keyword, arguments in dockerfile_instructions(dockerfile):
        if keyword == "ENV":
            names += [("Dockerfile", key) for key in re.findall(r"(REGULARS_\w+)=", arguments)]
    for where, key in names:
        if key.removeprefix(PREFIX).lower() not in fields:
            problems.append(f"{where}: {key} is not a Settings field")
    for name, service in regulars_containers(config).items():
        try:
            settings_of(service)
        except Exception as exc:
            problems.append(f"{name}: its environment is not valid Settings: {exc}")
    return problems


def problems_with_wiring(config: Config) -> list[str]:
    """The processes find each other by container name, and the secrets are not the defaults."""
    services = config["services"]
    problems = []
    tokens = set()
    for name in (*PROCESSES, MIGRATE):
        try:
            settings = settings_of(services[name])
        except Exception as exc:
            problems.append(f"{name}: {exc}")
            continue
        tokens.add(settings.internal_token)
        problems += problems_with_addresses(name, settings)
    if tokens & {Settings.model_fields["internal_token"].default}:
        problems.append("the internal token is the development default")
    if len(tokens) > 1:
        problems.append("the containers do not share one internal token")
    return problems + problems_with_secrets_and_ports(services)


def problems_with_addresses(name: str, settings: Settings) -> list[str]:
    """Where one process listens and where it looks for the others."""
    problems = []
    if settings.bind_host != "0.0.0.0":
        problems.append(f"{name} binds {settings.bind_host}: other containers cannot reach it")
    if settings.db_host != "postgres":
        problems.append(f"{name} looks for PostgreSQL at {settings.db_host}")
    if "@rabbitmq:" not in settings.amqp_url or "guest:" in settings.amqp_url:
        problems.append(f"{name} AMQP URL must name the rabbitmq container and not the guest user")
    if settings.smtp_host != MAILBOX:
        problems.append(f"{name} sends mail to {settings.smtp_host}")
    mailbox_url = f"http://{MAILBOX}:{DEFAULTS.mailbox_http_port}"
    if settings.sms_provider == "dev" and not (settings.sms_dev_url or "").startswith(mailbox_url):
        problems.append(f"{name} sends SMS to {settings.sms_dev_url}, not to the {MAILBOX} container")
    if settings.stripe_url() != f"http://{LOCALSTRIPE}:{DEFAULTS.localstripe_port}":
        problems.append(f"{name} pays through {settings.stripe_url()}, not the {LOCALSTRIPE} container")
    for service in SERVICES:
        if settings.url_of(service) != f"http://{service}:{settings.port_of(service)}":
            problems.append(f"{name} calls {service} at {settings.url_of(service)}")
    return problems


def problems_with_secrets_and_ports(services: dict[str, Any]) -> list[str]:
    """No development secret left at its default, RabbitMQ's own user, the two published ports."""
    problems = []
    for name in (*PROCESSES, MIGRATE):
        env = services.get(name, {}).get("environment") or {}
        for field in DEV_SECRETS:
            value = env.get(PREFIX + field.upper())
            if value is None or value == Settings.model_fields[field].default:
                problems.append(f"{name}: {PREFIX + field.upper()} must be set, not left at the development default")
    rabbit = services.get("rabbitmq", {}).get("environment") or {}
    if not rabbit.get("RABBITMQ_DEFAULT_USER") or rabbit.get("RABBITMQ_DEFAULT_USER") == "guest":
        problems.append("RabbitMQ needs a project user: guest may connect only from localhost")
    published = {name: " ".join(str(p) for p in service.get("ports") or []) for name, service in services.items()}
    if "8080" not in published.get("gateway", ""):
        problems.append("the gateway is not published on 8080")
    if "8025" not in published.get(MAILBOX, ""):
        problems.append("the mailbox is not published on 8025")
    if str(DEFAULTS.localstripe_port) not in published.get(LOCALSTRIPE, ""):
        problems.append(f"localstripe (Stripe.js for the browser) is not published on {DEFAULTS.localstripe_port}")
    return problems


def problems_with_dockerfile(dockerfile: str, dockerignore: str, repo: Path) -> list[str]:
    instructions = dockerfile_instructions(dockerfile)
    patterns = dockerignore_patterns(dockerignore)
    problems = []
    bases = [arguments.split()[0] for keyword, arguments in instructions if keyword == "FROM"]
    if not bases or any(base != "python:3.11-slim" for base in bases):
        problems.append(f"the images must be python:3.11-slim, are {bases}")
    for keyword, arguments in instructions:
        if keyword not in ("COPY", "ADD") or "--from=" in arguments:
            continue
        sources = [token for token in shlex.split(arguments) if not token.startswith("--")][:-1]
        for source in sources:
            if not (repo / source).exists():
                problems.append(f"{keyword} {source}: no such path in the repository")
            elif ignored(source, patterns):
                problems.append(f"{keyword} {source}: .dockerignore leaves it out of the build context")
    runs = " ".join(arguments for keyword, arguments in instructions if keyword == "RUN")
    installed = set(re.findall(r"\./([\w/-]+)", runs.split("pip install", 1)[1] if "pip install" in runs else ""))
    projects = {"shared"} | {p.parent.relative_to(repo).as_posix() for p in repo.glob("services/*/pyproject.toml")}
    problems += [f"the image does not install {project}" for project in sorted(projects - installed)]
    problems += [f"the image installs {path}, which is not a project" for path in sorted(installed - projects)]
    if re.search(r"pip install[^&]*\s(-e|--editable)\s", runs):
        problems.append("the image must not install editable packages")
    if re.search(r"requirements-dev|pytest|ruff|mypy", runs):
        problems.append("the image must not install development tools")
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    if not users or users[-1] in ("root", "0"):
        problems.append("the image must run as an unprivileged user")
    return problems + problems_with_context(sorted(projects & installed), patterns, repo)


def problems_with_context(projects: list[str], patterns: list[tuple[bool, re.Pattern[str]]], repo: Path) -> list[str]:
    """Every file of the packages must reach the build context, or pip installs less than we test."""
    problems = []
    for project in projects:
        for path in (repo / project / "src").rglob("*"):
            relative = path.relative_to(repo).as_posix()
            generated = "__pycache__" in relative or ".egg-info" in relative
            if path.is_file() and not generated and ignored(relative, patterns):
                problems.append(f".dockerignore leaves out {relative}")
        if ignored(f"{project}/pyproject.toml", patterns):
            problems.append(f".dockerignore leaves out {project}/pyproject.toml")
    return problems


def problems_with_modules(config: Config) -> list[str]:
    """Every ``python -m`` names an importable module whose command line accepts the arguments."""
    problems = []
    for name, service in regulars_containers(config).items():
        modules = python_modules(command_argvs(service.get("command") or []))
        if not modules:
            problems.append(f"{name} runs no python module")
        for module, arguments in modules:
            if importlib.util.find_spec(module) is None:
                problems.append(f"{name}: no module {module}")
                continue
            code, err = run_module_help(module, arguments)
            if code != 0:
                problems.append(f"{name}: python -m {shlex.join([module, *arguments])} is not valid: {err[-300:]}")
    return problems


def run_module_help(module: str, arguments: list[str]) -> tuple[int | str | None, str]:
    """Run ``python -m module arguments --help`` in this process: argparse checks the
    command line and exits before the program does anything."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = [module, *arguments, "--help"]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        return exc.code, err.getvalue()
    finally:
        sys.argv = saved
    return "no exit: --help did not reach argparse", err.getvalue()


# --- the tests -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def config() -> Config:
    return compose_config()


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (REPO / "Dockerfile").read_text()


def test_compose_runs_every_process_of_make_run(config: Config) -> None:
    assert problems_with_processes(config, procfile()) == []


def test_every_long_running_container_has_a_healthcheck(config: Config) -> None:
    assert problems_with_healthchecks(config) == []


def test_services_wait_for_migrations_and_healthy_infrastructure(config: Config) -> None:
    assert problems_with_dependencies(config) == []


def test_migrate_migrates_every_service_then_seeds_the_demo(config: Config) -> None:
    assert problems_with_migrate(config) == []


def test_every_regulars_variable_is_a_settings_field(config: Config, dockerfile: str) -> None:
    assert problems_with_settings(config, dockerfile) == []


def test_containers_find_each_other_and_do_not_use_default_secrets(config: Config) -> None:
    assert problems_with_wiring(config) == []


def test_dockerfile_copies_existing_paths_and_installs_every_project(dockerfile: str) -> None:
    assert problems_with_dockerfile(dockerfile, (REPO / ".dockerignore").read_text(), REPO) == []


def test_commands_name_real_modules_and_valid_arguments(config: Config) -> None:
    assert problems_with_modules(config) == []


# --- the checks catch what they look for ---------------------------------------------


def test_checks_catch_a_broken_compose_file(config: Config, dockerfile: str) -> None:
    broken = copy.deepcopy(config)
    services = broken["services"]
    del services["wallet"]["healthcheck"]
    services["identity"]["depends_on"]["migrate"]["condition"] = "service_started"
    services["appointments"]["environment"]["REGULARS_NOT_A_SETTING"] = "x"
    services["gateway"]["environment"]["REGULARS_INTERNAL_TOKEN"] = Settings.model_fields["internal_token"].default
    services["gateway"]["environment"]["REGULARS_AMQP_URL"] = "amqp://guest:guest@rabbitmq:5672/"
    del services["wallet"]["environment"][PREFIX + DEV_SECRETS[-1].upper()]
    services["notifications"]["command"] = "python -m regulars.notification serve"
    services[MIGRATE]["command"] = "python -m regulars.identity migrate"
    del services["rabbitmq"]
    del services["wallet"]["depends_on"][LOCALSTRIPE]

    assert "wallet has no healthcheck" in problems_with_healthchecks(broken)
    assert any("identity must wait for migrate" in p for p in problems_with_dependencies(broken))
    assert any("REGULARS_NOT_A_SETTING" in p for p in problems_with_settings(broken, dockerfile))
    wiring = problems_with_wiring(broken)
    assert "the internal token is the development default" in wiring
    assert any("gateway AMQP URL" in p for p in wiring)
    assert any(p.startswith(f"wallet: {PREFIX + DEV_SECRETS[-1].upper()} must be set") for p in wiring)
    assert any("notifications runs" in p for p in problems_with_processes(broken, procfile()))
    assert "no rabbitmq container" in problems_with_processes(broken, procfile())
    assert "migrate does not seed the demo" in problems_with_migrate(broken)
    assert "wallet must wait for a healthy localstripe (its payment provider)" in problems_with_dependencies(broken)
    assert "notifications: no module regulars.notification" in problems_with_modules(broken)


def test_module_check_catches_an_unknown_subcommand(config: Config) -> None:
    broken = copy.deepcopy(config)
    broken["services"] = {"identity": broken["services"]["identity"]}
    broken["services"]["identity"]["command"] = "python -m regulars.identity serve-forever"
    assert any("serve-forever is not valid" in p for p in problems_with_modules(broken))


def test_checks_catch_a_broken_dockerfile(dockerfile: str, tmp_path: Path) -> None:
    broken = dockerfile.replace("./services/wallet", "./services/walet").replace("COPY shared/", "COPY shard/")
    broken = broken.replace("USER regulars", "USER root")
    problems = problems_with_dockerfile(broken, "*\n!shared\n!services\n**/static\n", REPO)
    assert "COPY shard/: no such path in the repository" in problems
    assert "the image does not install services/wallet" in problems
    assert "the image installs services/walet, which is not a project" in problems
    assert "the image must run as an unprivileged user" in problems
    leaky = problems_with_dockerfile(dockerfile, "*\n!shared\n**/regulars/gateway\n", REPO)
    assert any("COPY services/" in p and "leaves it out" in p for p in leaky)
    assert any(p.startswith(".dockerignore leaves out services/gateway/src/") for p in leaky)


def test_dockerignore_matching_follows_docker_rules() -> None:
    patterns = dockerignore_patterns("*\n!shared\n**/__pycache__\n**/*.py[co]\n")
    assert ignored("README.md", patterns)
    assert ignored("services/x/pyproject.toml", patterns)
    assert not ignored("shared/src/regulars/shared/settings.py", patterns)
    assert ignored("shared/src/regulars/shared/__pycache__/settings.cpython-311.pyc", patterns)
    assert ignored("shared/src/a.pyc", patterns)
