"""The page's markup as signatures read it, and the markers found there.

One bounded walk collects attributes (as name=value), id and class names,
embedded players and frames, inline scripts and comments. Visible text,
alt text and link targets are left out: an article that names or links to
a vendor is not that vendor's page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.extract.features.attributes import MAX_ATTRIBUTE_CHARS, Element, attribute_text
from pipeline.extract.features.markers import MARKUP_SIGNATURES
from pipeline.extract.features.signatures import Where, found_markers, needles_by_place
from pipeline.extract.tree import COMMENT, Document, ancestors, attribute_items, collapse_string

MAX_CODE_CHARS = 2_000_000  # markup kept for signature scans (attributes, scripts)
MAX_SCRIPT_CHARS = 100_000  # per inline script: vendor loaders are short
MAX_TOKEN_CHARS = 500_000  # id and class names kept
MAX_EMBEDS = 1_000  # iframe/embed/video/... elements kept

# Elements that hold embedded players and frames (their attributes form Where.EMBED).
_EMBED_TAGS = frozenset(
    {
        "iframe",
        "frame",
        "embed",
        "object",
        "video",
        "audio",
        "source",
        "lite-youtube",
        "lite-vimeo",
        "video-js",
    }
)
# Attributes that hold words for people, not code: an article's alt text
# naming "DataDome" is no DataDome.
_HUMAN_TEXT_ATTRIBUTES = frozenset({"alt", "title", "aria-label", "placeholder"})
_LINK_TAGS = frozenset({"a", "area"})  # a link *to* a vendor is not the vendor on the page
_MARKUP_NEEDLES = needles_by_place(MARKUP_SIGNATURES)


@dataclass
class Markup:
    """The parts of a page's markup that signatures are looked for in (lower-case)."""

    code: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    embed: list[str] = field(default_factory=list)
    code_chars: int = 0
    token_chars: int = 0
    html5_video: bool = False

    def add_code(self, value: str) -> None:
        """Keep a piece of markup while the MAX_CODE_CHARS budget lasts."""
        if self.code_chars < MAX_CODE_CHARS:
            self.code.append(value)
            self.code_chars += len(value)

    def add_token(self, value: str) -> None:
        if self.token_chars < MAX_TOKEN_CHARS:
            self.tokens.append(value)
            self.token_chars += len(value) + 1

    def places(self) -> dict[Where, str]:
        return {
            Where.CODE: "\n".join(self.code).lower(),
            Where.TOKENS: " ".join(self.tokens).lower(),
            Where.EMBED: "\n".join(self.embed).lower(),
        }


def collect_markup(document: Document) -> Markup:
    """One bounded walk over the tree: attributes, inline scripts, comments.

    Visible text is left out on purpose: an article that mentions a vendor
    is not that vendor's page.
    """
    markup = Markup()
    for node in document.walk():
        if isinstance(node.tag, str):
            _collect_tag(node, markup)
            if _is_code_script(node) and node.text and document.script_text_walked(node):
                markup.add_code(collapse_string(node, node.text)[:MAX_SCRIPT_CHARS])
        elif node.tag is COMMENT:
            markup.add_code(collapse_string(node, node.text or "")[:MAX_SCRIPT_CHARS])
    return markup


def _collect_tag(tag: Element, markup: Markup) -> None:
    """Add one element's attributes (name=value), id/class names and embed details."""
    values = []
    for name, value in attribute_items(tag):
        text = value[:MAX_ATTRIBUTE_CHARS]
        if name in ("id", "class"):
            markup.add_token(text)
        if name in _HUMAN_TEXT_ATTRIBUTES or (name == "href" and tag.tag in _LINK_TAGS):
            continue
        # Names too: vendors hook into data-zephr-*, data-tf-widget, ...
        values.append(f"{name}={text}")
    if values:
        markup.add_code(" ".join(values))
    if tag.tag in _EMBED_TAGS and len(markup.embed) < MAX_EMBEDS:
        markup.embed.append(f"<{tag.tag} " + " ".join(values))
        markup.html5_video = markup.html5_video or _is_html5_video(tag)


def _is_html5_video(tag: Element) -> bool:
    """A <video> with a source of its own, or a <source> inside a <video>."""
    if tag.tag == "video":
        return bool(tag.get("src") or tag.get("data-src"))
    return (
        tag.tag == "source"
        and bool(tag.get("src"))
        and any(node.tag == "video" for node in ancestors(tag))
    )


def _is_code_script(element: Element) -> bool:
    """Whether an element is a script of code (JSON-LD holds article text, not code)."""
    if element.tag != "script":
        return False
    return "ld+json" not in attribute_text(element.get("type")).lower()


def markup_markers(markup: Markup) -> set[str]:
    """Markers of every markup signature found in the collected markup."""
    places = markup.places()
    found = found_markers(_MARKUP_NEEDLES, places)
    if markup.html5_video:
        found.add("video:html5")
    return found
