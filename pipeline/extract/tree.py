"""Parsed HTML as lxml trees, read by BeautifulSoup's rules.

The HTML readers used to walk a BeautifulSoup tree (lxml builder), whose
construction in Python cost more than all the reading. BeautifulSoup only
listens to libxml2's parse events; lxml builds the same tree from the same
parse in C, a twentieth of the time. So `parse_document` parses with lxml
and the readers apply BeautifulSoup's rules themselves: `strings` types and
collapses strings as its tree builder does, `attribute` reads class-like
values as its lists of words. Results (titles, text, fingerprints, markers)
are the same as with BeautifulSoup, byte for byte.

lxml's own tree differs from BeautifulSoup's in five known places:
bare boolean attributes (`<script defer>`: lxml stores "defer", bs4 ""),
a doctype after content (bs4 ends a string there), elements nested deeper
than 255 levels and text nodes over 10 MB (libxml2's tree builder stops
there), and documents without any element (a comment alone). The first is
patched (`_restore_bare_booleans`); for the others, and anything lxml
cannot parse, the document is parsed by BeautifulSoup itself and copied
into `Node`s that read like lxml elements. Whitespace-only strings between
top-level nodes, which lxml drops too, change no result.

Why this module is kept (issue 16 asked to measure it against plain
BeautifulSoup): the bench's night-1 CPU target, 1.8 ms per URL, needs it.
Measured on 2026-12-06 with `python -m bench.run --skip-lychee` (10,000
URLs, one 2-core machine, runs alternated), night 1 costs 2.07 ms/URL with
it and 2.67 ms/URL with the readers walking BeautifulSoup trees (+0.6 ms,
+29 %); night 2, mostly 304s, 1.35 against 1.50. One page's `extract`
takes 0.35-0.43 ms against 0.70-0.81 ms on the bench's pages, and 12-15 ms
against 39-53 ms on the 45 real pages of ../shared/realworld; building the
BeautifulSoup tree alone costs more than the whole extraction here. The
plain-BeautifulSoup version gave identical results on 6,549 pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, takewhile
from typing import Any

from bs4 import BeautifulSoup, CData, Comment, Tag
from bs4.element import PreformattedString
from lxml import etree

# Tree nodes visited when collecting markup (features.markup.collect_markup),
# counted as BeautifulSoup counts them: elements, strings, comments, doctype.
MAX_NODES = 300_000
# Elements whose strings BeautifulSoup types apart (Script, Stylesheet,
# TemplateString, RubyTextString, RubyParenthesisString): an element's
# get_text() reads only strings of its own kind, so a <body> skips them.
STRING_CONTAINERS = frozenset({"script", "style", "template", "rt", "rp"})
# Inside these, BeautifulSoup keeps whitespace-only strings as they are.
_PRESERVE_WHITESPACE = frozenset({"pre", "textarea"})
_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
# BeautifulSoup's multi-valued attributes (HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES):
# their values become lists of the whitespace-separated words.
_ANY_TAG_LIST_ATTRIBUTES = frozenset({"class", "accesskey", "dropzone"})
_LIST_ATTRIBUTES = {
    "*": _ANY_TAG_LIST_ATTRIBUTES,
    "a": _ANY_TAG_LIST_ATTRIBUTES | {"rel", "rev"},
    "link": _ANY_TAG_LIST_ATTRIBUTES | {"rel", "rev"},
    "td": _ANY_TAG_LIST_ATTRIBUTES | {"headers"},
    "th": _ANY_TAG_LIST_ATTRIBUTES | {"headers"},
    "form": _ANY_TAG_LIST_ATTRIBUTES | {"accept-charset"},
    "object": _ANY_TAG_LIST_ATTRIBUTES | {"archive"},
    "area": _ANY_TAG_LIST_ATTRIBUTES | {"rel"},
    "icon": _ANY_TAG_LIST_ATTRIBUTES | {"sizes"},
    "iframe": _ANY_TAG_LIST_ATTRIBUTES | {"sandbox"},
    "output": _ANY_TAG_LIST_ATTRIBUTES | {"for"},
}
# libxml2's tree builder gives these attributes, when written bare, their own
# name as value (htmlIsBooleanAttr); its parse events, which bs4 reads, give "".
_BOOLEAN_ATTRIBUTES = frozenset(
    {
        "checked",
        "compact",
        "declare",
        "defer",
        "disabled",
        "ismap",
        "multiple",
        "nohref",
        "noresize",
        "noshade",
        "nowrap",
        "readonly",
        "selected",
    }
)
# Any attribute whose value is its own name (one XPath scan, in C).
_NAMED_AFTER_ITSELF = etree.XPath("//@*[. = name()]")
# libxml2's tree builder stops the parse at an element with 255 ancestors
# and cuts text nodes at 10,000,000 bytes; bs4 keeps both.
_SAFE_DEPTH = 250
_SAFE_TEXT_BYTES = 9_000_000
# What may precede a doctype that splits no string: whitespace, comments, <?...>.
_PROLOG = re.compile(r"(?:\s+|<!--.*?-->|<\?[^>]*>)*", re.DOTALL)
# Kinds of Node that are not elements: comments read like lxml's; CData
# strings and other strings (doctype, declaration) are placeholders whose
# tail holds the string that follows them.
COMMENT = etree.Comment
ELEMENT = etree.Element  # as a tag filter: any element
_CDATA = object()
_TEXT = object()
_OTHER = etree.PI


@dataclass
class Document:
    """A parsed page: its top-level nodes in order (comments, <html>, ...).

    `cap` is the position in BeautifulSoup's node order past which the
    markup walk stops (MAX_NODES); None when the page has fewer nodes.
    """

    tops: list[Any]
    cap: int | None = None

    def iter(self, *tags: str) -> Iterator[Any]:
        """Elements named `tags` (every node when none), in document order."""
        return chain.from_iterable(top.iter(*tags) for top in self.tops)

    def elements(self) -> Iterator[Any]:
        """Every element, in document order."""
        return self.iter(ELEMENT)

    def walk(self) -> Iterator[Any]:
        """Every node within the first MAX_NODES, in document order."""
        nodes = self.iter()
        if self.cap is None:
            return nodes
        cap = self.cap
        return takewhile(lambda node: node.ordinal < cap, nodes)

    def script_text_walked(self, script: Any) -> bool:
        """Whether the walk reaches a script's text (the node after the script)."""
        return self.cap is None or script.ordinal + 1 < self.cap


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------


