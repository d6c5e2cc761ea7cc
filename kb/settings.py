"""Settings, declared once: each has a name, a default and help; read from KB_* environment variables."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can configure. Environment variables are KB_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    content: Path = Field(Path("content"), description="Folder of Markdown content to ingest.")
    data: Path = Field(
        Path("data"), description="Folder for the SQLite file, indexes and caches (created)."
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL of the store; empty means SQLite file data/kb.sqlite3."
    )
    embedders: list[str] = Field(
        default_factory=lambda: ["minilm", "use-multilingual"],
        description="Embedding models for the semantic legs: minilm, use-multilingual, fake, "
        "or st:<path-or-name> for any sentence-transformers model.",
    )
    leg_weights: dict[str, float] = Field(
        default_factory=lambda: {"keyword": 1.0, "minilm": 0.8, "use-multilingual": 0.5},
        description="Reciprocal-rank-fusion weight of each search leg (tuned with `kb eval`).",
    )
    max_file_bytes: int = Field(2_000_000, description="Largest Markdown file ingest accepts.")
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, description="Port the web server listens on.")
    base_url: str = Field(
        "",
        description="The site's address as readers reach it (e.g. https://kb.example.org), for "
        "the absolute links of the CSV export, feeds, certificates and the digest; empty: "
        "http://KB_HOST:KB_PORT. Never taken from a request's Host header.",
    )
    body_timeout_seconds: float = Field(
        10.0,
        ge=0,
        description="A request's body must arrive within this many seconds (plus the time its "
        "declared length takes at 32 KiB/s), else 408 and the connection is closed (slow "
        "senders cannot hold connections); 0: no limit.",
    )
    threads: int = Field(2, description="CPU threads for the embedding models (torch and numpy).")
    query_cache: int = Field(
        4096,
        description="Recent queries whose vectors and keyword hits each process keeps (0: none).",
    )
    follow_seconds: float = Field(
        2.0,
        ge=0,
        description="How often each server checks whether another process or replica changed "
        "the catalog (and then builds its own indexes); 0: never.",
    )
    semantic_at_start: str = Field(
        "background",
        pattern="^(background|wait)$",
        description="background: the server answers at once with keyword search while the "
        "models load and the semantic legs build, then switches to hybrid by itself; wait: it "
        "answers only once hybrid search is ready (a replica joining behind a load balancer).",
    )
    log_format: str = Field(
        "plain",
        pattern="^(plain|json)$",
        description="plain: text log lines; json: one JSON object per line, with the request id "
        "(also sent as X-Request-ID) on every line of a request.",
    )
    workers: int = Field(
        1, description="Web server processes (spawned; each loads the models, ~0.9 GB each)."
    )
    secret_key: str = Field(
        "", description="Key that signs the forms' CSRF tokens; empty means one generated in data/."
    )
    https: bool = Field(
        False,
        description="The site is served over HTTPS (directly or behind a TLS proxy): cookies get "
        "Secure and responses Strict-Transport-Security.",
    )
    session_idle_hours: int = Field(
        72, ge=1, description="A sign-in ends after this many hours without a request."
    )
    session_days: int = Field(
        14, ge=1, description="A sign-in ends this many days after it started, however active."
    )
    anonymous_read: bool = Field(
        True, description="Let visitors search and read without signing in."
    )
    allow_empty_database: bool = Field(
        False,
        description="Start with a new empty database even though the data folder holds the "
        "search indexes of an earlier catalog (otherwise a missing or empty database there is "
        "refused, with how to recover).",
    )
    self_registration: bool = Field(False, description="Let visitors create learner accounts.")
    self_approval: bool = Field(False, description="Let a curator approve their own change.")
    stale_months: int = Field(12, description="Content not updated for this long is stale.")

    def as_environment(self) -> dict[str, str]:
        """Return these settings as KB_* environment variables (for spawned worker processes)."""
        values = self.model_dump(mode="json")
        return {
            f"KB_{name.upper()}": value if isinstance(value, str) else json.dumps(value)
            for name, value in values.items()
        }

    @property
    def sqlite_path(self) -> Path:
        """Return the default SQLite file inside the data folder."""
        return self.data / "kb.sqlite3"

    @property
    def db_url(self) -> str:
        """Return the effective database URL."""
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def site_url(self) -> str:
        """Return the site's address for absolute links (KB_BASE_URL, or host and port)."""
        return self.base_url.rstrip("/") or f"http://{self.host}:{self.port}"

    @property
    def index_root(self) -> Path:
        """Return the folder that holds the index generations."""
        return self.data / "indexes"
