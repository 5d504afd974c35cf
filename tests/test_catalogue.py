"""Tests of pipeline.catalogue: loading, validation messages and the shipped data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from pipeline.catalogue import (
    SCHEMA_PATH,
    CatalogueError,
    Problem,
    catalogue_paths,
    load_catalogue,
    load_resources_from_text,
    validate,
)
from pipeline.catalogue import load as catalogue_load
from pipeline.catalogue import yaml as catalogue_yaml
from pipeline.models import Catalogue, CheckOptions, Format, SourceLocation

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "catalogue"

# Lines 1-6; a snippet's first line is line 7.
HEAD = """\
hub: test-hub
title: Test hub
resources:
  - id: good-one
    title: Good
    url: https://example.org/good
"""


def problems_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *files: tuple[str, str]
) -> list[str]:
    """Write `files` (name, text) into tmp_path and return the loader's problem lines."""
    monkeypatch.chdir(tmp_path)
    for name, text in files:
        Path(name).write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue([Path(name) for name, _ in files])
    return [str(p) for p in caught.value.problems]


def entry(
    *lines: str,
    id: str = "x-1",
    title: str | None = "X",
    url: str | None = "https://example.org/x",
) -> str:
    """HEAD plus one entry: id (line 7), then title and url unless None, then `lines`."""
    fields = [f"title: {title}"] if title is not None else []
    fields += [f"url: {url}"] if url is not None else []
    fields += lines
    return HEAD + f"  - id: {id}\n" + "".join(f"    {f}\n" for f in fields)


