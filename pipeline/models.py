"""The typed data that stages hand each other.

Frozen dataclasses and string enums whose values are the exact strings of
report.json (see ../shared/DESIGN.md). No I/O happens here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pipeline.mediatype import parse_content_type


class Severity(StrEnum):
    """How urgently a curator must act. `none` means nothing to do."""

    NONE = "none"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]  # a dict: sorting reports asks this per row

    @staticmethod
    def highest(severities: list[Severity] | tuple[Severity, ...]) -> Severity:
        return max(severities, key=lambda s: s.rank, default=Severity.NONE)


_SEVERITY_ORDER = (Severity.NONE, Severity.INFO, Severity.WARNING, Severity.ERROR)
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(_SEVERITY_ORDER)}


class Availability(StrEnum):
    """The one verdict each resource ends a run with."""

    AVAILABLE = "available"
    REDIRECTED = "redirected"
    GATED = "gated"
    BLOCKED = "blocked"
    BROKEN = "broken"
    SERVER_ERROR = "server-error"
    TIMEOUT = "timeout"
    TLS_ERROR = "tls-error"
    SKIPPED = "skipped"

    @property
    def is_reachable(self) -> bool:
        """Patients can read the resource (possibly via a redirect)."""
        return self in (Availability.AVAILABLE, Availability.REDIRECTED)

    @property
    def is_failure(self) -> bool:
        """A failure that counts toward confirmation across nights: it stays a
        warning until seen on N consecutive nights."""
        return self in _CONFIRMABLE

    def severity(self, confirmed: bool) -> Severity:
        """Default severity, given whether the failure is confirmed."""
        if self in _CONFIRMABLE:
            return Severity.ERROR if confirmed else Severity.WARNING
        return _FIXED_SEVERITY[self]


_CONFIRMABLE = frozenset({Availability.BROKEN, Availability.SERVER_ERROR, Availability.TIMEOUT})
_FIXED_SEVERITY = {
    Availability.AVAILABLE: Severity.NONE,
    Availability.REDIRECTED: Severity.WARNING,
    Availability.GATED: Severity.ERROR,
    Availability.BLOCKED: Severity.WARNING,
    Availability.TLS_ERROR: Severity.ERROR,
    Availability.SKIPPED: Severity.INFO,
}


class FindingCode(StrEnum):
    """Every finding code of the contract, with its default severity."""

    TITLE_CHANGED = "title-changed"
    PAGES_CHANGED = "pages-changed"
    CONTENT_CHANGED = "content-changed"
    FORMAT_MISMATCH = "format-mismatch"
    PERMANENT_REDIRECT = "permanent-redirect"
    SOFT_404 = "soft-404"
    PARKED_DOMAIN = "parked-domain"
    LOGIN_WALL = "login-wall"
    PAYWALL = "paywall"
    REGISTRATION_WALL = "registration-wall"
    COOKIE_WALL = "cookie-wall"
    BOT_CHALLENGE = "bot-challenge"
    RATE_LIMITED = "rate-limited"
    REVIEW_OVERDUE = "review-overdue"
    INSECURE_URL = "insecure-url"
    TOO_LARGE = "too-large"
    DAMAGED_PDF = "damaged-pdf"
    EMBEDDING_DISABLED = "embedding-disabled"
    NOT_MODIFIED = "not-modified"
    ARCHIVED_COPY = "archived-copy"
    BROWSER_VERIFIED = "browser-verified"
    BROWSER_FAILED = "browser-failed"

    @property
    def default_severity(self) -> Severity:
        if self in ERROR_CODES:
            return Severity.ERROR
        if self in _INFO_CODES:
            return Severity.INFO
        return Severity.WARNING


ERROR_CODES = frozenset(
    {
        FindingCode.SOFT_404,
        FindingCode.PARKED_DOMAIN,
        FindingCode.LOGIN_WALL,
        FindingCode.PAYWALL,
        FindingCode.REGISTRATION_WALL,
        FindingCode.COOKIE_WALL,
        FindingCode.FORMAT_MISMATCH,
        FindingCode.DAMAGED_PDF,
    }
)
_INFO_CODES = frozenset(
    {
        FindingCode.INSECURE_URL,
        FindingCode.EMBEDDING_DISABLED,
        FindingCode.NOT_MODIFIED,
        FindingCode.ARCHIVED_COPY,
        FindingCode.BROWSER_VERIFIED,
        FindingCode.BROWSER_FAILED,
    }
)


class Format(StrEnum):
    """The expected format of a resource, as the catalogue declares it."""

    PDF = "pdf"
    HTML = "html"
    VIDEO = "video"
    IMAGE = "image"


class Mode(StrEnum):
    NIGHTLY = "nightly"
    CI = "ci"


class Network(StrEnum):
    OK = "ok"
    INCONCLUSIVE = "inconclusive"


# --------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where an entry was declared, for messages of the form FILE:LINE."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """Per-resource overrides of how it is checked."""

    skip: bool = False
    skip_reason: str = ""
    accept_status: tuple[int, ...] = ()
    max_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    """One catalogue entry: what the hub promises patients."""

    id: str
    title: str
    url: str
    hub: str
    source: SourceLocation
    publisher: str = ""
    kind: str = ""
    format: Format | None = None
    pages: int | None = None
    language: str = ""
    audience: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    added: dt.date | None = None
    last_reviewed: dt.date | None = None
    notes: str = ""
    check: CheckOptions = field(default_factory=CheckOptions)


@dataclass(frozen=True, slots=True)
class Hub:
    """One catalogue file: a hub page and its resources."""

    slug: str
    title: str
    description: str
    source: str
    resources: tuple[Resource, ...]


@dataclass(frozen=True, slots=True)
class Catalogue:
    hubs: tuple[Hub, ...]
    digest: str

    @property
    def resources(self) -> tuple[Resource, ...]:
        return tuple(r for hub in self.hubs for r in hub.resources)


# --------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------


class FetchError(StrEnum):
    """Why a fetch produced no complete HTTP answer (or an unusable one)."""

    DNS = "dns"
    CONNECTION_REFUSED = "connection-refused"
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    TLS = "tls"
    REDIRECT_LOOP = "redirect-loop"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    BAD_REDIRECT = "bad-redirect"
    TOO_LARGE = "too-large"
    UNSUPPORTED_SCHEME = "unsupported-scheme"
    FORBIDDEN_ADDRESS = "forbidden-address"


@dataclass(frozen=True, slots=True)
class Hop:
    """One answer in a redirect chain."""

    url: str
    status: int
    location: str = ""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Everything the fetch stage saw for one URL; a dead link is data here."""

    url: str
    final_url: str
    status: int | None
    redirects: tuple[Hop, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False
    error: FetchError | None = None
    error_detail: str = ""
    elapsed_ms: int = 0
    attempts: int = 1

    def header(self, name: str) -> str:
        """Case-insensitive header lookup; '' when absent."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), "")

    @property
    def content_type(self) -> str:
        """The media type of the Content-Type header, lower-cased; '' when absent."""
        return parse_content_type(self.header("content-type")).media_type


# --------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormFeatures:
    """One <form> of a page, described for the judge (no judgement here)."""

    has_password: bool = False
    has_email: bool = False
    text_inputs: int = 0  # visible text-like inputs: text, email, tel, name fields
    in_chrome: bool = False  # inside header/nav/footer/aside, or a hidden/modal container
    action: str = ""  # the form's action attribute, bounded
    vendor: str = ""  # marketing or webinar form vendor recognised on the form, '' if none


@dataclass(frozen=True, slots=True)
class PageFeatures:
    """Facts about an HTML page that the judge needs to tell walls from pages.

    `markers` are names of recognised signatures, "<family>:<name>", e.g.
    "paywall:piano", "consent:onetrust", "parking:sedo", "challenge:cloudflare",
    "form:hubspot", "webinar:on24", "video:youtube", "schema:not-free".
    """

    headings: tuple[str, ...] = ()  # h1 and h2 texts, in order, bounded
    forms: tuple[FormFeatures, ...] = ()
    markers: frozenset[str] = frozenset()
    meta_refresh: str = ""  # target of <meta http-equiv=refresh>, if any

    def has_marker(self, family: str) -> bool:
        return any(m.startswith(family + ":") for m in self.markers)

    def markers_of(self, family: str) -> list[str]:
        return sorted(m for m in self.markers if m.startswith(family + ":"))


@dataclass(frozen=True, slots=True)
class Extraction:
    """What the extractors read from a body: pure data, no judgement."""

    title: str | None = None
    pages: int | None = None
    language: str | None = None
    text: str = ""
    reader: str = ""
    damaged: bool = False
    problem: str = ""
    text_length: int = 0  # characters of readable text
    fingerprint: int | None = None  # 64-bit SimHash of the readable text
    features: PageFeatures | None = None  # HTML only


@dataclass(frozen=True, slots=True)
class Probe:
    """The answer to a random sibling path on the same host (soft-404 check).

    A host that answers an invented path with the same page as the resource
    is not telling the truth about either (Bar-Yossef et al., WWW 2004).
    """

    url: str
    status: int | None
    final_url: str = ""
    title: str | None = None
    fingerprint: int | None = None
    text_length: int = 0


@dataclass(frozen=True, slots=True)
class ArchiveCapture:
    """A web archive's newest capture of `url`: where to read it and when it
    was taken (UTC); the fetch stage finds it, the judge words the finding.

    `lookup_url` is the address that was asked (the finding's evidence).
    """

    url: str
    lookup_url: str
    capture_url: str
    captured_at: dt.datetime


@dataclass(frozen=True, slots=True)
class VideoCheck:
    """What a video platform's oEmbed endpoint said of a video URL."""

    platform: str  # "youtube" | "vimeo"
    endpoint: str
    status: int | None
    title: str | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class Baseline:
    """The resource's last good night, from the history store."""

    run_id: str
    title: str | None = None
    pages: int | None = None
    text_length: int = 0
    fingerprint: int | None = None
    sha256: str = ""


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a curator should know, with the evidence behind it."""

    code: FindingCode
    message: str
    severity: Severity | None = None
    evidence: str = ""

    @property
    def effective_severity(self) -> Severity:
        return self.severity or self.code.default_severity


@dataclass(frozen=True, slots=True)
class Observation:
    """What curate observed of a resource this run (report.json `observed`)."""

    final_url: str
    status: int | None
    redirects: tuple[Hop, ...] = ()
    content_type: str = ""
    bytes: int = 0
    sha256: str = ""
    title: str | None = None
    pages: int | None = None
    language: str | None = None
    etag: str = ""
    last_modified: str = ""
    elapsed_ms: int = 0
    error: str = ""
    text_length: int = 0  # kept in the history, not in report.json
    fingerprint: int | None = None  # SimHash of the text, for content drift
    browser: BrowserSeen | None = None  # the second opinion, when there was one


class BrowserOutcome(StrEnum):
    """How the browser's second opinion ended (report.json `observed.browser.outcome`)."""

    VERIFIED = "verified"  # the rendered page decided the verdict
    STILL_BLOCKED = "still-blocked"  # the challenge was still shown at the timeout
    FAILED = "failed"  # no opinion: a crash, a timeout, a download, max_pages


@dataclass(frozen=True)
class Rendered:
    """What headless Chromium saw of one page after its scripts ran (browser.py)."""

    url: str
    final_url: str
    status: int | None
    content_type: str
    html: str
    title: str
    seconds: float
    still_waiting: bool = False  # the page was still a challenge at the timeout
    refused: tuple[str, ...] = ()  # requests the address guard stopped


@dataclass(frozen=True)
class BrowserFailure:
    """The browser could not give an opinion on one page, and why."""

    url: str
    detail: str


@dataclass(frozen=True, slots=True)
class BrowserSeen:
    """What headless Chromium saw, beside what the HTTP check saw."""

    outcome: BrowserOutcome
    final_url: str = ""
    status: int | None = None
    title: str | None = None
    text_length: int = 0
    seconds: float = 0.0
    detail: str = ""
    http_status: int | None = None  # what the HTTP check got, for the side-by-side
    http_title: str | None = None


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive failing nights ending with the resource's newest counted night."""

    failures: int
    first_failed: dt.datetime | None
    availability: str | None  # the newest failing availability; None when failures == 0


@dataclass(frozen=True, slots=True)
class Confirmation:
    """How many consecutive failing nights, and whether that confirms it."""

    failures: int = 0
    needed: int = 2
    confirmed: bool = False
    first_failed: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Everything the judge weighs for one resource: the fetch, what was read
    from it, and the side checks (soft-404 probe, oEmbed, last good night).

    Once read, `result` keeps only a short prefix of the body (memory stays
    flat over a large catalogue); `size` and `sha256` are the whole body's.
    """

    result: FetchResult
    extraction: Extraction
    probe: Probe | None = None
    video: VideoCheck | None = None
    baseline: Baseline | None = None
    size: int = 0
    sha256: str = ""


@dataclass(frozen=True, slots=True)
class Judgement:
    """The judge's answer for one fetch: availability and findings.

    `reason` says in plain words why the availability is what it is when no
    finding does (e.g. "YouTube says the video was removed or is private").
    """

    availability: Availability
    findings: tuple[Finding, ...] = ()
    reason: str = ""


# One entry judged from its URL's fetch: the verdict and what was seen.
Judged = tuple[Judgement, Observation]


@dataclass(frozen=True, slots=True)
class ResourceResult:
    """One resource at the end of a run."""

    resource: Resource
    availability: Availability
    severity: Severity
    findings: tuple[Finding, ...]
    observed: Observation | None
    confirmation: Confirmation


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: str
    started: dt.datetime
    finished: dt.datetime
    tool_version: str
    mode: Mode
    network: Network
    catalogue_digest: str


@dataclass(frozen=True, slots=True)
class Run:
    info: RunInfo
    results: tuple[ResourceResult, ...]

    def count_by_availability(self) -> dict[str, int]:
        counts = {a.value: 0 for a in Availability}
        for result in self.results:
            counts[result.availability.value] += 1
        return counts

    def count_by_severity(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for result in self.results:
            counts[result.severity.value] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(r.severity is Severity.ERROR for r in self.results)


@dataclass(frozen=True)
class Night:
    """One resource on one run, as `curate history ID` lists it (newest first).

    Read from the history (pipeline.history) but defined here, so that the
    reports it is shown in need not import the history store."""

    run_id: str
    started: dt.datetime
    mode: str
    network: str
    availability: str
    severity: str
    status: int | None
    final_url: str
    title: str | None
    pages: int | None
    findings: tuple[str, ...]  # finding codes
    etag: str
    last_modified: str
    sha256: str
    text_length: int
    fingerprint: int | None
