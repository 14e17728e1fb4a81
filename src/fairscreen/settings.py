"""Settings from the environment (and `.env`), exactly as CONTRACT.md lists them."""

from __future__ import annotations

from pathlib import Path

from limits import parse as parse_rate
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting a deployment may change; nothing is read at import time."""

    model_config = SettingsConfigDict(
        env_prefix="FAIRSCREEN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default=Path("./var"),
        description="Where the SQLite file, the key file, the outbox and exports live.",
    )
    database_url: str = Field(
        default="",
        description="Any SQLAlchemy URL; defaults to SQLite under the data dir. "
        "Use postgresql+psycopg://… in production.",
    )
    key_provider: str = Field(
        default="local",
        description="`local` (a key file in the data dir) or `pkcs11` (an HSM through PKCS#11).",
    )
    pkcs11_module: str = Field(
        default="/usr/lib/softhsm/libsofthsm2.so", description="Path of the PKCS#11 module."
    )
    pkcs11_token_label: str = Field(default="fairscreen", description="Token label.")
    pkcs11_pin: str = Field(default="", description="User PIN of the token.")
    mail: str = Field(
        default="outbox",
        description="`outbox` (files under data_dir/outbox) or an smtp:// URL.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The absolute address used in links that the system sends.",
    )
    candidate_token_days: int = Field(
        default=30, description="How long a candidate invitation link stays valid."
    )
    candidate_token_days_after_signing: int = Field(
        default=7,
        ge=1,
        le=365,
        description="How long a candidate's link stays valid once consent is signed (the "
        "link is a bearer of the candidate's rights); the candidate asks for a fresh one at "
        "/c/renew.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Mark cookies Secure; set true behind HTTPS (default follows base_url).",
    )
    rate_limit_sign_in: str = Field(
        default="10/minute",
        description="Failed staff sign-ins allowed per client address, whatever the e-mail "
        "(a `limits` rate such as `10/minute` or `30/hour`); past it, that address waits.",
    )
    rate_limit_sign_in_free_failures: int = Field(
        default=5,
        ge=0,
        le=1000,
        description="Failed sign-ins to one e-mail address before an address that failed "
        "for it waits before each next attempt (1 s, then doubling up to the maximum delay). "
        "Addresses that have not failed for that e-mail are never made to wait.",
    )
    rate_limit_sign_in_max_delay: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="The longest wait, in seconds, between sign-in attempts to one e-mail "
        "address from an address that keeps failing (so the owner always gets in within it).",
    )
    rate_limit_secrets: str = Field(
        default="20/minute",
        description="Failed candidate-token and API-key presentations counted per client "
        "address and per presented token or key id; past it, further failures answer 429. "
        "A valid secret is always accepted; a stale cookie is cleared, not counted.",
    )
    request_header_timeout: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="Seconds `serve` gives a client to send a request's headers (from the "
        "connection, or from the end of the previous response); past it the connection is "
        "closed, so a client dripping header bytes cannot hold it open.",
    )
    request_body_timeout: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="Seconds a client has to send a whole request body once its headers are "
        "in; past it the answer is 408 `request_timeout` and the connection is closed.",
    )
    scheduler: bool = Field(default=True, description="Run background jobs inside `serve`.")
    api_key_cache_seconds: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="How long a process trusts an API key it has just checked against the "
        "database before checking it again. A key revoked through one process is refused by "
        "that process at once and by the others within this time; 0 checks every request.",
    )
    webhook_allow_private: str = Field(
        default="",
        description="Comma-separated host names, addresses or CIDR ranges that webhooks and "
        "the ledger witness may reach although they are not public (loopback, private, "
        "link-local); empty: only public addresses.",
    )
    demo_audit_cases: int = Field(
        default=240,
        ge=0,
        description="How many screened candidates `demo` generates for the bias-audit summary.",
    )
    audit_min_cell: int = Field(
        default=10,
        ge=3,
        description="The smallest group the bias audit publishes figures of: every figure of "
        "a group of fewer people is suppressed, with complementary groups so that totals "
        "cannot give it back (at least 3: below, a suppressed group is known to be of one).",
    )
    legal_hold_max_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="The longest a legal hold may last, in days: every hold needs an end "
        "date no later than this.",
    )

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'fairscreen.db'}"
        if self.base_url.startswith("https://"):
            self.secure_cookies = True
        self.base_url = self.base_url.rstrip("/")
        for rate in (self.rate_limit_sign_in, self.rate_limit_secrets):
            try:
                parse_rate(rate)
            except ValueError as exc:
                raise ValueError(f"{rate!r} is not a rate such as `10/minute`") from exc
        if self.key_provider not in ("local", "pkcs11"):
            raise ValueError("FAIRSCREEN_KEY_PROVIDER must be `local` or `pkcs11`")
        return self

    @property
    def key_file(self) -> Path:
        """Return the path of the local key file."""
        return self.data_dir / "keys" / "fairscreen.key"

    @property
    def outbox_dir(self) -> Path:
        """Return the folder where the outbox mail backend writes messages."""
        return self.data_dir / "outbox"
