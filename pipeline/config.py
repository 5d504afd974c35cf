"""curate.toml -> Config.

Every key is optional; an unknown section or key, or a value of the wrong
type, is a ConfigError that names the file and the key, so a typo never
silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import ssl
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_CONTACT = "https://github.com/curate-hub/curate"


class ConfigError(Exception):
    """The configuration file cannot be used; the message says why and where."""


@dataclass(frozen=True)
class FetchConfig:
    contact: str = DEFAULT_CONTACT
    timeout: float = 20.0
    connect_timeout: float = 10.0
    max_bytes: int = 104_857_600
    max_redirects: int = 10
    retries: int = 2
    concurrency: int = 32
    per_host_concurrency: int = 2
    per_host_interval: float = 0.5
    max_retry_after: float = 60.0
    allow_private_networks: bool = False
    backoff_base: float = 1.0
    proxy: str = ""  # "http://host:port": every request goes through it
    use_environment_proxy: bool = False  # honour HTTP(S)_PROXY / NO_PROXY
    trust: str = "certifi"  # or "system": the operating system's CAs (truststore)
    ca_bundle: str = ""  # a PEM file of extra CAs; relative to the config file


@dataclass(frozen=True)
class VerdictConfig:
    confirm_after: int = 2
    review_after_days: int = 1095
    soft404_probe: bool = True  # fetch a made-up sibling path once per host and folder


@dataclass(frozen=True)
class VideoConfig:
    """Where to ask video platforms whether a video still exists (oEmbed)."""

    youtube_hosts: tuple[str, ...] = ("www.youtube.com", "youtube.com", "m.youtube.com",
                                      "youtu.be")
    youtube_oembed: str = "https://www.youtube.com/oembed"
    vimeo_hosts: tuple[str, ...] = ("vimeo.com", "www.vimeo.com", "player.vimeo.com")
    vimeo_oembed: str = "https://vimeo.com/api/oembed.json"


@dataclass(frozen=True)
class ArchiveConfig:
    """Suggest the Wayback Machine's newest capture of a broken resource (opt-in)."""

    enabled: bool = False
    endpoint: str = "https://web.archive.org/web/"


BROWSER_TARGETS = ("blocked", "script-only")
CHROMIUM_INSTALL = "apt-get install chromium  (Debian/Ubuntu; or set [browser] executable)"


@dataclass(frozen=True)
class BrowserConfig:
    """A second opinion from headless Chromium for what an HTTP check cannot see
    (off by default). `for_` is the TOML key `for`: which resources get one."""

    enabled: bool = False
    executable: str = "/usr/bin/chromium"
    max_pages: int = 50  # per run
    timeout: float = 20.0  # seconds per page
    for_: tuple[str, ...] = BROWSER_TARGETS


