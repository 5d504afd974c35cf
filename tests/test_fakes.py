"""tests/fakes.py: a test that lacks loopback addresses skips, but fails on CI."""

from __future__ import annotations

import pytest

from tests import fakes


@pytest.mark.parametrize(("on_ci", "outcome"), [
    (True, pytest.fail.Exception), (False, pytest.skip.Exception)])
def test_an_unbindable_address_skips_off_ci_and_fails_on_ci(
    monkeypatch: pytest.MonkeyPatch, on_ci: bool, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(fakes, "ON_CI", on_ci)
    with pytest.raises(outcome, match=r"cannot bind 127\.0\.0\.2"):
        fakes.cannot_bind("cannot bind 127.0.0.2 here")
