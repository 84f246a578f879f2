"""Settings from the environment: defaults, parsing, clear errors, one documented table."""

from __future__ import annotations

import base64
from pathlib import Path

import msgspec
import pytest

from gateway.settings import SETTINGS_DOC, VARIABLES, Settings, SettingsError

KEY = base64.b64encode(bytes(range(32))).decode()


def test_defaults_without_environment() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.lexoffice_base_url == "https://api.lexware.io"
    assert settings.log_format == "json"


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "REDIS_URL": "redis://cache:6379/2",
            "LEDGERBRIDGE_MASTER_KEY": KEY,
            "LEDGERBRIDGE_MASTER_KEY_ID": "k2026",
            "LEDGERBRIDGE_MASTER_KEYS_OLD": f"k2025:{KEY}, {KEY}",
            "LEDGERBRIDGE_ADMIN_TOKEN": "a" * 16,
            "LEDGERBRIDGE_DEFAULT_TENANT_RATE": "2.5",
            "LEDGERBRIDGE_DEFAULT_TENANT_BURST": "7",
            "LEDGERBRIDGE_MAX_BODY_BYTES": "4096",
            "LEDGERBRIDGE_LOG_LEVEL": "DEBUG",
            "LEDGERBRIDGE_LOG_FORMAT": "Console",
            "LEDGERBRIDGE_LEXOFFICE_BASE_URL": "http://127.0.0.1:8090/",
            "LEDGERBRIDGE_PUBLIC_URL": "https://gw.example.com",
        }
    )
    assert settings.redis_url == "redis://cache:6379/2"
    assert settings.master_key_id == "k2026"
    assert (settings.default_tenant_rate, settings.default_tenant_burst) == (2.5, 7)
    assert (settings.log_level, settings.log_format) == ("debug", "console")
    assert settings.lexoffice_base_url == "http://127.0.0.1:8090"
    assert settings.max_body_bytes == 4096


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REDIS_URL", "localhost:6379"),
        ("LEDGERBRIDGE_MASTER_KEY", "not base64!"),
        ("LEDGERBRIDGE_MASTER_KEY", base64.b64encode(b"short").decode()),
        ("LEDGERBRIDGE_MASTER_KEY_ID", "has space"),
        ("LEDGERBRIDGE_MASTER_KEYS_OLD", f"{KEY},bad"),
        ("LEDGERBRIDGE_ADMIN_TOKEN", "short"),
        ("LEDGERBRIDGE_DEFAULT_TENANT_RATE", "fast"),
        ("LEDGERBRIDGE_DEFAULT_TENANT_RATE", "0"),
        ("LEDGERBRIDGE_DEFAULT_TENANT_BURST", "1.5"),
        ("LEDGERBRIDGE_MAX_BODY_BYTES", "10"),
        ("LEDGERBRIDGE_LOG_LEVEL", "verbose"),
        ("LEDGERBRIDGE_LOG_FORMAT", "xml"),
        ("LEDGERBRIDGE_LEXOFFICE_BASE_URL", "api.lexware.io"),
        ("LEDGERBRIDGE_PUBLIC_URL", "ftp://gw"),
    ],
)
def test_invalid_value_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({variable: value})
    assert error.value.variable == variable
    assert str(error.value).startswith(f"{variable}: ")


def test_secrets_are_not_repeated_in_errors_or_repr() -> None:
    token = "tiny-secret"
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"LEDGERBRIDGE_ADMIN_TOKEN": token})
    assert token not in str(error.value)
    settings = Settings.from_env({"LEDGERBRIDGE_MASTER_KEY": KEY, "REDIS_URL": "redis://:pw@h/0"})
    assert KEY not in repr(settings)
    assert "pw@" not in repr(settings)


def test_required_settings_say_what_is_missing() -> None:
    with pytest.raises(SettingsError, match=r"^REDIS_URL: required"):
        Settings().require_redis_url()
    with pytest.raises(SettingsError, match=r"^LEDGERBRIDGE_MASTER_KEY: required"):
        Settings().require_master_key()


def test_every_setting_is_documented_once() -> None:
    fields = {field.name for field in msgspec.structs.fields(Settings)}
    assert sorted(var.field for var in VARIABLES) == sorted(fields)
    assert len({var.env for var in VARIABLES}) == len(VARIABLES)
    rows = [line for line in SETTINGS_DOC.splitlines()[2:]]
    assert len(rows) == len(VARIABLES)
    for var, row in zip(VARIABLES, rows, strict=True):
        assert row.startswith(f"| `{var.env}` | ")
        assert len(var.doc) > 10


def test_the_readme_documents_every_setting() -> None:
    """The README's configuration table is the generated one (so it stays true when settings change)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("<!-- settings:start -->")[1].split("<!-- settings:end -->")[0]
    assert table.strip() == SETTINGS_DOC.strip()