BAD_ENTRIES = [
    pytest.param(
        entry("titel: Mayo", id="mayo-infographic", title=None),
        "x.yaml:7: mayo-infographic: missing required field 'title'",
        "x.yaml:9: mayo-infographic: unknown field 'titel' (did you mean 'title'?)",
        id="misspelt-title",
    ),
    pytest.param(
        entry("colour: red"),
        None,
        "x.yaml:10: x-1: unknown field 'colour' (allowed: id, title, url, publisher, kind, "
        "format, pages, language, audience, phases, added, last_reviewed, notes, check)",
        id="unknown-field-no-suggestion",
    ),
    pytest.param(
        HEAD + "  - id: no-url\n    title: T\n",
        None,
        "x.yaml:7: no-url: missing required field 'url'",
        id="missing-url",
    ),
    pytest.param(
        HEAD + "  - title: T\n    url: https://example.org/t\n",
        None,
        "x.yaml:7: -: missing required field 'id'",
        id="missing-id",
    ),
    pytest.param(
        entry(url="ftp://example.org/guide.pdf"),
        None,
        "x.yaml:9: x-1: url 'ftp://example.org/guide.pdf' must start with http:// or https://",
        id="ftp-url",
    ),
    pytest.param(
        entry(url="www.example.org/guide"),
        None,
        "x.yaml:9: x-1: url 'www.example.org/guide' has no http:// or https:// "
        "(did you mean 'https://www.example.org/guide'?)",
        id="url-without-scheme",
    ),
    pytest.param(
        entry(url="'javascript:alert(1)'"),
        None,
        "x.yaml:9: x-1: url 'javascript:alert(1)' must start with http:// or https://",
        id="javascript-url",
    ),
    pytest.param(
        entry(url="'https:///guide'"),
        None,
        "x.yaml:9: x-1: url 'https:///guide' has no host name (e.g. https://www.example.org/...)",
        id="url-without-host",
    ),
    pytest.param(
        entry(url="https://example.org/a guide"),
        None,
        "x.yaml:9: x-1: url 'https://example.org/a guide' contains a space or line break",
        id="url-with-space",
    ),
    pytest.param(
        entry(url="''"),
        None,
        "x.yaml:9: x-1: url is empty",
        id="empty-url",
    ),
    pytest.param(
        entry("added: 2024-02-30"),
        None,
        "x.yaml:10: x-1: added '2024-02-30' is not a valid date (write YYYY-MM-DD)",
        id="impossible-yaml-date",
    ),
    pytest.param(
        entry("last_reviewed: '2024-13-01'"),
        None,
        "x.yaml:10: x-1: last_reviewed '2024-13-01' is not a valid date (write YYYY-MM-DD)",
        id="impossible-quoted-date",
    ),
    pytest.param(
        entry("added: 25/11/2026"),
        None,
        "x.yaml:10: x-1: added '25/11/2026' is not a valid date (write YYYY-MM-DD)",
        id="date-in-wrong-form",
    ),
    pytest.param(
        entry("added: 2026-11-25 10:00:00"),
        None,
        "x.yaml:10: x-1: added '2026-11-25T10:00:00' is not a valid date (write YYYY-MM-DD)",
        id="date-with-time",
    ),
    pytest.param(
        entry("format: html", "pages: 2"),
        None,
        "x.yaml:11: x-1: 'pages' is only for PDFs, but format is 'html': "
        "remove 'pages' or use 'format: pdf'",
        id="pages-on-html",
    ),
    pytest.param(
        entry("pages: 2"),
        None,
        "x.yaml:10: x-1: 'pages' is only for PDFs: add 'format: pdf' or remove 'pages'",
        id="pages-without-format",
    ),
    pytest.param(
        entry("format: pdf", "pages: 0"),
        None,
        "x.yaml:11: x-1: pages must be 1 or more, not 0",
        id="zero-pages",
    ),
    pytest.param(
        entry("format: pdf", "pages: two"),
        None,
        "x.yaml:11: x-1: pages must be a whole number, not the text 'two'",
        id="pages-not-a-number",
    ),
    pytest.param(
        entry("format: docx"),
        None,
        "x.yaml:10: x-1: format 'docx' is not one of: pdf, html, video, image",
        id="unknown-format",
    ),
    pytest.param(
        entry("kind: infograhpic"),
        None,
        "x.yaml:10: x-1: kind 'infograhpic' is not one of: guide, infographic, fact-sheet, "
        "web-page, webinar, glossary, video, news (did you mean 'infographic'?)",
        id="misspelt-kind",
    ),
    pytest.param(
        entry("language: english"),
        None,
        "x.yaml:10: x-1: language 'english' is not a language tag such as 'en', 'fr' or 'pt-BR'",
        id="bad-language",
    ),
    pytest.param(
        entry(id="Mayo_Infographic"),
        None,
        "x.yaml:7: Mayo_Infographic: id 'Mayo_Infographic' is not a valid id: use lower-case "
        "letters, digits and single hyphens (e.g. 'mayo-infographic')",
        id="id-not-a-slug",
    ),
    pytest.param(
        entry("phases:", "  - infusion", "  - infsion"),
        None,
        "x.yaml:12: x-1: phases contains 'infsion', which is not one of: screening, "
        "collection, bridging, infusion, follow-up (did you mean 'infusion'?)",
        id="unknown-phase",
    ),
    pytest.param(
        entry("phases: [infusion, infusion]"),
        None,
        "x.yaml:10: x-1: phases lists 'infusion' more than once",
        id="repeated-phase",
    ),
    pytest.param(
        entry("audience: patients"),
        None,
        "x.yaml:10: x-1: audience must be a list, not the text 'patients'",
        id="audience-not-a-list",
    ),
    pytest.param(
        entry(title="''"),
        None,
        "x.yaml:8: x-1: title is empty",
        id="empty-title",
    ),
    pytest.param(
        entry("publisher:"),
        None,
        "x.yaml:10: x-1: publisher has no value",
        id="publisher-without-value",
    ),
    pytest.param(
        entry("notes: 42"),
        None,
        "x.yaml:10: x-1: notes must be text, not 42",
        id="notes-not-text",
    ),
    pytest.param(
        entry("check:", "  accept_status: [200, 700]"),
        None,
        "x.yaml:11: x-1: check.accept_status: 700 is not an HTTP status (100-599)",
        id="bad-accept-status",
    ),
    pytest.param(
        entry("check:", "  max_bytes: 0"),
        None,
        "x.yaml:11: x-1: check.max_bytes must be 1 or more, not 0",
        id="zero-max-bytes",
    ),
    pytest.param(
        entry("check:", "  skip: yes"),
        None,
        "x.yaml:11: x-1: check.skip must be true or false, not the text 'yes'",
        id="skip-not-boolean",
    ),
    pytest.param(
        entry("check:", "  skip_resaon: moved"),
        None,
        "x.yaml:11: x-1: unknown field 'skip_resaon' (did you mean 'skip_reason'?)",
        id="misspelt-check-field",
    ),
    pytest.param(
        HEAD + "  - just a title\n",
        None,
        "x.yaml:7: -: each entry of 'resources' must be a set of fields (name: value), "
        "not the text 'just a title'",
        id="entry-not-a-mapping",
    ),
]


@pytest.mark.parametrize(("text", "first", "expected"), BAD_ENTRIES)
def test_bad_entry_is_reported_with_file_line_and_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, first: str | None, expected: str
) -> None:
    problems = problems_of(tmp_path, monkeypatch, ("x.yaml", text))
    assert problems == ([first] if first else []) + [expected]


