"""Publish: the hub pages and a JSON feed, from a reviewed run.

`plan_publication(catalogue, run)` is pure: it decides whether the run may
be published (and if not, says why in plain words) and what each hub page
lists. `render_hub_page`, `render_index` and `render_feed` turn the plan into
text; `write_site` is the only function touching the disk.

The rules:

* A run is ready when no resource in it has error severity (curator
  acknowledgements are applied to the run before planning, so an
  acknowledged error no longer has it), its network was not inconclusive,
  it covers every resource of the catalogue (an `--only` run does not), and
  it was made from this very catalogue (same digest). Each failed rule is a
  blocker.
* A `broken` or `gated` resource is left out of the pages, confirmed or not
  (a first-night failure is only a warning and does not block, but patients
  should not be sent to a dead link or a login form either). Left-out
  resources are listed in the feed's `left_out` and in Publication.left_out,
  for curators; never on the public pages. A resource the run did not check
  is left out too (and blocks). Everything else is published, a `skipped`
  resource included: it was only excluded from checking.
* Items link to the catalogue's URL and show the catalogue's title and
  declared page count: curators control both (accepting an observed value
  is how they change).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from pipeline.atomic import staged_folder, write_atomic
from pipeline.models import (
    Availability,
    Catalogue,
    Hub,
    Network,
    Resource,
    ResourceResult,
    Run,
    Severity,
)
from pipeline.report.text import as_utc, explain_availability, iso_utc

TEMPLATES = Path(__file__).resolve().parent / "publish_templates"
PHASES = (
    ("screening", "Screening"),
    ("collection", "Cell collection"),
    ("bridging", "Bridging therapy"),
    ("infusion", "Infusion"),
    ("follow-up", "Follow-up"),
)
GENERAL = "General"
LEFT_OUT = frozenset({Availability.BROKEN, Availability.GATED})
RESERVED_PAGES = frozenset({"index"})  # index.html is the list of hubs
SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_LISTED_IDS = 10  # ids named in one blocker before "and N more"
MAX_REASON = 300
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
FEED = "feed.json"
INDEX = "index.html"


class PublishError(Exception):
    """Publishing was refused or failed; `reasons` lists why, one plain sentence each."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        lines = "\n".join(f"- {reason}" for reason in self.reasons)
        super().__init__(f"not ready to publish:\n{lines}")


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedResource:
    """One resource as patients see it on a hub page."""

    id: str
    title: str
    url: str
    publisher: str
    kind: str
    format: str | None
    pages: int | None
    language: str
    phases: tuple[str, ...]
    last_checked: dt.datetime | None  # None: skipped, not checked in this run
    availability: Availability

    @property
    def linkable(self) -> bool:
        """Only http(s) addresses become links (the catalogue allows nothing else)."""
        return self.url.lower().startswith(("https://", "http://"))


@dataclass(frozen=True)
class Section:
    """A heading of a hub page (a treatment phase, or General) and its items."""

    phase: str  # "" for General
    heading: str
    items: tuple[ListedResource, ...]

    @property
    def anchor(self) -> str:
        return f"phase-{self.phase or 'general'}"


@dataclass(frozen=True)
class HubPage:
    """One hub page: its items once each in catalogue order, and by section."""

    slug: str
    title: str
    description: str
    items: tuple[ListedResource, ...]
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class LeftOut:
    """A catalogue resource kept off the pages, and why (for curators)."""

    id: str
    hub: str
    title: str
    url: str
    availability: Availability | None  # None: not in the run
    reason: str


@dataclass(frozen=True)
class Publication:
    """What would be published from a run, and whether it may be."""

    run_id: str
    generated: dt.datetime
    ready: bool
    blockers: tuple[str, ...]
    included: tuple[HubPage, ...]
    left_out: tuple[LeftOut, ...]


def plan_publication(catalogue: Catalogue, run: Run) -> Publication:
    """Decide what the hub pages list and whether the run may be published."""
    results = {r.resource.id: r for r in run.results}
    blockers = run_blockers(catalogue, run) + error_blockers(run.results)
    left_out: list[LeftOut] = []
    pages = []
    for hub in catalogue.hubs:
        page, dropped = plan_hub(hub, results, run.info.finished)
        pages.append(page)
        left_out += dropped
    return Publication(
        run_id=run.info.id,
        generated=run.info.finished,
        ready=not blockers,
        blockers=tuple(blockers),
        included=tuple(pages),
        left_out=tuple(left_out),
    )


