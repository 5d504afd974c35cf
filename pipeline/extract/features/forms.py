"""The page's forms: what they ask for, where they sit and whose they are.

A password or an e-mail field in the page's main content is how log-in and
registration walls show; the same form in a header, a menu, a footer or a
pop-up is on every page of a site and gates nothing, so placement matters
as much as the fields. Sign-in boxes without a <form> count as forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any

from pipeline.extract.features.attributes import MAX_ATTRIBUTE_CHARS, Element, attribute_text
from pipeline.extract.features.registration import FORM_VENDOR_SIGNATURES
from pipeline.extract.features.signatures import matches
from pipeline.extract.tree import Document, ancestors, attribute, attribute_items, matching
from pipeline.models import FormFeatures

MAX_FORMS = 20
MAX_FORM_INPUTS = 200  # inputs read per form
MAX_ACTION_CHARS = 300
MAX_ANCESTORS = 60  # levels walked up from a form
MAX_PASSWORD_INPUTS = 50

# Containers that are site chrome rather than the page's content, by element
# and by ARIA landmark role.
_CHROME_TAGS = frozenset({"header", "nav", "footer", "aside", "dialog"})
_CHROME_ROLES = frozenset(
    {"banner", "navigation", "contentinfo", "complementary", "dialog", "alertdialog"}
)
# id/class words of containers that pop up or drop down: a sign-in box in a
# modal or a menu is on every page of a site, in front of real content.
_OVERLAY_WORDS = (
    "modal",
    "popup",
    "pop-up",
    "dialog",
    "overlay",
    "dropdown",
    "offcanvas",
    "off-canvas",
    "flyout",
    "login-box",
    "signin-box",
)
# id/class words of chrome built from <div>s, as on sites that predate
# <header> and <footer>: landwirt.com's sign-in box sits in
# div#headertop > div#headeranmeldebox, daringfireball's search in div#Footer.
_CHROME_WORDS = (
    "header",
    "footer",
    "navbar",
    "sidebar",
    "masthead",
    "topbar",
    "top-bar",
    "right-rail",
    "left-rail",
)
_CONTAINER_WORDS = _OVERLAY_WORDS + _CHROME_WORDS
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Input types that take no typed text (or that FormFeatures reports apart:
# password). Unknown types render as text fields in browsers.
_NON_TEXT_TYPES = frozenset(
    {
        "password",
        "search",
        "hidden",
        "submit",
        "checkbox",
        "radio",
        "button",
        "image",
        "reset",
        "file",
        "range",
        "color",
        "date",
        "datetime-local",
        "month",
        "week",
        "time",
    }
)
_PASSWORD_TYPE = re.compile(r"^\s*password\s*$", re.IGNORECASE)


def read_forms(document: Document) -> tuple[FormFeatures, ...]:
    """Up to MAX_FORMS forms: every <form>, then password fields outside any form.

    Sites that submit their sign-in box with JavaScript have a password
    <input> but no <form>; each such box counts as a form.
    """
    forms = [describe_form(form) for form in islice(document.iter("form"), MAX_FORMS)]
    for box, password in _formless_password_boxes(document, MAX_FORMS - len(forms)):
        forms.append(describe_inputs(box, in_chrome=is_in_chrome(password)))
    return tuple(forms[:MAX_FORMS])


def describe_form(form: Element) -> FormFeatures:
    """A <form> as FormFeatures: fields, placement, action and vendor."""
    action = attribute_text(form.get("action")).strip()[:MAX_ACTION_CHARS]
    return describe_inputs(
        form, in_chrome=is_in_chrome(form), action=action, vendor=form_vendor(form)
    )


def describe_inputs(
    scope: Element | Document, in_chrome: bool, action: str = "", vendor: str = ""
) -> FormFeatures:
    """Describe the inputs inside `scope` (a form, or a formless sign-in box)."""
    has_password = has_email = False
    text_inputs = 0
    for field_ in islice(_inputs_in(scope), MAX_FORM_INPUTS):
        kind = input_type(field_)
        has_password = has_password or kind == "password"
        if kind in _NON_TEXT_TYPES:
            continue
        has_email = has_email or is_email_input(field_, kind)
        if not _hidden_within(field_, scope):
            text_inputs += 1
    return FormFeatures(has_password, has_email, text_inputs, in_chrome, action, vendor)


def _inputs_in(scope: Element | Document) -> Iterator[Element]:
    """The <input> elements below `scope` (a page's box may be the whole page)."""
    if isinstance(scope, Document):
        return scope.iter("input")
    return (field_ for field_ in scope.iter("input") if field_ is not scope)


def input_type(field_: Element) -> str:
    """The input's type, lower-case; "text" when missing (as browsers read it)."""
    return attribute_text(field_.get("type")).strip().lower() or "text"


def is_email_input(field_: Element, kind: str) -> bool:
    """type=email, or a text field whose name/id/autocomplete says e-mail."""
    if kind == "email":
        return True
    names = " ".join(attribute_text(field_.get(a)) for a in ("name", "id", "autocomplete"))
    names = names.lower()
    return "email" in names or "e-mail" in names


def form_vendor(form: Element) -> str:
    """The marker of a form or webinar vendor named by the form's own attributes."""
    haystack = " ".join(v[:MAX_ATTRIBUTE_CHARS] for _, v in attribute_items(form))
    haystack = haystack.lower()
    return next((s.marker for s in FORM_VENDOR_SIGNATURES if matches(s, haystack)), "")


def is_in_chrome(element: Element) -> bool:
    """Whether the element sits in site chrome or a hidden or pop-up container.

    Walks up to <body>: header/nav/footer/aside/dialog elements or landmark
    roles; hidden, aria-hidden="true" or display:none; ids and classes of
    modals, pop-ups, menus and overlays, or of div-built headers, footers
    and sidebars. <body> and <html> are not read:
    their classes ("modal-open") describe the page's state, not a container.
    """
    for node in _self_and_ancestors(element):
        if node.tag in _CHROME_TAGS or _role(node) in _CHROME_ROLES or is_hidden(node):
            return True
        names = " ".join(attribute_text(attribute(node, a)) for a in ("id", "class")).lower()
        if any(word in names for word in _CONTAINER_WORDS):
            return True
    return False


def is_hidden(node: Element) -> bool:
    """hidden, aria-hidden="true" or an inline display:none / visibility:hidden."""
    if node.get("hidden") is not None:
        return True
    if attribute_text(node.get("aria-hidden")).strip().lower() == "true":
        return True
    return _HIDDEN_STYLE.search(attribute_text(node.get("style"))[:MAX_ATTRIBUTE_CHARS]) is not None


def _hidden_within(field_: Element, scope: Element | Document) -> bool:
    """Whether an input is hidden by itself or by a container inside `scope`.

    Handles honeypot fields, e.g. Mailchimp's bot trap in an
    aria-hidden="true" div.
    """
    for node in islice(_walk_up(field_), MAX_ANCESTORS):
        if node is scope:
            return False
        if is_hidden(node):
            return True
    return False


def _self_and_ancestors(element: Element) -> Iterable[Element]:
    """The element and its ancestors below <body>, at most MAX_ANCESTORS."""
    for node in islice(_walk_up(element), MAX_ANCESTORS):
        if node.tag in ("body", "html"):
            return
        yield node


def _walk_up(element: Element) -> Iterator[Element]:
    """The element, then its ancestors up to the top-level one."""
    return chain((element,), ancestors(element))


def _role(node: Element) -> str:
    return attribute_text(node.get("role")).strip().lower()


def _formless_password_boxes(document: Document, room: int) -> list[tuple[Any, Element]]:
    """(box, password input) for password inputs in no <form>, one per box.

    A sign-up box with "password" and "repeat password" is one box.
    """
    boxes: list[tuple[Any, Element]] = []
    if room <= 0:
        return boxes
    passwords = matching(document.iter("input"), "type", _PASSWORD_TYPE)
    for field_ in islice(passwords, MAX_PASSWORD_INPUTS):
        if any(node.tag == "form" for node in ancestors(field_)):
            continue
        box = _input_group(document, field_)
        if all(box is not seen for seen, _ in boxes):
            boxes.append((box, field_))
        if len(boxes) == room:
            break
    return boxes


def _input_group(document: Document, field_: Element) -> Element | Document:
    """The smallest ancestor (up to 4 levels) holding another input, else the parent.

    That is the sign-in box: the password field with its user-name field.
    An input at the top of the tree (html.parser keeps no <html> around it)
    has the whole page as its box.
    """
    parent = field_.getparent()
    node = parent
    for _ in range(4):
        if node is None or node.tag in ("body", "html"):
            break
        if len(list(islice(_inputs_in(node), 2))) >= 2:
            return node
        node = node.getparent()
    return document if parent is None else parent