def parse_document(markup: str) -> Document | None:
    """Parse decoded HTML; None when no parser can read it."""
    document = _parse_with_lxml(markup)
    return document if document is not None else _parse_with_soup(markup)


def _parse_with_lxml(markup: str) -> Document | None:
    """lxml's tree, or None where it would differ from BeautifulSoup's.

    Parser and input as in bs4's lxml builder: recover=True, the whole
    string fed at once, a leading byte-order mark dropped.
    """
    if _may_cut_text(markup) or _doctype_in_content(markup):
        return None
    parser = etree.HTMLParser(recover=True)
    try:
        parser.feed(_without_bom(markup))
        root = parser.close()
    except Exception:  # hostile input; BeautifulSoup decides what to make of it
        return None
    if root is None:  # no element at all: only bs4 keeps the comments
        return None
    tops = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
    if _halted_deep(tops[-1]) or _may_reach_cap(markup, root, len(tops)):
        return None
    document = Document(tops)
    return document if _restore_bare_booleans(document, markup) else None


def _without_bom(markup: str) -> str:
    """The markup less one leading byte-order mark, as bs4 hands it to lxml."""
    return markup[1:] if markup.startswith("\ufeff") else markup


def _may_cut_text(markup: str) -> bool:
    """Whether a text node could pass libxml2's tree limit (UTF-8 bytes)."""
    # At most 4 bytes a character: shorter markup need not be measured.
    if len(markup) * 4 <= _SAFE_TEXT_BYTES:
        return False
    return len(markup.encode("utf-8", "surrogatepass")) > _SAFE_TEXT_BYTES