BAD_FILES = [
    pytest.param(
        "", "x.yaml:1: -: the file is empty; it needs hub, title and resources", id="empty"
    ),
    pytest.param(
        "# only a comment\n",
        "x.yaml:1: -: the file is empty; it needs hub, title and resources",
        id="only-comments",
    ),
    pytest.param(
        "- a\n- b\n",
        "x.yaml:1: -: the file must be a set of fields (hub, title, resources), not a list",
        id="top-level-list",
    ),
    pytest.param(
        "just words\n",
        "x.yaml:1: -: the file must be a set of fields (hub, title, resources), "
        "not the text 'just words'",
        id="top-level-text",
    ),
    pytest.param(
        "# hub\nhub: h\ntitle: T\n",
        "x.yaml:2: -: missing required field 'resources' "
        "(write 'resources: []' if there are none yet)",
        id="missing-resources",
    ),
    pytest.param(
        "hub: h\ntitle: T\nresources:\n",
        "x.yaml:3: -: resources has no value (write 'resources: []' for an empty list)",
        id="resources-without-value",
    ),
    pytest.param(
        "hub: h\ntitle: T\nresources: {}\n",
        "x.yaml:3: -: resources must be a list, not a set of fields",
        id="resources-not-a-list",
    ),
    pytest.param(
        "hub: h\ntitle: T\nresources: []\ntitel: X\n",
        "x.yaml:4: -: unknown field 'titel' (did you mean 'title'?)",
        id="unknown-top-level-field",
    ),
    pytest.param(
        "hub: CAR T phases\ntitle: T\nresources: []\n",
        "x.yaml:1: -: hub 'CAR T phases' is not a valid id: use lower-case letters, digits "
        "and single hyphens (e.g. 'car-t-phases')",
        id="hub-not-a-slug",
    ),
    pytest.param(
        "hub: h\nresources: []\n",
        "x.yaml:1: -: missing required field 'title'",
        id="missing-title",
    ),
    pytest.param(
        "hub: h\ntitle: T\nresources: []\n  bad: indent\n",
        "x.yaml:4: -: invalid YAML: while parsing a block mapping; expected <block end>, "
        "but found '<block mapping start>'",
        id="invalid-yaml",
    ),
    pytest.param(
        "hub: h\ntitle: T\nresources:\n  - id: a\n    id: b\n",
        'x.yaml:5: -: invalid YAML: while constructing a mapping; found duplicate key "id" '
        'with value "b" (original value: "a")',
        id="duplicate-key",
    ),
    pytest.param(
        'hub: h\ntitle: "T\nresources: []\n',
        None,
        id="unclosed-quote",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FILES)
def test_bad_file_is_one_clear_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str | None
) -> None:
    problems = problems_of(tmp_path, monkeypatch, ("x.yaml", text))
    assert len(problems) == 1
    if expected is None:
        assert re.fullmatch(r"x\.yaml:[1-4]: -: invalid YAML: .+", problems[0])
    else:
        assert problems == [expected]


def test_every_problem_across_files_is_reported_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = """\
hub: first-hub
title: First
resources:
  - id: mayo-infographic
    titel: Mayo infographic
    url: https://example.org/mayo
  - id: no-url
    title: No url
  - id: ftp-guide
    title: Guide
    url: ftp://example.org/guide.pdf
    added: 2024-02-30
  - id: web-page
    title: A page
    url: https://example.org/page
    format: html
    pages: 3
  - id: shared-id
    title: Shared
    url: https://example.org/shared
"""
    second = """\
hub: second-hub
title: Second
resources:
  - id: Bad_Id
    title: Bad id
    url: https://example.org/bad
  - id: shared-id
    title: Shared again
    url: https://example.org/shared-again
"""
    problems = problems_of(tmp_path, monkeypatch, ("a.yaml", first), ("b.yaml", second))
    assert problems == [
        "a.yaml:4: mayo-infographic: missing required field 'title'",
        "a.yaml:5: mayo-infographic: unknown field 'titel' (did you mean 'title'?)",
        "a.yaml:7: no-url: missing required field 'url'",
        "a.yaml:11: ftp-guide: url 'ftp://example.org/guide.pdf' must start with http:// or "
        "https://",
        "a.yaml:12: ftp-guide: added '2024-02-30' is not a valid date (write YYYY-MM-DD)",
        "a.yaml:17: web-page: 'pages' is only for PDFs, but format is 'html': remove 'pages' "
        "or use 'format: pdf'",
        "b.yaml:4: Bad_Id: id 'Bad_Id' is not a valid id: use lower-case letters, digits and "
        "single hyphens (e.g. 'bad-id')",
        "b.yaml:7: shared-id: duplicate id: also used at a.yaml:18",
    ]


