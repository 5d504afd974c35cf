"""`curate import`: a hand-made hub page -> catalogue entries, every guess marked.

The page's main content is found by trafilatura (not its navigation, header,
footer, cookie banner or share bar). trafilatura keeps a page's prose but
drops short paragraphs that are only a link, which on a hub page are often
the resources themselves; so the region trafilatura's paragraphs come from
(their nearest common ancestor in the page) is taken, and every outbound
link inside it, in page order, becomes one entry:

- title: the link's text (or, for a bare "here", the sentence around it);
- notes: the nearby description, and what each guess below was read from;
- kind and format: from the wording and the URL ("infographic", "webinar",
  "glossary", "fact sheet", "guide", ".pdf", "(92 pages)" -> pages: 92);
- publisher: where the text says so ("Infographic from the Mayo Clinic",
  "by Gilead", "organised by ..."), else the site's name;
- phases: from the heading the link sits under, when it names a phase.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import trafilatura
from bs4 import BeautifulSoup, Tag

from pipeline.catalogue.edit import open_edit
from pipeline.catalogue.write import catalogue_text, listed_urls, with_resources_added
from pipeline.config import FetchConfig
from pipeline.extract import extract
from pipeline.extract.html import decode_html
from pipeline.fetch.client import Fetcher
from pipeline.judge.content import observed_format
from pipeline.mediatype import parse_content_type
from pipeline.models import FetchResult

PHASES = ("screening", "collection", "bridging", "infusion", "follow-up")
# (kind, words that say it), most specific first: a glossary of a guide is a glossary.
KIND_WORDS = (
    ("glossary", ("glossary",)),
    ("webinar", ("webinar",)),
    ("infographic", ("infographic",)),
    ("fact-sheet", ("fact sheet", "factsheet")),
    ("video", ("video",)),
    ("guide", ("guide", "booklet", "handbook")),
)
GENERIC_TEXTS = frozenset({"here", "click here", "see here", "read more", "more", "link", "this"})
SHARE_HOSTS = ("facebook.com", "twitter.com", "x.com", "linkedin.com", "whatsapp.com",
               "pinterest.com", "reddit.com")
CHROME_ELEMENTS = ("nav", "header", "footer", "aside")
_PAGES = re.compile(r"\((\d{1,4})\s+pages?\)", re.IGNORECASE)
_PUBLISHER = re.compile(
    r"\b(?:from|by|organised by|organized by|published by)\s+(?:the\s+)?"
    r"([A-Z][\w&'.-]*(?:\s+(?:[A-Z(][\w&'().-]*|of|and|for))*)")
_BLOCKS = ("p", "li", "dd", "td", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption")


@dataclass(frozen=True)
class ImportedEntry:
    """One resource as read off the page, with the guesses a curator checks."""

    title: str
    url: str
    description: str
    kind: str
    format: str
    pages: int | None
    publisher: str
    phases: tuple[str, ...]
    guesses: tuple[str, ...] = field(default=())


def read_hub_page(html: str, page_url: str) -> list[ImportedEntry]:
    """The resources a hub page links to, in page order."""
    return entries_in(BeautifulSoup(html, "lxml"), html, page_url)


def entries_in(soup: BeautifulSoup, html: str, page_url: str) -> list[ImportedEntry]:
    """read_hub_page of a page already parsed (`soup` is `html`'s tree)."""
    region = main_region(soup, html)
    return [entry_for(link, page_url) for link in outbound_links(region, page_url)]


def page_title(soup: BeautifulSoup) -> str:
    """The page's own title (its first <h1>, else <title>)."""
    heading = soup.find("h1") or soup.find("title")
    return _clean(heading.get_text(" ")) if heading else ""


def main_region(soup: BeautifulSoup, html: str) -> Tag:
    """The element holding the page's main content: the nearest common ancestor
    of the paragraphs trafilatura keeps (the whole body if it keeps none)."""
    kept = trafilatura.extract(html, output_format="html", include_links=True,
                               favor_recall=True) or ""
    texts = {_key(p.get_text(" ")) for p in BeautifulSoup(kept, "lxml").find_all(_BLOCKS)}
    found = [tag for tag in soup.find_all(_BLOCKS) if _key(tag.get_text(" ")) in texts - {""}]
    body = soup.body or soup
    return _common_ancestor(found) if found else body


def _common_ancestor(tags: Sequence[Tag]) -> Tag:
    paths = [list(reversed([tag, *tag.parents])) for tag in tags]
    common = paths[0][0]
    for level in zip(*paths, strict=False):
        if all(node is level[0] for node in level):
            common = level[0]
        else:
            break
    return common if isinstance(common, Tag) else tags[0]


def outbound_links(region: Tag, page_url: str) -> Iterator[Tag]:
    """Links in the region to other sites, in order (no share buttons, no mailto)."""
    own = urlsplit(page_url).hostname or ""
    for link in region.find_all("a", href=True):
        url = urljoin(page_url, str(link["href"]))
        host = urlsplit(url).hostname or ""
        if urlsplit(url).scheme in ("http", "https") and host and host != own \
                and not host.endswith(SHARE_HOSTS) and not _in_chrome(link):
            yield link


def _in_chrome(link: Tag) -> bool:
    """Inside navigation, a header, footer or sidebar that the content region
    still holds (many pages nest them in the article's container)."""
    return link.find_parent(CHROME_ELEMENTS) is not None


def entry_for(link: Tag, page_url: str) -> ImportedEntry:
    """What one link says, and the guesses made from its words."""
    url = urljoin(page_url, str(link["href"]))
    block = _block_of(link)
    text = _link_text(link)
    description = _description(link, block)
    title = _title(text, description) or _from_address(url)
    words = f"{title} {description}"
    kind, kind_note = guess_kind(words)
    pages = _pages(words)
    fmt, format_note = guess_format(url, kind, pages)
    publisher, publisher_note = guess_publisher((description, title), url)
    phases = _phases(link)
    guesses = tuple(note for note in (kind_note, format_note, publisher_note) if note)
    return ImportedEntry(title, url, description, kind, fmt, pages, publisher, phases, guesses)


def _link_text(link: Tag) -> str:
    """What the link says: its text, else an image's alt text or its own title."""
    image = link.find("img", alt=True)
    named = [link.get_text(" "), image.get("alt", "") if isinstance(image, Tag) else "",
             link.get("title", ""), link.get("aria-label", "")]
    return next((_clean(str(text)) for text in named if _clean(str(text))), "")


def _from_address(url: str) -> str:
    """A title of last resort: the address's last path segment, or its host."""
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return _clean(re.sub(r"[-_]+", " ", last.rsplit(".", 1)[0])) or parts.hostname or url


def _block_of(link: Tag) -> Tag:
    parent = link.find_parent(list(_BLOCKS))
    return parent if isinstance(parent, Tag) else link


def _description(link: Tag, block: Tag) -> str:
    """The block's text with the link, or else the next paragraph (a resource
    line followed by its description)."""
    own = _clean(block.get_text(" "))
    if own != _clean(link.get_text(" ")):
        return own
    following = block.find_next_sibling(list(_BLOCKS))
    if isinstance(following, Tag) and not following.find("a", href=True):
        return _clean(following.get_text(" "))
    return ""


def _title(text: str, description: str) -> str:
    if text.lower().strip(" .") not in GENERIC_TEXTS and text:
        return text.rstrip(" .") if text.endswith(".") and text.count(".") == 1 else text
    sentence = re.split(r",?\s+see\s+here|\s+here\b", description, maxsplit=1)[0]
    return sentence.strip(" .") or description


def guess_kind(words: str) -> tuple[str, str]:
    lower = words.lower()
    for kind, markers in KIND_WORDS:
        marker = next((m for m in markers if m in lower), None)
        if marker:
            return kind, f"kind '{kind}' guessed from the word '{marker}'"
    return "web-page", "kind 'web-page' guessed (no word named another kind)"


def guess_format(url: str, kind: str, pages: int | None) -> tuple[str, str]:
    path = urlsplit(url).path.lower()
    if path.endswith(".pdf"):
        return "pdf", "format 'pdf' from the address (.pdf)"
    if pages is not None:
        return "pdf", f"format 'pdf' guessed from '({pages} pages)'"
    if path.endswith((".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")):
        return "image", "format 'image' from the address"
    if kind == "video":
        return "video", "format 'video' guessed from the kind"
    return "html", ""


def guess_publisher(texts: Sequence[str], url: str) -> tuple[str, str]:
    """Who the text says made it (each text read alone), else the site's name."""
    for text in texts:
        found = _PUBLISHER.search(text)
        if found:
            name = found.group(1).strip(" .,")
            return name, f"publisher from '{found.group(0).strip(' .,')}'"
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host, f"publisher '{host}' is the site's name; the page did not say"


def _pages(words: str) -> int | None:
    found = _PAGES.search(words)
    return int(found.group(1)) if found else None


def _phases(link: Tag) -> tuple[str, ...]:
    heading = link.find_previous(["h2", "h3", "h4"])
    text = _clean(heading.get_text(" ")).lower() if isinstance(heading, Tag) else ""
    return tuple(phase for phase in PHASES if phase in text.replace("follow up", "follow-up"))


def _clean(text: str) -> str:
    """Whitespace collapsed, and none left before punctuation (text joined
    from several elements: "see <a>here</a>." read as "see here .")."""
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))


