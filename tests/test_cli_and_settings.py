"""The `doorstep` command and settings: migrate, createuser, the secret key kept out of the repo."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from backend.settings import PROJECT_ROOT, Settings, SettingsError


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP_")}
    environment.update({"DOORSTEP_INSTANCE_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )


def test_migrate_then_createuser_then_duplicate_is_refused(tmp_path):
    assert run_cli(tmp_path, "migrate").returncode == 0
    create = run_cli(
        tmp_path,
        "createuser",
        "--email",
        "boss@example.com",
        "--name",
        "Boss",
        "--role",
        "admin",
        "--organization",
        "My Shop",
        DOORSTEP_NEW_PASSWORD="a-long-password",
    )
    assert create.returncode == 0, create.stderr
    assert "Created admin boss@example.com" in create.stdout
    again = run_cli(
        tmp_path,
        "createuser",
        "--email",
        "BOSS@example.com",
        "--name",
        "Boss",
        "--role",
        "admin",
        "--organization",
        "My Shop",
        DOORSTEP_NEW_PASSWORD="a-long-password",
    )
    assert again.returncode == 1 and "already has an account" in again.stderr
    short = run_cli(
        tmp_path,
        "createuser",
        "--email",
        "x@example.com",
        "--name",
        "X",
        "--role",
        "driver",
        "--organization",
        "My Shop",
        DOORSTEP_NEW_PASSWORD="short",
    )
    assert short.returncode == 2


def test_serve_refuses_an_unmigrated_database_and_says_what_to_run(tmp_path):
    result = run_cli(tmp_path, "serve", "--port", "1")
    assert result.returncode == 1
    assert "doorstep migrate" in result.stderr and "Traceback" not in result.stderr


def test_bad_configuration_is_a_clear_message_not_a_traceback(tmp_path):
    result = run_cli(tmp_path, "migrate", DOORSTEP_PORT="eighty")
    assert result.returncode == 2
    assert "DOORSTEP_PORT must be an integer" in result.stderr and "Traceback" not in result.stderr


def test_secret_key_is_generated_once_into_the_instance_dir_with_private_permissions(tmp_path):
    first = Settings.from_env({"DOORSTEP_INSTANCE_DIR": str(tmp_path)}).with_secret_key()
    second = Settings.from_env({"DOORSTEP_INSTANCE_DIR": str(tmp_path)}).with_secret_key()
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 48
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    given = Settings.from_env({"DOORSTEP_INSTANCE_DIR": str(tmp_path), "DOORSTEP_SECRET_KEY": "from-env"})
    assert given.with_secret_key().secret_key == "from-env"


def test_defaults_and_validation():
    settings = Settings.from_env({"DOORSTEP_INSTANCE_DIR": "/tmp/x"})
    assert settings.database_url == "sqlite+aiosqlite:////tmp/x/doorstep.db" and settings.redis_url is None
    with pytest.raises(SettingsError, match="DOORSTEP_ENV"):
        Settings.from_env({"DOORSTEP_ENV": "staging"})


def test_no_secret_or_database_is_committed():
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    names = tracked.stdout.splitlines()
    assert not [n for n in names if n.endswith(("secret_key", ".db", ".sqlite"))]