def _doctype_in_content(markup: str) -> bool:
    """Whether a doctype may come after content, where it could split a string.

    bs4 ends a string at every doctype ("a<!doctype html>b" reads "a b");
    lxml keeps no doctype node and reads "ab". A first doctype after only
    whitespace, comments and processing instructions splits nothing.
    """
    doctypes = [i for i in _declarations(markup) if markup[i + 2 : i + 9].lower() == "doctype"]
    if not doctypes:
        return False
    return len(doctypes) > 1 or _PROLOG.fullmatch(markup, 0, doctypes[0]) is None


def _declarations(markup: str) -> Iterator[int]:
    """Positions of every "<!" (comments, doctypes, CDATA) in the markup."""
    position = markup.find("<!")
    while position != -1:
        yield position
        position = markup.find("<!", position + 2)


def _halted_deep(last: Any) -> bool:
    """Whether the parse may have stopped at libxml2's depth limit.

    A stopped parse ends at its deepest element, so only the last node in
    document order is looked at (reached through last children).
    """
    depth = 0
    while len(last):
        last, depth = last[-1], depth + 1
    return depth >= _SAFE_DEPTH


def _may_reach_cap(markup: str, root: Any, tops: int) -> bool:
    """Whether BeautifulSoup's tree might hold MAX_NODES nodes.

    No markup makes more than two nodes per character (a text character
    and an implied element) plus html, head and body, so short pages are
    not counted. bs4's tree also holds the doctype and whitespace strings
    between top-level nodes, which lxml drops: one more than there are
    top-level nodes at most.
    """
    if 2 * len(markup) + 3 < MAX_NODES:
        return False
    count = root.getroottree().xpath("count(//node())")
    return bool(count + tops + 2 >= MAX_NODES)


def _restore_bare_booleans(document: Document, markup: str) -> bool:
    """Give bare boolean attributes bs4's value ""; False if the parses disagree.

    Only attributes equal to their own name are in doubt (`defer` and
    `defer="defer"` look alike in lxml's tree); a second parse, of events
    only, says which were bare.
    """
    root = next(top for top in document.tops if is_element(top))
    if {found.attrname for found in _NAMED_AFTER_ITSELF(root)}.isdisjoint(_BOOLEAN_ATTRIBUTES):
        return True
    bare = _bare_booleans(markup)
    elements = list(document.elements())
    if bare is None or bare.count != len(elements):
        return False
    for index, tag, names in bare.found:
        if elements[index].tag != tag:
            return False
        for name in names:
            elements[index].set(name, "")
    return True


def _bare_booleans(markup: str) -> _BareBooleans | None:
    """The bare boolean attributes of each element, from lxml's parse events."""
    bare = _BareBooleans()
    parser = etree.HTMLParser(target=bare, recover=True)
    try:
        parser.feed(_without_bom(markup))
        parser.close()
    except Exception:  # the tree parse succeeded: a failure here is a disagreement
        return None
    return bare