def _key(text: str) -> str:
    return _clean(text).lower()[:120]


# -- the catalogue entries ------------------------------------------------------------

MAX_ID = 60


def catalogue_entries(found: Sequence[ImportedEntry], source: str, today: dt.date,
                      taken: set[str] | None = None) -> list[dict[str, object]]:
    """Catalogue entries (plain fields, in RESOURCE_FIELDS terms) with unique ids."""
    taken = set() if taken is None else taken
    return [_fields(entry, _unique_id(entry.title, taken), source, today) for entry in found]


def _fields(entry: ImportedEntry, rid: str, source: str, today: dt.date) -> dict[str, object]:
    fields: dict[str, object] = {
        "id": rid, "title": entry.title, "url": entry.url, "publisher": entry.publisher,
        # a date object of its own: one shared object would be written as a YAML alias
        "kind": entry.kind, "format": entry.format, "added": dt.date.fromordinal(today.toordinal()),
        "notes": _notes(entry, source, today)}
    if entry.pages is not None:
        fields["pages"] = entry.pages
    if entry.phases:
        fields["phases"] = list(entry.phases)
    return fields


def _notes(entry: ImportedEntry, source: str, today: dt.date) -> str:
    guesses = "; ".join(entry.guesses) or "nothing guessed"
    said = f" The page says: {entry.description}" if entry.description else ""
    return f"Imported by curate import from {source} on {today}; check these guesses: " \
           f"{guesses}.{said}"


