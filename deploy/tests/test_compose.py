"""docker-compose.yml (no engine here to run it): the table service waits for a healthy DynamoDB Local,
the image is built once and reused, the demo games are seeded as `make run` does, and the README
shows how to run the account commands in the stack. Validated against the compose-spec JSON schema by
hand (see the report of issue 12); these checks keep the structure."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_table_waits_for_a_healthy_dynamodb_without_restart_loops():
    services = _compose()["services"]
    health = services["dynamodb"]["healthcheck"]
    assert health["test"][0] in ("CMD", "CMD-SHELL") and "curl" not in " ".join(health["test"])
    assert services["table"]["depends_on"]["dynamodb"]["condition"] == "service_healthy"
    assert services["table"].get("restart", "no") == "no"
    assert services["app"]["depends_on"]["table"]["condition"] == "service_completed_successfully"


def test_the_image_is_built_once_and_reused():
    services = _compose()["services"]
    builders = [name for name, s in services.items() if "build" in s]
    assert builders == ["app"]
    assert services["table"]["image"] == services["app"]["image"]


def test_the_table_service_seeds_the_demo_games_like_make_run():
    command = " ".join(_compose()["services"]["table"]["command"])
    assert "dynamodb create-table" in command and "seed_demo" in command
    assert "seed_demo" in (REPO / "deploy" / "run_local.sh").read_text()


def test_readme_shows_the_account_commands_in_the_stack():
    readme = (REPO / "README.md").read_text()
    assert "docker compose exec app python manage.py issuetoken" in readme
    assert "docker compose exec app python manage.py createadmin" in readme
