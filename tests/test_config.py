"""curate.toml: defaults, every key read, every mistake named."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config, ConfigError, load_config


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
