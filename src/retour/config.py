"""One typed settings object: environment (RETOUR_*), then the settings file, then defaults."""

from __future__ import annotations

import math
import os
import secrets
import warnings
from enum import StrEnum
from pathlib import Path

import platformdirs
from pydantic import (
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from retour.domain import limits
from retour.domain.errors import ConfigError

APP_NAME = "retour"
MIN_SECRET_LENGTH = 16
#: The web's session secret signs cookies: at least this many characters.
MIN_SESSION_SECRET_LENGTH = 32
#: Values a session secret must never have outside development (copied from examples).
DEFAULT_SESSION_SECRETS = frozenset({"", "changethis", "change-me", "changeme", "secret"})
#: Estimated bits (length x log2 of the alphabet its character classes span) a secret
#: needs: the pseudonym key guards 10^10 alien numbers, the session key every login.
MIN_SECRET_BITS = 64
MIN_SESSION_SECRET_BITS = 128
#: Distinct characters a secret needs: "abab..." or "aaaa...b" is long but guessable.
MIN_DISTINCT_CHARACTERS = 8
_MAKE_ONE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
_ALPHABETS = (
    (str.islower, 26),
    (str.isupper, 26),
    (str.isdigit, 10),
    (lambda c: not c.isalnum(), 33),
)


def secret_bits(text: str) -> float:
    """An estimate of a secret's strength: its length times log2 of the alphabet its
    character classes (lower case, upper case, digits, others) span."""
    alphabet = sum(size for member, size in _ALPHABETS if any(member(c) for c in text))
    return len(text) * math.log2(alphabet) if alphabet else 0.0


def secret_weakness(text: str, *, min_length: int, min_bits: int) -> str | None:
    """What makes a secret guessable (a phrase after "it "), or None when it is not."""
    if not text.strip():
        return "is only white space"
    if len(set(text)) == 1:
        return "is one character repeated"
    if len(text) < min_length:
        return f"is shorter than {min_length} characters"
    if len(set(text)) < MIN_DISTINCT_CHARACTERS:
        return f"has fewer than {MIN_DISTINCT_CHARACTERS} different characters"
    if secret_bits(text) < min_bits:
        return f"is too predictable (about {secret_bits(text):.0f} bits, {min_bits} needed)"
    return None


class Environment(StrEnum):
    """Where retour runs: `development` tolerates a missing or default session secret."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


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
        description="Key for the HMAC-SHA256 pseudonyms of alien numbers: at least 16 random "
        "characters (not one repeated, at least 8 different ones, about 64 bits); the same "
        "for every import into a database.",
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
    cache: bool = Field(
        default=True,
        description="Keep what was fitted (the prospect models and the cooperation index) in "
        "data_dir/cache, so the next command on the same data and settings reuses it; false: "
        "fit in every process.",
    )

    # -- the web dashboard (retour serve) --
    environment: Environment = Field(
        default=Environment.PRODUCTION,
        description="production (default) or development; only development runs the web "
        "without a session secret (a random one per process) or with a default one.",
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the web's session cookies and CSRF tokens; at least "
        f"{MIN_SESSION_SECRET_LENGTH} random characters, the same for every web process.",
    )
    session_minutes: int = Field(
        default=480, ge=5, le=7 * 24 * 60, description="A web login lasts this many minutes."
    )
    lockout_threshold: int = Field(
        default=5, ge=1, le=100, description="Failed logins of one name before it is locked."
    )
    lockout_minutes: int = Field(
        default=15,
        ge=1,
        le=24 * 60,
        description="Failures count within this window; a locked name waits this long.",
    )
    upload_limit_mb: int = Field(
        default=2048,
        ge=1,
        le=1024 * 1024,
        description="The largest upload the web's import page takes (dataset and mapping "
        "together), in MiB; a larger one is refused before any of it is written.",
    )
    cookie_secure: bool | None = Field(
        default=None,
        description="Send session cookies over HTTPS only. Default: yes, except in development.",
    )

    # -- imports: limits against broken and hostile files (docs/reliability.md) --
    import_max_bytes: int = Field(
        default=limits.MAX_BYTES,
        ge=1,
        description="Most bytes an import reads after decompression (the files of a folder "
        "or .zip together, or the parts of a workbook); checked while inflating.",
    )
    import_max_ratio: int = Field(
        default=limits.MAX_RATIO,
        ge=1,
        description="A .zip or workbook member that inflates to more than this many times "
        "its compressed size is refused as a zip bomb.",
    )
    import_max_field_bytes: int = Field(
        default=limits.MAX_FIELD_BYTES,
        ge=1,
        description="Longest value of one CSV field or workbook cell, in bytes.",
    )
    import_max_text_chars: int = Field(
        default=limits.MAX_TEXT_CHARS,
        ge=1,
        description="Longest text in a text column of the exchange format (an instrument's "
        "title, a source, a note, an id), on import and when an instrument is added.",
    )
    import_max_rows: int = Field(
        default=limits.MAX_ROWS, ge=1, description="Most rows of a sheet, declared or used."
    )
    import_max_columns: int = Field(
        default=limits.MAX_COLUMNS, ge=1, description="Most columns of a sheet, declared or used."
    )
    import_max_cells: int = Field(
        default=limits.MAX_CELLS,
        ge=1,
        description="Most cells (rows x columns) of a sheet, declared or used.",
    )
    import_max_violations: int = Field(
        default=limits.MAX_VIOLATIONS,
        ge=1,
        description="Violations of a refused import that are kept and listed (all are counted).",
    )
    _ephemeral_session_key: bytes | None = PrivateAttr(default=None)

    @field_validator("secret")
    @classmethod
    def _secret_strong_enough(cls, value: SecretStr | None) -> SecretStr | None:
        """A guessable key reverses every pseudonym (there are only 10^10 alien numbers)."""
        if value is None:
            return value
        text = value.get_secret_value()
        problem = secret_weakness(text, min_length=MIN_SECRET_LENGTH, min_bits=MIN_SECRET_BITS)
        if problem is None:
            return value
        raise ValueError(
            f"it {problem}; set at least {MIN_SECRET_LENGTH} random characters ({_MAKE_ONE}) "
            "before the first import: a new key gives new pseudonyms"
        )

    @field_validator("session_secret")
    @classmethod
    def _session_secret_not_default(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        """Like full-stack-fastapi-template: a default or short secret only in development."""
        if value is None:
            return value
        text = value.get_secret_value()
        weak = bool(text.strip()) and text.strip().lower() in DEFAULT_SESSION_SECRETS
        problem = "is a default value" if weak else None
        problem = problem or secret_weakness(
            text, min_length=MIN_SESSION_SECRET_LENGTH, min_bits=MIN_SESSION_SECRET_BITS
        )
        if problem is None:
            return value
        if info.data.get("environment") is Environment.DEVELOPMENT:
            warnings.warn(
                f"session_secret {problem}; never use it outside development.", stacklevel=2
            )
            return value
        raise ValueError(
            f"it {problem}; outside development set at least {MIN_SESSION_SECRET_LENGTH} "
            "random characters (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )

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

    def session_key(self) -> bytes:
        """The key of the web's cookies. Development without one: random, per process."""
        if self.session_secret is not None:
            return self.session_secret.get_secret_value().encode("utf-8")
        if self.environment is Environment.DEVELOPMENT:
            if self._ephemeral_session_key is None:
                self._ephemeral_session_key = secrets.token_bytes(32)
            return self._ephemeral_session_key
        raise ConfigError(
            "No session secret is set for the web dashboard.",
            hint=f"Set RETOUR_SESSION_SECRET (at least {MIN_SESSION_SECRET_LENGTH} random "
            f"characters) or `session_secret` in {settings_file()}, or RETOUR_ENVIRONMENT="
            "development to try retour out on your own machine.",
        )

    def import_limits(self) -> limits.ImportLimits:
        """The limits an import keeps to (the ``import_max_*`` settings)."""
        return limits.ImportLimits(
            total_bytes=self.import_max_bytes,
            ratio=self.import_max_ratio,
            field_bytes=self.import_max_field_bytes,
            text_chars=self.import_max_text_chars,
            rows=self.import_max_rows,
            columns=self.import_max_columns,
            cells=self.import_max_cells,
            violations=self.import_max_violations,
        )

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment is not Environment.DEVELOPMENT


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