def _unique_id(title: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:MAX_ID].strip("-") or "resource"
    rid, n = base, 2
    while rid in taken:
        rid, n = f"{base}-{n}", n + 1
    taken.add(rid)
    return rid


# -- from a saved page or an address to a catalogue file's text ---------------------


class HubImportError(Exception):
    """The hub page cannot be read; the message says which and why."""


def import_hub(source: str, hub: str, fetch: FetchConfig, today: dt.date,
               observe: bool = False) -> str:
    """The catalogue text for the hub page at `source` (a saved HTML file, or an
    http(s) address fetched through curate's own fetch path: its guard and caps).
    With `observe`, each link is fetched once and what it returned (format,
    title, page count) replaces the guesses."""
    title, entries = hub_entries(source, fetch, today, observe)
    header = (f"Catalogue of the hub page {source}\nImported by curate import on {today}: "
              "every guess is in the entry's notes; check them, then run curate validate.")
    return catalogue_text(header, hub, title or hub, "", entries)


def hub_entries(source: str, fetch: FetchConfig, today: dt.date, observe: bool = False,
                taken: Iterable[str] = ()) -> tuple[str, list[dict[str, object]]]:
    """The page's title and its entries (ids unique, also against `taken`);
    one Fetcher for the page and, with `observe`, its links."""
    fetcher = Fetcher(fetch)
    try:
        html, page_url = read_source(source, fetcher)
        soup = BeautifulSoup(html, "lxml")
        found = entries_in(soup, html, page_url)
        if not found:
            raise HubImportError(f"{source}: no links to other sites in the page's main content")
        if observe:
            found = [_as_seen(entry, fetcher.fetch(entry.url)) for entry in found]
    finally:
        fetcher.close()
    return page_title(soup), catalogue_entries(found, source, today, set(taken))


