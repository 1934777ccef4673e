"""What can be checked of the Docker deployment without a Docker engine."""

import importlib
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_two_api_replicas_behind_a_load_balancer_after_migrations():
    services = compose()["services"]
    assert {"db", "redis", "migrate", "api", "lb"} <= set(services)
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert "flask --app api migrate" in " ".join(services["migrate"]["command"])
    nginx_conf = services["lb"]["volumes"][0].split(":")[0]
    assert "server api:8000" in (ROOT / nginx_conf).read_text()


def test_dockerfile_is_multi_stage_non_root_with_healthcheck():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) == 2
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    for path in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.M):
        assert (ROOT / path).exists(), path


def test_the_wsgi_entry_point_named_by_the_image_exists():
    dockerfile = (ROOT / "Dockerfile").read_text()
    module, attribute = re.search(r"(api\.\w+):(\w+)", dockerfile).groups()
    assert importlib.util.find_spec(module) is not None
    source = (ROOT / (module.replace(".", "/") + ".py")).read_text()
    assert f"{attribute} = create_app()" in source


def test_the_mcp_service_runs_a_command_the_cli_has(app):
    """The compose `mcp` service's command line parses with our own CLI (no server started)."""
    command = compose()["services"]["mcp"]["command"]
    assert command[:3] == ["flask", "--app", "api"]
    group = app.cli
    mcp = group.get_command(None, command[3])
    assert mcp is not None, command[3]
    context = mcp.make_context("mcp", list(command[4:]))
    assert context.params == {"transport": "http", "host": "0.0.0.0", "port": 8765}


def test_the_image_starts_its_server_through_the_launcher():
    """Like `make serve`: a bad PORT or DATABASE_URL is one line, not a worker traceback."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = re.search(r'^CMD \["sh", "-c", "exec (.+)"\]$', dockerfile, re.M).group(1).split()
    assert command[:4] == ["python", "-m", "api.serve", "granian"]
    assert command[-1] == "api.wsgi:app"
    assert importlib.util.find_spec("api.serve") is not None