@dataclass(frozen=True)
class Config:
    fetch: FetchConfig = field(default_factory=FetchConfig)
    verdicts: VerdictConfig = field(default_factory=VerdictConfig)
    video: VideoConfig = field(default_factory=VideoConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    browser: BrowserConfig = field(default_factory=BrowserConfig)


_SECTIONS: dict[str, type[Any]] = {
    "fetch": FetchConfig,
    "verdicts": VerdictConfig,
    "video": VideoConfig,
    "archive": ArchiveConfig,
    "browser": BrowserConfig,
}
# TOML keys that are Python keywords, and the field each one fills.
_FIELD_OF_KEY = {"for": "for_"}
TRUST_CHOICES = ("certifi", "system")
_MINIMUMS = {"concurrency": 1, "per_host_concurrency": 1, "confirm_after": 1, "max_bytes": 1}


def load_config(path: Path | None) -> Config:
    """Read curate.toml; None means defaults. Raises ConfigError."""
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return config_from_dict(data, str(path), path.parent)


def config_from_dict(
    data: dict[str, Any], where: str = "config", base: Path | None = None
) -> Config:
    """Build a Config from parsed TOML, collecting every problem at once.

    A relative [fetch] ca_bundle is taken from `base` (the config file's folder).
    """
    problems: list[str] = []
    sections: dict[str, Any] = {}
    for name, value in data.items():
        if name not in _SECTIONS:
            known = ", ".join(_SECTIONS)
            problems.append(f"{where}: unknown section [{name}] (known: {known})")
        elif not isinstance(value, dict):
            problems.append(f"{where}: [{name}] must be a table")
        else:
            sections[name] = _build_section(_SECTIONS[name], name, value, where, problems)
    if "fetch" in sections:
        sections["fetch"] = _checked_fetch(sections["fetch"], where, base, problems)
    if "browser" in sections:
        problems += _browser_problems(sections["browser"], where)
    if problems:
        raise ConfigError("\n".join(problems))
    return Config(**sections)


def _build_section(
    cls: type[Any], name: str, values: dict[str, Any], where: str, problems: list[str]
) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        name_of_field = _FIELD_OF_KEY.get(key, key)
        if name_of_field not in fields or key in _FIELD_OF_KEY.values():
            problems.append(f"{where}: [{name}] unknown key '{key}'")
            continue
        expected = type(fields[name_of_field].default)
        problem = _check_value(key, value, expected)
        if problem:
            problems.append(f"{where}: [{name}] {key}: {problem}")
        else:
            kwargs[name_of_field] = _convert(value, expected)
    return cls(**kwargs)


def _checked_fetch(
    fetch: FetchConfig, where: str, base: Path | None, problems: list[str]
) -> FetchConfig:
    """[fetch]'s values that a type alone does not vouch for: the trust store,
    the proxy's URL, the CA bundle's file (made absolute)."""
    if fetch.trust not in TRUST_CHOICES:
        problems.append(f"{where}: [fetch] trust: must be one of {', '.join(TRUST_CHOICES)}"
                        f" (not {fetch.trust!r})")
    if fetch.proxy:
        problem = _proxy_problem(fetch.proxy)
        if problem:
            problems.append(f"{where}: [fetch] proxy: {problem}")
    if not fetch.ca_bundle:
        return fetch
    bundle = (base or Path.cwd()) / Path(fetch.ca_bundle).expanduser()
    problem = _bundle_problem(bundle)
    if problem:
        problems.append(f"{where}: [fetch] ca_bundle: {problem}")
    return dataclasses.replace(fetch, ca_bundle=str(bundle.resolve()))


def _browser_problems(browser: BrowserConfig, where: str) -> list[str]:
    """What makes [browser] unusable: unknown targets; when enabled, no Chromium."""
    problems = [f"{where}: [browser] for: '{target}' is not one of "
                f"{', '.join(BROWSER_TARGETS)}" for target in browser.for_
                if target not in BROWSER_TARGETS]
    if browser.enabled and importlib.util.find_spec("playwright") is None:
        problems.append(f"{where}: [browser] enabled: Playwright is not installed; install it "
                        "with: pip install 'curate[browser]'")
    if browser.enabled and not os.access(browser.executable, os.X_OK):
        problems.append(f"{where}: [browser] executable: no Chromium at {browser.executable}; "
                        f"install it with: {CHROMIUM_INSTALL}")
    return problems


def _proxy_problem(proxy: str) -> str:
    try:
        parts = urlsplit(proxy)
        port = parts.port
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme != "http" or not parts.hostname or port is None:
        return f"must look like http://host:port (not {proxy!r})"
    return ""


def _bundle_problem(bundle: Path) -> str:
    """'' when bundle is a readable file of PEM certificates, else why not."""
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(bundle))
    except FileNotFoundError:
        return f"no such file: {bundle}"
    except (OSError, ssl.SSLError) as exc:
        return f"{bundle} is not a readable PEM file of certificates ({exc})"
    return ""


def _convert(value: Any, expected: type) -> Any:
    if expected is float:
        return float(value)
    if expected is tuple:
        return tuple(value)
    return value


def _check_value(key: str, value: Any, expected: type) -> str:
    """'' when value fits the expected type and bounds, else the reason."""
    if expected is tuple:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return "" if ok else "must be a list of strings"
    if expected is float and isinstance(value, int | float) and not isinstance(value, bool):
        return "must not be negative" if value < 0 else ""
    if expected is bool:
        return "" if isinstance(value, bool) else "must be true or false"
    if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
        return f"must be {'a number' if expected is float else expected.__name__}"
    if isinstance(value, int) and value < _MINIMUMS.get(key, 0):
        return f"must be at least {_MINIMUMS.get(key, 0)}"
    return ""