def test_problems_are_in_file_then_line_order_and_print_one_per_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("b.yaml").write_text(entry("added: nope"), encoding="utf-8")
    Path("a.yaml").write_text("hub: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue([Path("b.yaml"), Path("a.yaml")])
    error = caught.value
    assert [p.file for p in error.problems] == ["b.yaml", "a.yaml"]
    assert str(error).splitlines() == [str(p) for p in error.problems]


def test_duplicate_hub_slug_names_the_first_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "hub: same\ntitle: T\nresources: []\n"
    problems = problems_of(tmp_path, monkeypatch, ("a.yaml", text), ("b.yaml", text))
    assert problems == ["b.yaml:1: -: hub 'same' is already declared at a.yaml:1"]


def test_problem_string_form() -> None:
    assert (
        str(Problem("c/x.yaml", 14, "mayo", "unknown field")) == "c/x.yaml:14: mayo: unknown field"
    )


def test_valid_entry_becomes_a_resource(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = entry(
        "publisher: Mayo Clinic",
        "kind: guide",
        "format: pdf",
        "pages: 92",
        "language: en-GB",
        "audience: [patients, carers]",
        "phases: [screening, follow-up]",
        "added: 2026-11-25",
        "last_reviewed: '2026-11-26'",
        "notes: >-",
        "  Two lines",
        "  of notes.",
        "check:",
        "  skip: true",
        "  skip_reason: blocks robots",
        "  accept_status: [403]",
        "  max_bytes: 1000",
    )
    Path("x.yaml").write_text(text, encoding="utf-8")
    catalogue = load_catalogue([Path("x.yaml")])
    (hub,) = catalogue.hubs
    assert (hub.slug, hub.title, hub.source) == ("test-hub", "Test hub", "x.yaml")
    good, resource = hub.resources
    assert good.source == SourceLocation("x.yaml", 4)
    assert resource.id == "x-1"
    assert resource.hub == "test-hub"
    assert resource.source == SourceLocation("x.yaml", 7)
    assert resource.format is Format.PDF
    assert resource.pages == 92
    assert resource.language == "en-GB"
    assert resource.audience == ("patients", "carers")
    assert resource.phases == ("screening", "follow-up")
    assert resource.added == dt.date(2026, 11, 25)
    assert resource.last_reviewed == dt.date(2026, 11, 26)
    assert resource.notes == "Two lines of notes."
    assert resource.check == CheckOptions(
        skip=True, skip_reason="blocks robots", accept_status=(403,), max_bytes=1000
    )
    assert type(resource.title) is str and type(resource.notes) is str


def test_minimal_entry_has_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.yaml").write_text(HEAD, encoding="utf-8")
    (resource,) = load_catalogue([Path("x.yaml")]).resources
    assert resource.format is None and resource.pages is None and resource.added is None
    assert resource.audience == () and resource.check == CheckOptions()


def test_empty_resource_list_loads(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("hub: h\ntitle: T\ndescription: D\nresources: []\n", encoding="utf-8")
    (hub,) = load_catalogue([path]).hubs
    assert hub.resources == () and hub.description == "D"


def test_folder_expands_to_sorted_yaml_files(tmp_path: Path) -> None:
    for name in ("b.yml", "a.yaml", "notes.txt", ".#a.yaml"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert catalogue_paths([tmp_path]) == [tmp_path / "a.yaml", tmp_path / "b.yml"]
    assert catalogue_paths([tmp_path, tmp_path / "a.yaml"]) == [
        tmp_path / "a.yaml",
        tmp_path / "b.yml",
    ]


def test_missing_path_and_empty_folder_are_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogueError) as caught:
        catalogue_paths([tmp_path / "nope.yaml", tmp_path / "empty"])
    assert [p.message for p in caught.value.problems] == [
        "no such file or folder",
        "no .yaml or .yml files here",
    ]


def test_digest_is_stable_and_tracks_content(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(f"hub: {name[0]}\ntitle: T\nresources: []\n", "utf-8")
    digest = load_catalogue([tmp_path]).digest
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert load_catalogue([tmp_path]).digest == digest
    assert load_catalogue([tmp_path / "b.yaml", tmp_path / "a.yaml"]).digest == digest
    (tmp_path / "b.yaml").write_text("hub: b\ntitle: T \nresources: []\n", "utf-8")
    assert load_catalogue([tmp_path]).digest != digest


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


# --------------------------------------------------------------------------
# The shipped catalogue
# --------------------------------------------------------------------------

MIRRORS = ("pdfslide", "studenta", "studylib", "readkong")


def test_shipped_catalogue_loads_without_problems() -> None:
    catalogue = load_catalogue([SHIPPED])
    hubs = {hub.slug: hub for hub in catalogue.hubs}
    assert set(hubs) == {"car-t-phases", "car-t-more-resources"}
    assert len(hubs["car-t-more-resources"].resources) == 64
    assert load_catalogue([SHIPPED]).digest == catalogue.digest


def test_car_t_phases_lists_the_hub_pages_eight_resources_in_order() -> None:
    (hub,) = load_catalogue([SHIPPED / "car-t-phases.yaml"]).hubs
    assert hub.title == "CAR T-cell therapy phases"
    assert [r.id for r in hub.resources] == [
        "mayo-car-t-infographic",
        "mayo-car-t-program-overview",
        "attc-car-t-patient-guide",
        "bms-car-t-treatment-experience-infographic",
        "bms-cell-therapy-treatment-experience-fact-sheet",
        "kite-yourcartguide-understanding-treatment",
        "mpe-myeloma-car-t-webinar-2023",
        "attc-car-t-glossary",
    ]
    pages = {r.id: r.pages for r in hub.resources if r.pages is not None}
    assert pages == {
        "attc-car-t-patient-guide": 92,
        "bms-cell-therapy-treatment-experience-fact-sheet": 1,
    }
    assert all(r.added == dt.date(2026, 11, 25) and r.publisher for r in hub.resources)


def test_shipped_urls_are_first_party_web_addresses() -> None:
    resources = load_catalogue([SHIPPED]).resources
    assert len(resources) >= 8  # the loop below must have entries to check
    for resource in resources:
        assert re.match(r"https?://[^/\s]+", resource.url), resource.id
        assert not any(m in resource.url for m in MIRRORS), resource.id
        assert resource.pages is None or resource.format is Format.PDF, resource.id


# --------------------------------------------------------------------------
# The fast reader and the precise (ruamel.yaml) reader agree
# --------------------------------------------------------------------------


def _outcome(paths: list[Path]) -> Catalogue | list[str]:
    """The loaded catalogue, or the problem lines."""
    try:
        return load_catalogue(paths)
    except CatalogueError as error:
        return [str(p) for p in error.problems]


def both_ways(
    monkeypatch: pytest.MonkeyPatch, *paths: Path
) -> tuple[Catalogue | list[str], Catalogue | list[str]]:
    """load_catalogue's outcome as it is, then with the fast reader switched off."""
    fast = _outcome(list(paths))
    with monkeypatch.context() as m:
        m.setattr(catalogue_load, "fast_tree", lambda raw: None)
        precise = _outcome(list(paths))
    return fast, precise


def no_ruamel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any use of the precise reader fail the test (the fast reader must do)."""

    def refuse() -> None:
        raise AssertionError("the file was read with ruamel.yaml")

    monkeypatch.setattr(catalogue_load, "round_trip", refuse)


def generated_catalogue(count: int, seed: int = 7, hub: str = "generated") -> str:
    """A valid catalogue file of `count` entries written in many different ways."""
    rnd = random.Random(seed)
    out = [
        "# A generated catalogue\n",
        f"hub: {hub}\n",
        "title: 'Generated: every layout'\n",
        "description: >-\n  Folded\n  description.\n\n",
        "resources:\n",
    ]
    titles = [
        "Guide",
        "Ünïcode — “quoted” title",
        "10 things to ask",
        "no",
        "yes",
        "on",
        "Null island",
        "True story",
        "CAR-T: what next?",
        "日本語のガイド",
        "50% off",
        "a # not a comment",
    ]
    for i in range(count):
        title = rnd.choice(titles)
        fields = [
            f"id: r-{i}",
            f"title: {json.dumps(title, ensure_ascii=rnd.random() < 0.5)}"
            if rnd.random() < 0.5
            else f"title: '{title}'",
            rnd.choice(
                [
                    f"url: https://example.org/{i}",
                    f'url: "http://127.0.0.1:8080/u/{i}?q=1#f"',
                    f"url: 'https://Example.ORG:443/a/{i}'",
                    f"url: https://例え.jp/{i}",
                ]
            ),
        ]
        if rnd.random() < 0.5:
            fields.append(
                rnd.choice(["publisher: Mayo Clinic", "publisher: 'BMS'", 'publisher: ""'])
            )
        if rnd.random() < 0.5:
            fields.append("kind: " + rnd.choice(["guide", "web-page", "video", "fact-sheet"]))
        if rnd.random() < 0.5:
            if rnd.random() < 0.5:
                fields += ["format: pdf", f"pages: {rnd.randint(1, 300)}"]
            else:
                fields.append("format: " + rnd.choice(["html", "video", "image"]))
        if rnd.random() < 0.4:
            fields.append("language: " + rnd.choice(["en", "fr", "pt-BR", "no", "nl", "de"]))
        if rnd.random() < 0.4:
            people = rnd.sample(["patients", "carers", "clinicians"], rnd.randint(0, 3))
            if rnd.random() < 0.5:
                fields.append(f"audience: [{', '.join(people)}]")
            else:
                fields.append(
                    "audience:" + "".join(f"\n      - {p}" for p in people)
                    if people
                    else "audience: []"
                )
        if rnd.random() < 0.4:
            phases = rnd.sample(["screening", "collection", "bridging", "infusion", "follow-up"], 2)
            fields.append(f"phases: [{', '.join(phases)}]")
        if rnd.random() < 0.5:
            fields.append(
                f"added: 20{rnd.randint(10, 29)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            )
        if rnd.random() < 0.3:
            fields.append(rnd.choice(["last_reviewed: '2026-11-26'", "last_reviewed: 2026-02-28"]))
        if rnd.random() < 0.3:
            fields.append(
                rnd.choice(
                    [
                        "notes: >-\n      Two lines\n      of notes.",
                        "notes: |\n      Literal\n        indented\n      text",
                        "notes: plain notes with a colon:in the middle",
                        'notes: "Double \\"quoted\\" with \\u00e9 escape"',
                        "notes: multi-line\n      plain scalar",
                    ]
                )
            )
        if rnd.random() < 0.2:
            fields.append(
                rnd.choice(
                    [
                        "check:\n      skip: true\n      skip_reason: blocks robots",
                        "check: {accept_status: [403, 429], max_bytes: 50000000}",
                        "check:\n      accept_status:\n        - 403\n      max_bytes: 1000",
                        "check: {skip: false}",
                    ]
                )
            )
        if rnd.random() < 0.1:
            rnd.shuffle(fields)  # id not first
        lead = rnd.choice(
            ["", "", "", "\n", "  # a comment before the entry\n", "# at column 0\n\n"]
        )
        single_line = all("\n" not in f for f in fields)
        if single_line and rnd.random() < 0.1:
            out.append(lead + "  - {" + ", ".join(fields) + "}\n")
        elif rnd.random() < 0.05:
            out.append(lead + "  -\n" + "".join(f"    {f}\n" for f in fields))
        else:
            eol = "  # end-of-line comment" if rnd.random() < 0.1 else ""
            out.append(lead + "  - " + "\n    ".join(fields) + eol + "\n")
    return "".join(out)


def test_fast_and_precise_readers_agree_on_the_shipped_catalogue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast, precise = both_ways(monkeypatch, SHIPPED)
    assert isinstance(fast, Catalogue)
    assert fast == precise
    no_ruamel(monkeypatch)
    assert load_catalogue([SHIPPED]) == fast  # read without ruamel.yaml


def test_fast_and_precise_readers_agree_on_a_varied_generated_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "generated.yaml"
    path.write_text(generated_catalogue(2000), encoding="utf-8")
    fast, precise = both_ways(monkeypatch, path)
    assert isinstance(fast, Catalogue) and isinstance(precise, Catalogue)
    assert len(fast.resources) == 2000
    assert [r.source for r in fast.resources] == [r.source for r in precise.resources]
    assert fast == precise
    no_ruamel(monkeypatch)
    assert load_catalogue([path]) == fast


def test_fast_reader_handles_crlf_and_a_byte_order_mark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.yaml"
    text = generated_catalogue(200).replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    fast, precise = both_ways(monkeypatch, path)
    assert isinstance(fast, Catalogue) and fast == precise
    no_ruamel(monkeypatch)
    assert load_catalogue([path]) == fast


ENTRY_LAYOUTS = [
    pytest.param(
        "  # comment\n\n  - id: a\n    title: A\n    url: https://e.org/a\n", id="comment-before"
    ),
    pytest.param("  - {id: a, title: A, url: 'https://e.org/a'}\n", id="flow-entry"),
    pytest.param(
        "  - {id: a,\n     title: A, url: 'https://e.org/a'}\n", id="flow-entry-two-lines"
    ),
    pytest.param("  - title: A\n    url: https://e.org/a\n    id: a\n", id="id-not-first"),
    pytest.param("  -\n    id: a\n    title: A\n    url: https://e.org/a\n", id="dash-alone"),
    pytest.param("- id: a\n  title: A\n  url: https://e.org/a\n", id="no-indent"),
    pytest.param(
        "  - id: a\n    title: A\n    url: https://e.org/a\n    notes: |\n      x\n\n\n"
        "  - id: b\n    title: B\n    url: https://e.org/b\n",
        id="after-block-scalar",
    ),
    pytest.param("  - id: a\n    title: A\n    url: https://e.org/a\n...\n", id="document-end"),
]


@pytest.mark.parametrize("entries", ENTRY_LAYOUTS)
def test_fast_reader_gives_each_entry_the_precise_readers_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: str
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("---\nhub: h\ntitle: T\nresources:\n" + entries, encoding="utf-8")
    fast, precise = both_ways(monkeypatch, path)
    assert isinstance(fast, Catalogue) and isinstance(precise, Catalogue)
    assert [r.source for r in fast.resources] == [r.source for r in precise.resources]
    assert fast == precise
    no_ruamel(monkeypatch)
    load_catalogue([path])


def test_yaml_1_1_words_are_text_as_in_yaml_1_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyYAML (YAML 1.1) would read no, yes and on as booleans; the catalogue is YAML 1.2.
    monkeypatch.chdir(tmp_path)
    Path("x.yaml").write_text(
        entry("language: no", "publisher: on", "notes: off", title="yes"), encoding="utf-8"
    )
    (_, resource) = load_catalogue([Path("x.yaml")]).resources
    assert (resource.language, resource.title) == ("no", "yes")
    assert (resource.publisher, resource.notes) == ("on", "off")
    fast, precise = both_ways(monkeypatch, Path("x.yaml"))
    assert fast == precise


def test_skip_yes_is_still_not_a_boolean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.yaml").write_text(entry("check:", "  skip: yes"), encoding="utf-8")
    fast, precise = both_ways(monkeypatch, Path("x.yaml"))
    assert (
        fast == precise == ["x.yaml:11: x-1: check.skip must be true or false, not the text 'yes'"]
    )


TRAPS = [
    pytest.param(entry("skip_reason: x"), id="misplaced-field"),
    pytest.param(entry("check:", "  skip: on"), id="skip-on"),
    pytest.param(entry("check:", "  skip: True"), id="skip-True"),
    pytest.param(entry("format: pdf", "pages: 010"), id="octal-looking-pages"),
    pytest.param(entry("format: pdf", "pages: 0o17"), id="octal-pages"),
    pytest.param(entry("format: pdf", "pages: 1_000"), id="underscore-pages"),
    pytest.param(entry("format: pdf", "pages: 1:30"), id="sexagesimal-pages"),
    pytest.param(entry("format: pdf", "pages: +5"), id="plus-pages"),
    pytest.param(entry("format: pdf", "pages: 5.0"), id="float-pages"),
    pytest.param(entry("check:", "  max_bytes: 1e6"), id="exponent-max-bytes"),
    pytest.param(entry("notes: 1e3"), id="exponent-notes"),
    pytest.param(entry("notes: .inf"), id="infinite-notes"),
    pytest.param(entry("notes: 0x1F"), id="hex-notes"),
    pytest.param(entry("notes: 1.2.3"), id="version-notes"),
    pytest.param(entry("notes: ~"), id="null-notes"),
    pytest.param(entry("notes: ="), id="value-key-notes"),
    pytest.param(entry(title="2026-11-25"), id="date-title"),
    pytest.param(entry(id="2026-11-25"), id="date-id"),
    pytest.param(entry("added: 2024-02-30"), id="impossible-date"),
    pytest.param(entry("added: 2026-1-5"), id="short-date"),
    pytest.param(entry("added: 2026-11-25 10:00:00"), id="timestamp"),
    pytest.param(entry("added: 2026-11-25t10:00:00Z"), id="timestamp-t"),
    pytest.param(entry("notes: !!str 3"), id="explicit-tag"),
    pytest.param(entry("notes: &n text", "publisher: *n"), id="anchor-alias"),
    pytest.param(
        HEAD + "  - &e {id: e, title: E, url: 'https://e.org'}\n  - *e\n", id="alias-entry"
    ),
    pytest.param(entry("notes: a", "notes: b"), id="duplicate-key"),
    pytest.param(HEAD + "  - <<: {title: M, url: 'https://e.org/m'}\n    id: m\n", id="merge-key"),
    pytest.param(entry("notes:\ttabbed"), id="tab"),
    pytest.param(entry("notes: a\u0085b"), id="next-line-character"),
    pytest.param(entry("notes: |", "   ", "      text"), id="blank-first-block-line"),
    pytest.param("%YAML 1.1\n---\n" + entry("language: no"), id="yaml-1.1-directive"),
    pytest.param(HEAD + "---\nhub: other\n", id="two-documents"),
    pytest.param(HEAD.replace("title: Test hub", "title: yes\ntrue: 1"), id="boolean-key"),
    pytest.param(HEAD.replace("hub: test-hub", "hub: 2026-01-01"), id="date-hub"),
    pytest.param(entry('audience: ["p":, q]'), id="json-key-in-flow"),
]


@pytest.mark.parametrize("text", TRAPS)
def test_values_where_the_readers_could_disagree_load_as_the_precise_reader_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.yaml").write_text(text, encoding="utf-8")
    fast, precise = both_ways(monkeypatch, Path("x.yaml"))
    assert fast == precise


def test_duplicates_across_fast_read_files_name_both_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").write_text(
        HEAD + "  - id: shared\n    title: S\n    url: https://e.org/s\n", encoding="utf-8"
    )
    Path("b.yaml").write_text(
        "# b\n" + HEAD + "\n  - {id: shared, title: S, url: 'https://e.org/s2'}\n", encoding="utf-8"
    )
    fast, precise = both_ways(monkeypatch, Path("a.yaml"), Path("b.yaml"))
    assert (
        fast
        == precise
        == [
            "b.yaml:2: -: hub 'test-hub' is already declared at a.yaml:1",
            "b.yaml:5: good-one: duplicate id: also used at a.yaml:4",
            "b.yaml:9: shared: duplicate id: also used at a.yaml:7",
        ]
    )


def test_digest_is_unchanged_by_the_reading_order(tmp_path: Path) -> None:
    texts = {
        "b.yaml": "hub: b\ntitle: T\nresources: []\n",
        "a.yml": "hub: a\ntitle: T\nresources: []\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    expected = hashlib.sha256(
        b"".join(n.encode() + b"\0" + texts[n].encode() + b"\0" for n in sorted(texts))
    ).hexdigest()
    assert load_catalogue([tmp_path / "b.yaml", tmp_path / "a.yml"]).digest == expected
    # Two files with the same name (in different folders): their bytes decide the order.
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "x.yaml").write_text(texts["b.yaml"], encoding="utf-8")
    (tmp_path / "two" / "x.yaml").write_text(texts["a.yml"], encoding="utf-8")
    pair = sorted([texts["b.yaml"].encode(), texts["a.yml"].encode()])
    expected = hashlib.sha256(b"".join(b"x.yaml\0" + raw + b"\0" for raw in pair)).hexdigest()
    assert load_catalogue([tmp_path / "one", tmp_path / "two"]).digest == expected


def test_pure_python_pyyaml_reads_like_libyaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "generated.yaml"
    path.write_text(generated_catalogue(300, seed=3), encoding="utf-8")
    with_libyaml = load_catalogue([SHIPPED, path])
    monkeypatch.setattr(catalogue_yaml, "_FAST_LOADER", yaml.SafeLoader)
    no_ruamel(monkeypatch)
    assert load_catalogue([SHIPPED, path]) == with_libyaml


def test_old_revisions_read_fast_give_the_same_resources(monkeypatch: pytest.MonkeyPatch) -> None:
    data = generated_catalogue(500, seed=5).encode("utf-8")
    fast = load_resources_from_text("old.yaml", data)
    with monkeypatch.context() as m:
        m.setattr(catalogue_load, "fast_tree", lambda raw: None)
        assert load_resources_from_text("old.yaml", data) == fast
    assert len(fast) == 500
    # A repeated id leaves both entries out, read fast or not.
    twice = data + b"  - {id: r-1, title: Again, url: 'https://e.org/again'}\n"
    fewer = load_resources_from_text("old.yaml", twice)
    assert [r.id for r in fewer] == [r.id for r in fast if r.id != "r-1"]


def test_fast_schema_check_never_accepts_what_jsonschema_rejects() -> None:
    rnd = random.Random(11)
    values: list[Any] = [
        "x",
        "",
        " ",
        "guide",
        "pdf",
        "html",
        "en",
        "pt-BR",
        "english",
        "infusion",
        "Bad_Id",
        "a--b",
        0,
        1,
        5,
        100,
        599,
        700,
        True,
        False,
        None,
        1.0,
        2.5,
        dt.date(2026, 1, 2),
        "2026-01-02",
        "2026-02-30",
        "2026-1-2",
        [],
        ["patients"],
        ["patients", "patients"],
        [403, 403],
        [403, 200],
        [True, 1],
        [dt.date(2026, 1, 1), "2026-01-01"],
        {},
        {"skip": True},
        {"skip": "yes"},
        {"accept_status": [700]},
        {"max_bytes": 0},
        {"max_bytes": 10},
        {"x": 1},
    ]
    keys: list[Any] = [
        "id",
        "title",
        "url",
        "publisher",
        "kind",
        "format",
        "pages",
        "language",
        "audience",
        "phases",
        "added",
        "last_reviewed",
        "notes",
        "check",
        "colour",
        1,
    ]
    fast_check, validator = validate.quick_check(), validate.catalogue_validator()
    agreed = 0
    for _ in range(5000):
        resource: dict[Any, Any] = {"id": "a-1", "title": "T", "url": "https://e.org"}
        for _ in range(rnd.randint(0, 3)):
            resource[rnd.choice(keys)] = rnd.choice(values)
        if rnd.random() < 0.1:
            del resource[rnd.choice(["id", "title", "url"])]
        data = {
            "hub": rnd.choice(["h", "Bad", dt.date(2026, 1, 1)]),
            "title": rnd.choice(["T", "", 3]),
            "resources": [resource],
        }
        # the fast reader hands the check plain data: dates as YYYY-MM-DD text
        fast, valid = fast_check(validate.plain(data)), validator.is_valid(validate.plain(data))
        assert fast == valid, data
        agreed += 1
    assert agreed == 5000


URLS = [
    "https://example.org",
    "http://example.org/a?b=c#d",
    "https://example.org:65535/x",
    "https://example.org:65536/x",
    "https://example.org:99999/x",
    "https://example.org:0/",
    "https://a/",
    "https://./",
    "http://-/",
    "https://example.org/a%20b",
    "https://example.org/~x",
]


@pytest.mark.parametrize("url", URLS)
def test_quick_url_check_agrees_with_the_full_one(url: str) -> None:
    assert validate.url_problem(url) == validate.url_problem_checked(url)


def test_a_big_generated_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(generated_catalogue(20_000, seed=1), encoding="utf-8")
    loaded = load_catalogue([path])
    assert len(loaded.resources) == 20_000
    assert loaded.resources[-1].id == "r-19999"
