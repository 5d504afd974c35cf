"""Forms (features/forms.py): fields, placement in site chrome or content, vendor, caps.

Negatives from how ordinary pages look: a login box in the header, a
newsletter form in the footer, a honeypot field, a modal.
"""

from __future__ import annotations

import pytest

from pipeline.extract.features.forms import MAX_ACTION_CHARS, MAX_FORMS
from pipeline.extract.html import extract_html
from pipeline.models import FormFeatures
from tests.feature_pages import features, page

LOGIN = '<form action="/login"><input name="user"><input type="password" name="pw"></form>'
NEWSLETTER = '<form action="/subscribe"><input type="email" name="address"></form>'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            f"<header><a href='/login'>Log in</a>{LOGIN}</header>",
            FormFeatures(has_password=True, text_inputs=1, in_chrome=True, action="/login"),
        ),
        (
            f"<footer>{NEWSLETTER}</footer>",
            FormFeatures(has_email=True, text_inputs=1, in_chrome=True, action="/subscribe"),
        ),
        (LOGIN, FormFeatures(has_password=True, text_inputs=1, action="/login")),
        (f"<nav><ul><li>{LOGIN}</li></ul></nav>", FormFeatures(True, False, 1, True, "/login")),
        (f"<aside>{NEWSLETTER}</aside>", FormFeatures(False, True, 1, True, "/subscribe")),
        (f'<div class="modal fade">{LOGIN}</div>', FormFeatures(True, False, 1, True, "/login")),
        (
            f'<div id="signup-popup">{NEWSLETTER}</div>',
            FormFeatures(False, True, 1, True, "/subscribe"),
        ),
        (f'<div aria-hidden="true">{LOGIN}</div>', FormFeatures(True, False, 1, True, "/login")),
        (f'<div style="display: none">{LOGIN}</div>', FormFeatures(True, False, 1, True, "/login")),
        (f"<div hidden>{LOGIN}</div>", FormFeatures(True, False, 1, True, "/login")),
        (f'<div role="navigation">{LOGIN}</div>', FormFeatures(True, False, 1, True, "/login")),
        (f'<div class="login-box">{LOGIN}</div>', FormFeatures(True, False, 1, True, "/login")),
        (
            f'<div id="site-header"><div>{LOGIN}</div></div>',
            FormFeatures(True, False, 1, True, "/login"),
        ),
        (f'<div id="Footer">{NEWSLETTER}</div>', FormFeatures(False, True, 1, True, "/subscribe")),
        (
            f'<div class="page"><section>{LOGIN}</section></div>',
            FormFeatures(True, False, 1, False, "/login"),
        ),
    ],
    ids=[
        "header-login",
        "footer-newsletter",
        "main-login",
        "nav",
        "aside",
        "modal",
        "popup",
        "aria-hidden",
        "display-none",
        "hidden-attr",
        "role-navigation",
        "login-box",
        "div-header",
        "div-footer",
        "content",
    ],
)
def test_form_placement(body: str, expected: FormFeatures) -> None:
    assert features(body).forms == (expected,)


def test_body_state_classes_do_not_make_everything_chrome() -> None:
    body = page(LOGIN).replace(b"<body>", b'<body class="modal-open has-overlay">')
    result = extract_html(body).features
    assert result is not None and result.forms[0].in_chrome is False


@pytest.mark.parametrize(
    ("inputs", "has_email", "text_inputs"),
    [
        ('<input type="email">', True, 1),
        ('<input name="user_email">', True, 1),
        ('<input id="E-Mail-Adresse">', True, 1),
        ('<input autocomplete="email" type="text">', True, 1),
        ('<input type="checkbox" name="email_optin">', False, 0),
        ('<input type="hidden" name="email">', False, 0),
        ('<input type="search" name="q"><input type="submit">', False, 0),
        ('<input type="radio"><input type="button"><input type="image">', False, 0),
        ('<input name="first"><input type="tel"><input type="url"><input type="weird">', False, 4),
        ('<input name="name"><div aria-hidden="true"><input name="b_trap"></div>', False, 1),
        ('<input name="name"><input name="x" style="display:none">', False, 1),
        ('<INPUT TYPE="EMAIL" NAME="A"><textarea></textarea><select></select>', True, 1),
    ],
)
def test_form_fields(inputs: str, has_email: bool, text_inputs: int) -> None:
    (form,) = features(f"<form>{inputs}</form>").forms
    assert (form.has_email, form.text_inputs, form.has_password) == (has_email, text_inputs, False)


def test_password_input_outside_any_form_counts_as_a_form() -> None:
    # Sign-in boxes submitted by JavaScript have no <form>.
    body = (
        '<div class="signin"><input name="username"><input type="password" name="pw">'
        '<input type="password" name="pw2"><button>Sign in</button></div>'
    )
    assert features(body).forms == (FormFeatures(has_password=True, text_inputs=1),)


def test_formless_password_in_header_is_chrome() -> None:
    (form,) = features('<header><input type="Password"></header>').forms
    assert form.has_password and form.in_chrome


def test_form_vendor_and_bounded_action() -> None:
    long_action = "https://forms.hsforms.com/submissions/v3/" + "x" * 1000
    body = f'<form class="hs-form" action="{long_action}"><input type="email"></form>'
    (form,) = features(body).forms
    assert form.vendor == "form:hubspot"
    assert len(form.action) == MAX_ACTION_CHARS
    webinar = (
        '<form action="https://attendee.gotowebinar.com/register/1"><input name="email"></form>'
    )
    assert features(webinar).forms[0].vendor == "webinar:gotowebinar"
    assert features(NEWSLETTER).forms[0].vendor == ""


def test_forms_are_capped() -> None:
    assert len(features(LOGIN * 100).forms) == MAX_FORMS
