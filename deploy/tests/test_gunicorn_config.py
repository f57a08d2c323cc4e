"""Finding 8 of the security audit: gunicorn's control socket is off; the image's HOME is writable."""

from __future__ import annotations

import runpy
from pathlib import Path

from gunicorn.config import Config

REPO = Path(__file__).resolve().parents[2]


def test_the_control_socket_is_disabled_by_a_setting_this_gunicorn_knows():
    values = runpy.run_path(str(REPO / "deploy" / "gunicorn.conf.py"))
    assert values["control_socket_disable"] is True
    config = Config()
    assert "control_socket_disable" in config.settings  # the installed gunicorn has the setting
    config.set("control_socket_disable", values["control_socket_disable"])
    assert config.control_socket_disable is True
    assert (values["limit_request_line"], values["limit_request_fields"]) == (8190, 100)  # README, Security


def test_the_image_gives_the_non_root_user_a_writable_home():
    dockerfile = (REPO / "Dockerfile").read_text()
    final_stage = dockerfile[dockerfile.rindex("FROM ") :]
    assert "HOME=/tmp" in final_stage and "USER arena" in final_stage
    assert "build-only" not in dockerfile  # no fixed keys in the image build (finding 2)