@dataclass(frozen=True)
class Reimport:
    """What importing a page into an existing catalogue file comes to."""

    data: bytes | None  # the file with the new entries at its end; None: nothing new
    added: tuple[dict[str, object], ...]
    gone: tuple[tuple[str, str], ...]  # (id, url) of entries whose link the page lacks


def reimport_hub(source: str, target: Path, fetch: FetchConfig, today: dt.date,
                 observe: bool = False) -> Reimport:
    """The page's links that the catalogue file `target` lacks, added at its end
    (nothing already in it changes), and its entries whose link the page no
    longer has. The file is read once: its ids and URLs, then the addition."""
    edit = open_edit(target)
    listed = listed_urls(edit)
    _, entries = hub_entries(source, fetch, today, observe, taken=[rid for rid, _ in listed])
    added, gone = changes_against(listed, entries)
    data = with_resources_added(edit, added) if added else None
    return Reimport(data, tuple(added), tuple(gone))


def changes_against(listed: Sequence[tuple[str, str]], entries: Sequence[dict[str, object]]
                    ) -> tuple[list[dict[str, object]], list[tuple[str, str]]]:
    """What a re-import adds (links not in the file yet) and what disappeared from
    the page ((id, url) of entries whose link the page no longer has); a URL
    listed twice counts twice."""
    page_urls = [str(entry["url"]) for entry in entries]
    file_urls = [url for _, url in listed]
    added = [entries[i] for i in _unmatched(page_urls, file_urls)]
    gone = [listed[i] for i in _unmatched(file_urls, page_urls)]
    return added, gone


def _unmatched(urls: Sequence[str], others: Sequence[str]) -> list[int]:
    """Indexes of the `urls` left over when each of `others` takes away one
    equal URL (the first not yet taken)."""
    left = Counter(others)
    unmatched = []
    for index, url in enumerate(urls):
        if left[url] > 0:
            left[url] -= 1
        else:
            unmatched.append(index)
    return unmatched


def _as_seen(entry: ImportedEntry, result: FetchResult) -> ImportedEntry:
    if result.error is not None or not 200 <= (result.status or 0) <= 299:
        why = result.error_detail or f"HTTP {result.status}"
        return replace(entry, guesses=(*entry.guesses, f"--check could not fetch it ({why})"))
    seen = extract(result.body, result.header("content-type"))
    observed = observed_format(result)  # as the nightly check will judge it
    fmt = observed.value if observed is not None else entry.format
    notes = [f"format '{fmt}' as fetched ({result.content_type or 'no type'})"]
    title = seen.title or entry.title
    if seen.title and seen.title != entry.title:
        notes.append(f"title as the resource gives it; the hub's link says '{entry.title}'")
    pages = seen.pages if fmt == "pdf" else None
    if pages is not None:
        notes.append(f"pages {pages} as counted in the PDF")
    kept = tuple(g for g in entry.guesses if not g.startswith(("format", "pages")))
    return replace(entry, title=title, format=fmt, pages=pages, guesses=(*kept, *notes))


def read_source(source: str, fetcher: Fetcher) -> tuple[str, str]:
    """(HTML, the page's address) of a saved file or an http(s) address."""
    if source.startswith(("http://", "https://")):
        return _fetched(source, fetcher), source
    try:
        raw = Path(source).read_bytes()
    except OSError as exc:
        raise HubImportError(f"{source}: cannot read the file: {exc.strerror or exc}") from None
    return decode_html(raw), ""


def _fetched(url: str, fetcher: Fetcher) -> str:
    result = fetcher.fetch(url)
    if result.error is not None or (result.status or 0) >= 400:
        why = result.error_detail or f"HTTP {result.status}"
        raise HubImportError(f"{url}: could not fetch the hub page: {why}")
    # The charset its Content-Type names counts, as for any page curate reads.
    return decode_html(result.body, parse_content_type(result.header("content-type")).charset)