def run_blockers(catalogue: Catalogue, run: Run) -> list[str]:
    """Reasons the run as a whole cannot be published from."""
    info, blockers = run.info, []
    if info.network is Network.INCONCLUSIVE:
        blockers.append(
            f"Run {info.id} was inconclusive: the network itself was down, so it says "
            "nothing about the links. Run curate check again."
        )
    if info.catalogue_digest != catalogue.digest:
        blockers.append(
            f"The catalogue changed since run {info.id} was made from it. "
            "Run curate check again."
        )
    checked = {r.resource.id for r in run.results}
    missing = [r.id for r in catalogue.resources if r.id not in checked]
    if missing:
        blockers.append(
            f"Run {info.id} did not check {len(missing)} of the catalogue's resources "
            f"({_some(missing)}), e.g. it was an --only run. "
            "Run curate check on the whole catalogue."
        )
    blockers += [f"Hub '{hub.slug}' cannot be published: {problem}"
                 for hub in catalogue.hubs if (problem := slug_problem(hub.slug))]
    return blockers


def slug_problem(slug: str) -> str:
    """Why a hub slug cannot name a page file, or ''."""
    if not SAFE_SLUG.fullmatch(slug):
        return "its slug is not lower-case letters, digits and hyphens."
    if slug in RESERVED_PAGES:
        return f"{slug}.html is the site's list of hubs; rename the hub."
    return ""


def error_blockers(results: Iterable[ResourceResult]) -> list[str]:
    """One sentence per resource of error severity: what is wrong with it."""
    return [
        f"{r.resource.id} (“{_bounded(r.resource.title)}”): {error_reason(r).rstrip('.')}. "
        "Fix the catalogue entry or acknowledge the error."
        for r in results
        if r.severity is Severity.ERROR
    ]


def error_reason(result: ResourceResult) -> str:
    """The errors behind a result's severity: its availability and/or findings."""
    parts = []
    if result.availability.severity(result.confirmation.confirmed) is Severity.ERROR:
        parts.append(f"{availability_words(result)}: {explain_availability(result)}")
    parts += [f"{f.code.value}: {f.message}" for f in result.findings
              if f.effective_severity is Severity.ERROR]
    return _bounded("; ".join(parts) or "error severity", MAX_REASON * 2)


def availability_words(result: ResourceResult) -> str:
    """e.g. 'confirmed broken', 'broken (failing 1/2)', 'gated'."""
    availability, confirmation = result.availability, result.confirmation
    if not availability.is_failure:
        return availability.value
    if confirmation.confirmed:
        return f"confirmed {availability.value}"
    return f"{availability.value} (failing {confirmation.failures}/{confirmation.needed})"


def plan_hub(
    hub: Hub, results: dict[str, ResourceResult], checked: dt.datetime
) -> tuple[HubPage, list[LeftOut]]:
    """A hub's page and the resources kept off it."""
    items: list[ListedResource] = []
    dropped: list[LeftOut] = []
    for resource in hub.resources:
        result = results.get(resource.id)
        reason = left_out_reason(result)
        if reason:
            availability = result.availability if result else None
            dropped.append(LeftOut(resource.id, hub.slug, resource.title, resource.url,
                                   availability, reason))
        else:
            items.append(item_of(resource, result, checked))
    page = HubPage(hub.slug, hub.title, hub.description, tuple(items), sections_of(items))
    return page, dropped


def left_out_reason(result: ResourceResult | None) -> str:
    """Why a resource stays off the pages, or '' when it is published."""
    if result is None:
        return "not checked in this run"
    if result.availability not in LEFT_OUT:
        return ""
    return _bounded(f"{availability_words(result)}: {explain_availability(result)}")


def item_of(
    resource: Resource, result: ResourceResult | None, checked: dt.datetime
) -> ListedResource:
    """The published form of a resource: the catalogue's words, the run's date."""
    availability = result.availability if result else Availability.SKIPPED
    return ListedResource(
        id=resource.id,
        title=resource.title,
        url=resource.url,
        publisher=resource.publisher,
        kind=resource.kind,
        format=resource.format.value if resource.format else None,
        pages=resource.pages,
        language=resource.language,
        phases=resource.phases,
        last_checked=None if availability is Availability.SKIPPED else checked,
        availability=availability,
    )


def sections_of(items: Sequence[ListedResource]) -> tuple[Section, ...]:
    """Items by phase, in treatment order; unknown phases next; General last.

    An item with several phases appears under each; empty sections are left out.
    """
    known = [phase for phase, _ in PHASES]
    unknown = [p for p in dict.fromkeys(p for i in items for p in i.phases) if p not in known]
    headings = [*PHASES, *((p, p.replace("-", " ").capitalize()) for p in unknown)]
    sections = [Section(phase, heading, tuple(i for i in items if phase in i.phases))
                for phase, heading in headings]
    sections.append(Section("", GENERAL, tuple(i for i in items if not i.phases)))
    return tuple(s for s in sections if s.items)


