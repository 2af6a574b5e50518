"""Settings from the environment (prefix ``YINGJI_``); nothing secret lives in the repository."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the platform. Units are in the names (``_s``, ``_m``, ``_bytes``)."""

    model_config = SettingsConfigDict(env_prefix="YINGJI_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    bus_url: str = ""
    secret_key: str = ""
    access_token_ttl_s: int = Field(default=12 * 3600, ge=60, le=30 * 24 * 3600)
    # Failed logins (see ``auth/throttle.py``): after ``*_delay_after`` failures inside the
    # window each further attempt waits 1, 2, 4 ... s (at most ``login_max_delay_s``) after
    # the last failure; after ``*_lockout_after`` the account or client address is locked
    # for ``login_lockout_s``. Counted in the database, so every process agrees.
    login_window_s: int = Field(default=15 * 60, ge=1)
    login_account_delay_after: int = Field(default=3, ge=1)
    login_account_lockout_after: int = Field(default=10, ge=1)
    login_address_delay_after: int = Field(default=20, ge=1)
    login_address_lockout_after: int = Field(default=100, ge=1)
    login_max_delay_s: int = Field(default=60, ge=1)
    login_lockout_s: int = Field(default=15 * 60, ge=1)
    # Two-factor login: the issuer shown in the authenticator app (RFC 6238 otpauth URI).
    totp_issuer: str = "Yingji 应急指挥平台"
    # The audit log is kept at least 6 months (网络安全法 第二十一条: 留存相关的网络日志不少于
    # 六个月); 184 days covers the longest six calendar months.
    audit_retention_days: int = Field(default=365, ge=184)
    # Content-Security-Policy: origins the dashboard may play camera streams and snapshots
    # from (a video platform's HLS server), e.g. ["https://video.example.gov.cn"]; the
    # tile hosts of the configured base map are added by themselves.
    csp_media_hosts: list[str] = []
    max_body_bytes: int = 1 * 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    locate_max_distance_m: float = Field(default=200.0, gt=0)
    # SQLite: how often a server copies the write-ahead log into the file; 0 leaves it to
    # the commits, past 10,000 pages (below 0.05 s the thread would only spin)
    sqlite_checkpoint_interval_s: float = Field(default=0.5, ge=0)

    @field_validator("sqlite_checkpoint_interval_s")
    @classmethod
    def _checkpoint_interval(cls, value: float) -> float:
        if 0 < value < 0.05:
            raise ValueError("须为 0（关闭）或不小于 0.05 秒 / 0 (off) or at least 0.05 s")
        return value

    # The scheduler loop (durable timers of every domain): how often each process looks
    # for due timers. Lateness of a deadline is at most this plus the firing itself.
    scheduler_interval_s: float = Field(default=0.2, gt=0, le=60)

    cors_origins: list[str] = []
    log_level: str = "info"
    # Base map tiles of the dashboard (XYZ template: OpenStreetMap-style, Tianditu, AMap...).
    # Empty: the map shows the vector layers alone and the browser asks no outside host.
    map_tiles_url: str = ""
    map_tiles_labels_url: str = ""  # an optional label overlay (Tianditu's cva_w, ...)
    map_tiles_subdomains: str = ""  # letters or digits substituted for {s}, e.g. "1234"
    map_tiles_attribution: str = ""
    map_tiles_crs: Literal["wgs84", "gcj02"] = "wgs84"  # AMap/Tencent tiles are GCJ-02
    map_tiles_max_zoom: int = Field(default=18, ge=1, le=22)
    # A named base map instead of the templates above: "tianditu" (needs the key; WGS-84 /
    # CGCS2000, vec_w + cva_w), "amap" (GCJ-02), or "offline" (the platform serves tiles
    # from ``map_tiles_dir``: an XYZ directory {z}/{x}/{y}.png or an .mbtiles file).
    map_basemap: Literal["", "tianditu", "amap", "offline"] = ""
    map_tianditu_key: str = ""
    map_tiles_dir: Path | None = None
    # Built dashboard files; empty means the package's own ``dashboard/static``.
    dashboard_dir: Path | None = None

    def resolved_database_url(self) -> str:
        """The configured URL, or an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'yingji.db').resolve()}"

    def resolved_secret_key(self) -> str:
        """The configured signing key, or one generated once and kept in the data directory.

        Several server processes must share ``YINGJI_SECRET_KEY``; a laptop in a field
        vehicle gets a key of its own that survives restarts.
        """
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        self.secret_key = path.read_text().strip()
        return self.secret_key


@lru_cache
def get_settings() -> Settings:
    return Settings()
