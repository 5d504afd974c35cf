"""curate.toml: defaults, every key read, every mistake named."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config, ConfigError, load_config

CA = Path(__file__).parent / "data" / "tls" / "ca.pem"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "curate.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_the_documented_defaults() -> None:
    config = load_config(None)
    assert config == Config()
    assert (config.fetch.timeout, config.fetch.per_host_concurrency) == (20.0, 2)
    assert config.verdicts.confirm_after == 2


def test_keys_are_read_and_ints_become_floats_where_seconds_are_meant(tmp_path: Path) -> None:
    path = write(tmp_path, '[fetch]\ntimeout = 5\ncontact = "https://x.example/c"\n'
                           "[verdicts]\nconfirm_after = 3\n")
    config = load_config(path)
    assert config.fetch.timeout == 5.0 and isinstance(config.fetch.timeout, float)
    assert config.fetch.contact == "https://x.example/c"
    assert config.verdicts.confirm_after == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fetch]\ntimout = 5\n", "[fetch] unknown key 'timout'"),
        ("[fech]\ntimeout = 5\n", "unknown section [fech]"),
        ('[fetch]\nretries = "two"\n', "[fetch] retries: must be int"),
        ("[fetch]\nconcurrency = 0\n", "[fetch] concurrency: must be at least 1"),
        ("[fetch]\ntimeout = -1\n", "[fetch] timeout: must not be negative"),
        ("[fetch]\nallow_private_networks = 1\n", "allow_private_networks: must be true or false"),
        ("[fetch\n", "not valid TOML"),
        ('[fetch]\ntrust = "windows"\n', "[fetch] trust: must be one of certifi, system"),
        ('[browser]\nfor = ["blocked", "everything"]\n',
         "[browser] for: 'everything' is not one of blocked, script-only"),
        ('[browser]\nenabled = true\nexecutable = "/nonexistent/chromium"\n',
         "no Chromium at /nonexistent/chromium; install it with: apt-get install chromium"),
        ('[browser]\nfor_ = ["blocked"]\n', "[browser] unknown key 'for_'"),
        ('[fetch]\nproxy = "proxy.example.org:3128"\n', "[fetch] proxy: must look like http://"),
        ('[fetch]\nproxy = "socks5://proxy.example.org:1080"\n', "proxy: must look like http://"),
        ('[fetch]\nproxy = "http://proxy.example.org:port"\n', "[fetch] proxy: not a URL"),
        ('[fetch]\nca_bundle = "missing.pem"\n', "[fetch] ca_bundle: no such file"),
        ('[fetch]\nca_bundle = "curate.toml"\n', "is not a readable PEM file"),
    ],
)
def test_mistakes_are_named_with_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "[fetch]\ntimout = 5\nretrys = 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "timout" in str(info.value) and "retrys" in str(info.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_the_network_keys_are_read_and_a_bundle_is_found_beside_the_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "inspection-ca.pem").write_bytes(CA.read_bytes())
    path = write(tmp_path, '[fetch]\nproxy = "http://proxy.example.org:3128"\n'
                           'use_environment_proxy = true\ntrust = "system"\n'
                           'ca_bundle = "inspection-ca.pem"\n')
    fetch = load_config(path).fetch
    assert (fetch.proxy, fetch.use_environment_proxy, fetch.trust) == (
        "http://proxy.example.org:3128", True, "system")
    assert fetch.ca_bundle == str(tmp_path / "inspection-ca.pem")


def test_by_default_no_proxy_and_certifi() -> None:
    fetch = load_config(None).fetch
    assert (fetch.proxy, fetch.use_environment_proxy, fetch.trust, fetch.ca_bundle) == (
        "", False, "certifi", "")


def test_the_browser_is_off_by_default_and_its_keys_are_read(tmp_path: Path) -> None:
    assert load_config(None).browser.enabled is False
    path = write(tmp_path, '[browser]\nmax_pages = 5\ntimeout = 8\nfor = ["blocked"]\n')
    browser = load_config(path).browser
    assert (browser.max_pages, browser.timeout, browser.for_) == (5, 8.0, ("blocked",))