def _some(ids: Sequence[str]) -> str:
    """The first ids, then 'and N more'."""
    shown = ", ".join(ids[:MAX_LISTED_IDS])
    rest = len(ids) - MAX_LISTED_IDS
    return f"{shown} and {rest} more" if rest > 0 else shown


def _bounded(text: str, limit: int = MAX_REASON) -> str:
    """One line of at most limit characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["iso_utc"] = iso_utc
    env.filters["meta_parts"] = meta_parts
    return env


def long_date(moment: dt.datetime) -> str:
    """'25 November 2026' (in UTC), the same whatever the machine's locale."""
    day = as_utc(moment)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def meta_parts(item: ListedResource) -> list[str]:
    """What is shown under an item's title: publisher, kind, format and pages, language."""
    kind, fmt = kind_label(item.kind), format_label(item.format, item.pages)
    parts = [
        f"From {item.publisher}" if item.publisher else "",
        kind,
        "" if fmt.lower() == kind.lower() else fmt,  # not "Web page · Web page"
        f"Language: {item.language}" if item.language else "",
    ]
    return [part for part in parts if part]


def kind_label(kind: str) -> str:
    """'fact-sheet' -> 'Fact sheet'."""
    return kind.replace("-", " ").capitalize()


def format_label(fmt: str | None, pages: int | None) -> str:
    """'PDF, 92 pages', 'PDF, 1 page', 'Web page', 'Video', ... ('' when unknown)."""
    names = {"pdf": "PDF", "html": "Web page", "video": "Video", "image": "Image"}
    label = names.get(fmt or "", fmt or "")
    if pages is not None:
        count = f"{pages} page" + ("" if pages == 1 else "s")
        return f"{label}, {count}" if label else count
    return label


def render_hub_page(publication: Publication, hub: HubPage) -> str:
    """One hub page: standalone HTML, grouped by treatment phase."""
    template = _environment().get_template("hub.html.j2")
    return template.render(publication=publication, hub=hub)


def render_index(publication: Publication) -> str:
    """index.html: the list of hub pages."""
    template = _environment().get_template("index.html.j2")
    return template.render(publication=publication)


def render_feed(publication: Publication) -> str:
    """feed.json: every published item per hub, and what was left out."""
    feed = {
        "generated": iso_utc(publication.generated),
        "run_id": publication.run_id,
        "hubs": [
            {"hub": hub.slug, "title": hub.title, "items": [_feed_item(i) for i in hub.items]}
            for hub in publication.included
        ],
        "left_out": [_feed_left_out(entry) for entry in publication.left_out],
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _feed_item(item: ListedResource) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "url": item.url,
        "publisher": item.publisher,
        "kind": item.kind,
        "format": item.format,
        "pages": item.pages,
        "language": item.language,
        "phases": list(item.phases),
        "last_checked": iso_utc(item.last_checked) if item.last_checked else None,
        "availability": item.availability.value,
    }


def _feed_left_out(entry: LeftOut) -> dict[str, Any]:
    return {
        "id": entry.id,
        "hub": entry.hub,
        "title": entry.title,
        "url": entry.url,
        "availability": entry.availability.value if entry.availability else None,
        "reason": entry.reason,
    }


def site_files(publication: Publication) -> dict[str, str]:
    """File name -> content of the whole site."""
    files = {f"{hub.slug}.html": render_hub_page(publication, hub)
             for hub in publication.included}
    files[INDEX] = render_index(publication)
    files[FEED] = render_feed(publication)
    return files


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def write_site(publication: Publication, site_dir: Path) -> list[Path]:
    """Write the site into site_dir, replacing it whole; return the files written.

    Raises PublishError (with the blockers) when the run is not ready, or
    when site_dir exists and is not a folder. The site is built in a temp
    folder beside site_dir and swapped in by two renames, so a failure
    leaves the previous site (or none) in place, never a half-written one.
    site_dir belongs to curate: anything else in it is removed.
    """
    if not publication.ready:
        raise PublishError(publication.blockers)
    if site_dir.exists() and not site_dir.is_dir():
        raise PublishError([f"{site_dir} exists and is not a folder"])
    files = site_files(publication)  # rendered before anything touches the disk
    with staged_folder(site_dir, replace=True) as staging:
        for name, text in files.items():
            write_atomic(staging / name, text)
    return [site_dir / name for name in files]
