"""One typed settings object: environment (RETOUR_*), then the settings file, then defaults."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from retour.domain.errors import ConfigError

APP_NAME = "retour"
MIN_SECRET_LENGTH = 16


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_settings_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.toml"


def settings_file() -> Path:
    """The settings file: RETOUR_SETTINGS, else settings.toml in the user's config directory."""
    explicit = os.environ.get("RETOUR_SETTINGS")
    return Path(explicit) if explicit else default_settings_file()


class Settings(BaseSettings):
    """retour's settings. Each field is a RETOUR_<NAME> variable or a key in settings.toml."""

    model_config = SettingsConfigDict(env_prefix="RETOUR_", extra="forbid")

    db: str | None = Field(
        default=None,
        description="SQLAlchemy URL, or a plain path meaning an SQLite file. "
        "Default: retour.sqlite in the user's data directory.",
    )
    secret: SecretStr | None = Field(
        default=None,
        description="Key for the HMAC-SHA256 pseudonyms of alien numbers (at least 16 characters).",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir, description="Where retour keeps its files."
    )
    confidential: list[str] = Field(
        default_factory=list,
        description="Countries pooled as 'other countries' in the parliament and public profiles.",
    )
    suppress_below: int = Field(
        default=5, ge=1, description="Public profile: counts from 1 to this minus one are hidden."
    )
    round_to: int = Field(default=10, ge=1, description="Public profile: counts rounded to this.")

    @field_validator("secret")
    @classmethod
    def _secret_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters long")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=settings_file())
        return (init_settings, env_settings, toml)

    @property
    def database_url(self) -> str:
        """The database as a SQLAlchemy URL; a plain path means an SQLite file."""
        return database_url(self.db, self.data_dir)

    def secret_bytes(self) -> bytes:
        if self.secret is None:
            raise ConfigError(
                "No secret is set for pseudonymising alien numbers (v_number).",
                hint="Set RETOUR_SECRET (at least 16 characters) or `secret` in "
                f"{settings_file()}; keep it the same for every import.",
            )
        return self.secret.get_secret_value().encode("utf-8")


def database_url(db: str | None, data_dir: Path) -> str:
    if not db:
        return f"sqlite:///{data_dir / 'retour.sqlite'}"
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning any mistake into one ConfigError a user can act on."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(
            f"Setting {where!r} is not valid: {first['msg']}.",
            hint=f"Check RETOUR_{where.upper()} or {settings_file()}.",
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"The settings file {settings_file()} cannot be read: {exc}.",
            hint="Fix or remove it.",
        ) from None
