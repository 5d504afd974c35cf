"""HTML building blocks for realistic pages: a site's header, nav and footer.

The hub's original pages (content.py) are bare on purpose. The pages of the
walls and soft 404s must look like the real thing, since curate judges them
by their markup: a login form in the <header> is not a login wall, a form
that is the whole of <main> is. `Page` says where each piece goes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Site:
    """The frame every page of one site shares: its name, nav links and footer line."""

    name: str
    nav: tuple[tuple[str, str], ...]
    legal: str


CHARITY = Site(
    "Example Cancer Charity",
    (
        ("/about-cancer", "About cancer"),
        ("/get-support", "Get support"),
        ("/research", "Research"),
        ("/donate", "Donate"),
    ),
    "\u00a9 2024 Example Cancer Charity. Registered charity number 1234567.",
)
HOSPITAL = Site(
    "Example Hospital",
    (
        ("/patients", "Patients and visitors"),
        ("/services", "Our services"),
        ("/contact", "Contact us"),
    ),
    "\u00a9 2024 Example Hospital NHS Foundation Trust.",
)
NEWS = Site(
    "Example Health News",
    (("/news", "News"), ("/cancer", "Cancer"), ("/subscribe", "Subscribe")),
    "\u00a9 2024 Example Health News Ltd. All rights reserved.",
)
MYELOMA = Site(
    "Myeloma Patients Europe",
    (("/about", "About us"), ("/webinars", "Webinars"), ("/resources", "Resources")),
    "\u00a9 2024 Myeloma Patients Europe AISBL.",
)


@dataclass(frozen=True)
class Page:
    """One page of a site. Markup fields are trusted; `title` and `h1` are escaped.

    `h1` None repeats the title as the main heading; "" leaves it out.
    `head` goes into <head>, `header` and `footer` into the site's header
    and footer, `tail` after the footer (where consent banners inject).
    """

    title: str
    main: str
    site: Site = CHARITY
    h1: str | None = None
    head: str = ""
    header: str = ""
    footer: str = ""
    tail: str = ""
    lang: str = "en"


def render(page: Page) -> bytes:
    """The complete UTF-8 HTML document of a page."""
    heading = page.title if page.h1 is None else page.h1
    h1 = f"<h1>{page_text(heading)}</h1>\n" if heading else ""
    nav = "".join(
        f'<li><a href="{attr(href)}">{page_text(text)}</a></li>' for href, text in page.site.nav
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{page.lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{page_text(page.title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{page.head}</head>\n<body>\n"
        f'<header class="site-header">\n<a class="logo" href="/">{page_text(page.site.name)}</a>\n'
        f"<nav><ul>{nav}</ul></nav>\n{page.header}</header>\n"
        f"<main>\n{h1}{page.main}\n</main>\n"
        f"<footer>\n{page.footer}<p>{page_text(page.site.legal)}</p>\n</footer>\n"
        f"{page.tail}</body>\n</html>\n"
    ).encode()


def page_text(text: str) -> str:
    """Text escaped for HTML content (quotes stay as they are, as in real pages)."""
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    """Text escaped for a double-quoted attribute value."""
    return html.escape(text, quote=True)


def article(*blocks: str) -> str:
    """Article markup: a block starting "## " is a subheading, others paragraphs."""
    return "\n".join(
        f"<h2>{page_text(block[3:])}</h2>" if block.startswith("## ")
        else f"<p>{page_text(block)}</p>"
        for block in blocks
    )


def link_list(items: Sequence[tuple[str, str]], css: str = "links") -> str:
    """A <ul> of links, given (href, text) pairs."""
    rows = "\n".join(f'<li><a href="{attr(href)}">{page_text(text)}</a></li>'
                     for href, text in items)
    return f'<ul class="{css}">\n{rows}\n</ul>'


def field(label: str, kind: str, name: str, *, required: bool = True) -> str:
    """A labelled <input>, its id derived from its name."""
    flag = " required" if required else ""
    return (
        f'<label for="f-{name}">{page_text(label)}</label>\n'
        f'<input type="{kind}" id="f-{name}" name="{name}"{flag}>'
    )


# The line under a sign-in form.
RESET_LINK = '<p><a href="/login/reset">Forgot your password?</a></p>'


def credentials() -> tuple[str, str]:
    """The username and password controls of a sign-in form."""
    return field("Username or email", "text", "username"), field("Password", "password", "password")


def form(action: str, *controls: str, submit: str, attrs: str = "") -> str:
    """A POST form with the given controls and a submit button."""
    body = "\n".join(controls)
    return (
        f'<form method="post" action="{attr(action)}"{attrs}>\n{body}\n'
        f'<button type="submit">{page_text(submit)}</button>\n</form>'
    )


def script(src: str, attrs: str = "") -> str:
    """An external script element (the hub never fetches it; it is only markup)."""
    return f'<script src="{attr(src)}"{attrs}></script>\n'


def json_ld(data: dict[str, object]) -> str:
    """A schema.org JSON-LD block for <head>."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>\n'


def inline_script(code: str) -> str:
    """An inline script element; `code` is trusted (build its strings with js_string)."""
    return f"<script>\n{code}\n</script>\n"


def js_string(value: str) -> str:
    """A JavaScript string literal for an inline script: JSON, with <, > and & escaped
    so that no value can close the <script> or open a comment inside it."""
    literal = json.dumps(value)
    return literal.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
