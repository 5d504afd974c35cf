"""junit.xml: a run as JUnit XML, for CI dashboards.

Pure: `render_junit(run) -> str`, or `stream_junit(run)` for the same text
one <testcase> at a time, never holding the whole tree (what the report
writer uses). One <testsuite> per hub page, one
<testcase> per resource: a <failure> when the resource's severity is error,
<skipped> when it was not checked, and warnings and info as <system-out>.
Built with xml.etree, so every value is escaped; characters XML 1.0 cannot
carry at all (control characters, lone surrogates) are removed first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence

from pipeline.models import Availability, ResourceResult, Run, Severity
from pipeline.report.text import as_utc, availability_label, iso_utc, what_happened_text

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
INDENT = "  "  # what ET.indent puts per level
CASES_PER_PIECE = 500
_NEWLINE = tuple("\n" + INDENT * depth for depth in range(3))  # before an element at depth


def render_junit(run: Run) -> str:
    """The JUnit XML document, ending in a newline."""
    return "".join(stream_junit(run))


def stream_junit(run: Run) -> Iterator[str]:
    """The text of `render_junit` in pieces: what ElementTree writes for the whole
    tree indented by `ET.indent`, each element written on its own at its depth."""
    root = _root(run)
    yield XML_DECLARATION
    hubs = _by_hub(run.results)
    if not hubs:
        yield ET.tostring(root, encoding="unicode") + "\n"
        return
    start, end = _tags(root)
    yield start
    for hub, results in hubs:
        yield _NEWLINE[1]
        yield from _suite_pieces(run, hub, results)
    yield _NEWLINE[0] + end + "\n"


def _suite_pieces(run: Run, hub: str, results: Sequence[ResourceResult]) -> Iterator[str]:
    """One hub page's <testsuite> (at depth 1), in pieces of CASES_PER_PIECE test cases."""
    suite = _suite(run, hub, results)
    start, end = _tags(suite)
    yield start
    for child in suite:
        yield _NEWLINE[2] + _indented(child, 2)
    for first in range(0, len(results), CASES_PER_PIECE):
        yield _cases(run, results[first : first + CASES_PER_PIECE])
    yield _NEWLINE[1] + end


def _cases(run: Run, results: Sequence[ResourceResult]) -> str:
    """The <testcase>s of `results` at depth 2, each after its line break, written
    by one ElementTree call inside a throw-away element (a call per case costs
    more than the case)."""
    shell = ET.Element("cases")
    shell.extend(_case(run, result) for result in results)
    text = _indented(shell, 1)  # "<cases>", then each case after its break, "\n  </cases>"
    return text[len("<cases>") : -len(_NEWLINE[1] + "</cases>")]


def _root(run: Run) -> ET.Element:
    """The <testsuites> element, without its suites."""
    root = ET.Element("testsuites", _counts(run.results))
    root.set("name", xml_text(f"curate {run.info.id}"))
    root.set("time", _seconds(run))
    root.set("timestamp", iso_utc(run.info.started))
    return root


def _tags(element: ET.Element) -> tuple[str, str]:
    """The start and end tags ElementTree writes for `element`, its content left out."""
    shell = ET.Element(element.tag, element.attrib)
    shell.text = "-"
    start, _, end = ET.tostring(shell, encoding="unicode").rpartition("-")
    return start, end


def _indented(element: ET.Element, depth: int) -> str:
    """`element` as ElementTree writes it `depth` deep in a tree indented by ET.indent."""
    ET.indent(element, space=INDENT, level=depth)
    return ET.tostring(element, encoding="unicode")


def render(run: Run) -> str:
    """The `render(run) -> str` entry point every report module offers."""
    return render_junit(run)


def _by_hub(results: Sequence[ResourceResult]) -> list[tuple[str, list[ResourceResult]]]:
    """Results grouped by hub, hubs in order of first appearance."""
    hubs: dict[str, list[ResourceResult]] = {}
    for result in results:
        hubs.setdefault(result.resource.hub, []).append(result)
    return list(hubs.items())


def _suite(run: Run, hub: str, results: Sequence[ResourceResult]) -> ET.Element:
    """One hub page's <testsuite> with its <properties>, without its test cases."""
    suite = ET.Element("testsuite", _counts(results))
    suite.set("name", xml_text(hub))
    suite.set("timestamp", iso_utc(run.info.started))
    suite.set("time", _seconds(run))
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("run_id", run.info.id),
        ("mode", run.info.mode.value),
        ("network", run.info.network.value),
        ("finished", iso_utc(run.info.finished)),
        ("tool_version", run.info.tool_version),
        ("catalogue_digest", run.info.catalogue_digest),
    ):
        ET.SubElement(properties, "property", name=name, value=xml_text(value))
    return suite


def _case(run: Run, result: ResourceResult) -> ET.Element:
    """One resource's <testcase>."""
    resource = result.resource
    seen = result.observed
    case = ET.Element("testcase", name=xml_text(resource.id),
                      classname=xml_text(f"curate.{resource.hub}"),
                      time=f"{(seen.elapsed_ms if seen else 0) / 1000:.3f}")
    case.set("file", xml_text(resource.source.file))
    case.set("line", str(resource.source.line))
    label = availability_label(result, run.info.mode)
    if result.severity is Severity.ERROR:
        failure = ET.SubElement(case, "failure", type=result.availability.value,
                                message=xml_text(f"{label}: {what_happened_text(result)}"))
        failure.text = xml_text(_details(result, label))
    elif result.availability is Availability.SKIPPED:
        ET.SubElement(case, "skipped", message=xml_text(what_happened_text(result)))
    elif result.findings or result.severity is not Severity.NONE:
        ET.SubElement(case, "system-out").text = xml_text(_details(result, label))
    return case


def _details(result: ResourceResult, label: str) -> str:
    """Plain-text details: the verdict, the URLs, every finding with its evidence."""
    seen = result.observed
    lines = [f"{result.severity.value}: {label}: {what_happened_text(result)}",
             f"url: {result.resource.url}"]
    if seen is not None and seen.final_url and seen.final_url != result.resource.url:
        lines.append(f"final url: {seen.final_url}")
    if seen is not None and seen.status is not None:
        lines.append(f"HTTP status: {seen.status}")
    for finding in result.findings:
        lines.append(f"{finding.effective_severity.value} {finding.code.value}: {finding.message}")
        if finding.evidence:
            lines.append(f"  evidence: {finding.evidence}")
    lines.append(f"catalogue entry: {result.resource.source}")
    return "\n".join(lines)


def _counts(results: Sequence[ResourceResult]) -> dict[str, str]:
    """tests/failures/errors/skipped attributes of a suite."""
    return {
        "tests": str(len(results)),
        "failures": str(sum(r.severity is Severity.ERROR for r in results)),
        "errors": "0",
        "skipped": str(sum(
            r.availability is Availability.SKIPPED and r.severity is not Severity.ERROR
            for r in results
        )),
    }


def _seconds(run: Run) -> str:
    """The run's duration in seconds, as JUnit wants it."""
    elapsed = as_utc(run.info.finished) - as_utc(run.info.started)
    return f"{max(elapsed.total_seconds(), 0.0):.3f}"


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot represent (ElementTree escapes the rest)."""
    return _NOT_XML.sub("", text)