class _BareBooleans:
    """lxml parser target noting the boolean attributes written without a value.

    `found` holds (element index in document order, tag, attribute names).
    """

    def __init__(self) -> None:
        self.count = 0
        self.found: list[tuple[int, str, list[str]]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if not _BOOLEAN_ATTRIBUTES.isdisjoint(attrib):
            names = [n for n, value in attrib.items() if n in _BOOLEAN_ATTRIBUTES and not value]
            if names:
                self.found.append((self.count, tag, names))
        self.count += 1

    def close(self) -> None:
        return None


def _parse_with_soup(markup: str) -> Document | None:
    """BeautifulSoup's tree (lxml, else html.parser) copied into Nodes."""
    for parser in ("lxml", "html.parser"):
        try:
            return _from_soup(BeautifulSoup(markup, parser))
        except Exception:  # parsers raise assorted errors on hostile input
            continue
    return None


# --------------------------------------------------------------------------
# The slow path: BeautifulSoup's tree as lxml-like nodes
# --------------------------------------------------------------------------


class Node:
    """An element, comment or placeholder copied from a BeautifulSoup tree.

    Offers the part of lxml's element interface the readers use; `ordinal`
    is the node's position in BeautifulSoup's document order.
    """

    __slots__ = ("attrib", "children", "ordinal", "parent", "tag", "tail", "text")

    def __init__(self, tag: object, parent: Node | None, ordinal: int) -> None:
        self.tag = tag
        self.parent = parent
        self.ordinal = ordinal
        self.attrib: dict[str, str] = {}
        self.children: list[Node] = []
        self.text: str | None = None
        self.tail: str | None = None

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def items(self) -> list[tuple[str, str]]:
        return list(self.attrib.items())

    def getparent(self) -> Node | None:
        return self.parent

    def __iter__(self) -> Iterator[Node]:
        return iter(self.children)

    def __len__(self) -> int:
        return len(self.children)

    def iter(self, *tags: object) -> Iterator[Node]:
        """This node and its descendants (elements named `tags`, if given), in order."""
        stack = [self]
        while stack:
            node = stack.pop()
            if not tags or node.tag in tags or (ELEMENT in tags and isinstance(node.tag, str)):
                yield node
            stack.extend(reversed(node.children))


def _from_soup(soup: BeautifulSoup) -> Document:
    """Copy a BeautifulSoup tree into Nodes, keeping every string apart."""
    document = Document([])
    copies: dict[int, Node] = {}
    count = 0
    for count, item in enumerate(soup.descendants, start=1):
        parent = copies.get(id(item.parent))
        siblings = document.tops if parent is None else parent.children
        if isinstance(item, Tag):
            node = copies[id(item)] = Node(item.name, parent, count - 1)
            node.attrib = {str(k): _joined(v) for k, v in item.attrs.items()}
            siblings.append(node)
        else:
            _add_string(item, parent, siblings, count - 1)
    if count >= MAX_NODES:
        document.cap = MAX_NODES
    return document


def _joined(value: object) -> str:
    """A bs4 attribute value as lxml holds it: lists of words joined by spaces."""
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def _add_string(item: Any, parent: Node | None, siblings: list[Node], ordinal: int) -> None:
    """Add a bs4 string as text, tail, comment or placeholder node.

    A string that cannot be a text or tail without merging into another
    (two strings in a row, CData, the first string of the document) gets a
    placeholder node of its own whose tail it is.
    """
    if isinstance(item, Comment):
        node = Node(COMMENT, parent, ordinal)
        node.text = str(item)
        siblings.append(node)
        return
    kind = _CDATA if isinstance(item, CData) else _TEXT
    if isinstance(item, PreformattedString) and kind is _TEXT:
        kind = _OTHER  # doctype, declaration, processing instruction: no text
    if kind is _TEXT and parent is not None and not siblings and parent.text is None:
        parent.text = str(item)
    elif kind is _TEXT and siblings and siblings[-1].tail is None:
        siblings[-1].tail = str(item)
    else:
        node = Node(kind, parent, ordinal)
        node.tail = "" if kind is _OTHER else str(item)
        siblings.append(node)


# --------------------------------------------------------------------------
# Reading by BeautifulSoup's rules
# --------------------------------------------------------------------------


def is_element(node: Any) -> bool:
    """Whether a node is an element (not a comment or placeholder)."""
    return isinstance(node.tag, str)


def attribute(element: Any, name: str) -> str | None:
    """An attribute's value as bs4 reads it, in one string.

    bs4 splits class-like values into lists of words; readers join them
    with single spaces, which this returns directly.
    """
    value = element.get(name)
    if value is not None and name in _list_attributes(element.tag):
        return " ".join(value.split())  # str.split() splits exactly where \s matches
    return value


def attribute_items(element: Any) -> list[tuple[str, str]]:
    """Every attribute as (name, value), in order, values as `attribute` gives them."""
    listed = _list_attributes(element.tag)
    return [(n, " ".join(v.split()) if n in listed else v) for n, v in element.items()]


def _list_attributes(tag: str) -> frozenset[str]:
    return _LIST_ATTRIBUTES.get(tag, _LIST_ATTRIBUTES["*"])


def matching(elements: Iterable[Any], name: str, pattern: re.Pattern[str]) -> Iterator[Any]:
    """The elements whose attribute `name` matches `pattern`: bs4's attrs={name: pattern}.

    For attributes that are not class-like only: on those bs4 also tries each word.
    """
    for element in elements:
        value = element.get(name)
        if value is not None and pattern.search(value):
            yield element


def ancestors(node: Any) -> Iterator[Any]:
    """The node's parent, its parent, ... up to the top-level node."""
    parent = node.getparent()
    while parent is not None:
        yield parent
        parent = parent.getparent()


def get_text(element: Any, separator: str = "") -> str:
    """bs4's element.get_text(separator): the element's own kind of strings."""
    if len(element) == 0:  # text only (a <title>, most headings): no walk needed
        kind, keep = _context(element)
        wanted = element.tag if element.tag in STRING_CONTAINERS else None
        text = element.text if kind == wanted else None
        return _collapse(text, keep) if text else ""
    return separator.join(strings(element))


def strings(element: Any, skip: Iterable[str] = ()) -> Iterator[str]:
    """The strings bs4's get_text() joins for an element, in order.

    Each string has the kind of its innermost STRING_CONTAINERS ancestor
    (plain text outside any); the element reads only its own kind. An
    all-ASCII-whitespace string becomes " " (or "\\n" if it has one)
    outside <pre> and <textarea>. Elements named in `skip` are left out
    with their content (not their tails), as if decomposed.
    """
    kind, keep = _context(element)
    wanted = element.tag if element.tag in STRING_CONTAINERS else None
    return _strings_below(element, kind, keep, wanted, frozenset(skip))


def document_strings(document: Document, skip: Iterable[str] = ()) -> Iterator[str]:
    """The strings of bs4's soup.get_text(): the plain text of the whole page."""
    skipped = frozenset(skip)
    for top in document.tops:
        if isinstance(top.tag, str) and top.tag not in skipped:
            kind, keep = _inner_context(top.tag, None, False)
            yield from _strings_below(top, kind, keep, None, skipped)
        if top.tail:
            yield _collapse(top.tail, False)


def _context(element: Any) -> tuple[str | None, bool]:
    """The string kind and whitespace rule in force inside an element."""
    kind, keep = None, False
    for node in chain((element,), ancestors(element)):
        if kind is None and node.tag in STRING_CONTAINERS:
            kind = node.tag
        keep = keep or node.tag in _PRESERVE_WHITESPACE
    return kind, keep


def _inner_context(tag: str, kind: str | None, keep: bool) -> tuple[str | None, bool]:
    """The context inside an element, given the one around it."""
    inner = tag if tag in STRING_CONTAINERS else kind
    return inner, keep or tag in _PRESERVE_WHITESPACE


def _strings_below(
    element: Any, kind: str | None, keep: bool, wanted: str | None, skip: frozenset[str]
) -> Iterator[str]:
    """Strings inside an element (not its tail) of kind `wanted`, in order.

    Iterative, not recursive: hostile pages nest thousands of elements.
    Each frame holds a node, its remaining children and the context inside
    it; a node's tail is read in its parent's context once it is done.
    """
    if kind == wanted and (text := element.text):
        yield _collapse(text, keep)
    stack = [(element, iter(element), kind, keep)]
    while stack:
        node, children, kind, keep = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack and stack[-1][2] == wanted and (text := node.tail):
                yield _collapse(text, stack[-1][3])
        elif isinstance(child.tag, str) and child.tag not in skip:
            inner, inner_keep = _inner_context(child.tag, kind, keep)
            if inner == wanted and (text := child.text):
                yield _collapse(text, inner_keep)
            stack.append((child, iter(child), inner, inner_keep))
        elif (None if child.tag is _CDATA else kind) == wanted and (text := child.tail):
            yield _collapse(text, keep)


def collapse_string(node: Any, string: str) -> str:
    """A script's text or a comment as bs4 stores it (see `_collapse`)."""
    if string and (string[-1] not in _ASCII_SPACES or string.strip(_ASCII_SPACES)):
        return string
    keep = any(n.tag in _PRESERVE_WHITESPACE for n in chain((node,), ancestors(node)))
    return _collapse(string, keep)


def _collapse(string: str, keep: bool) -> str:
    """bs4's rule: an all-ASCII-whitespace string becomes one space or newline."""
    if keep or string[-1:] not in _ASCII_SPACES or string.strip(_ASCII_SPACES):
        return string  # the last character alone rules out most strings
    return "\n" if "\n" in string else " "
