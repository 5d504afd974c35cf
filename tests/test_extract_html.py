"""HTML extraction: decoding, titles, language and text, from small bodies."""

from __future__ import annotations

import codecs
import random
from typing import Any

import pytest

from pipeline.extract import extract, looks_like_html, tree
from pipeline.extract.html import (
    MAX_TEXT_CHARS,
    decode_html,
    extract_html,
    find_meta_charset,
    title_candidates,
    to_codec,
)
from pipeline.models import Extraction
from tests.test_realworld import load_entries, read_body

TITLE = "Caf\u00e9 th\u00e9rapie CAR-T"


def page(head: str = "", body: str = "", lang: str = "") -> str:
    """A minimal HTML document as text."""
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"<!DOCTYPE html><html{lang_attr}><head>{head}</head><body>{body}</body></html>"


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


def test_charset_from_header() -> None:
    body = page(f"<title>{TITLE}</title>").encode("latin-1")
    assert extract_html(body, header_charset="ISO-8859-1").title == TITLE


def test_charset_from_meta_charset() -> None:
    body = page(f'<meta charset="iso-8859-1"><title>{TITLE}</title>').encode("latin-1")
    assert extract_html(body).title == TITLE


def test_charset_from_meta_http_equiv() -> None:
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    body = page(f"{meta}<title>{TITLE} \u2013 \u20ac</title>").encode("cp1252")
    assert extract_html(body).title == f"{TITLE} \u2013 \u20ac"


def test_header_charset_outranks_meta() -> None:
    body = page(f'<meta charset="shift_jis"><title>{TITLE}</title>').encode("latin-1")
    assert extract_html(body, header_charset="iso-8859-1").title == TITLE


def test_latin1_label_means_windows_1252() -> None:
    # 0x93/0x94 are curly quotes in cp1252, C1 controls in true Latin-1.
    body = page("<title>\x93CAR-T\x94</title>").encode("latin-1")
    assert extract_html(body, header_charset="iso-8859-1").title == "\u201cCAR-T\u201d"


def test_gb2312_label_decodes_as_gb18030() -> None:
    # U+00B7 and U+20AC exist in GB18030 but not in GB2312.
    title = "\u6cbb\u7597\u6307\u5357 \u20ac"
    body = page(f'<meta charset="gb2312"><title>{title}</title>').encode("gb18030")
    assert extract_html(body).title == title


def test_utf8_bom() -> None:
    body = codecs.BOM_UTF8 + page(f"<title>{TITLE}</title>").encode("utf-8")
    assert extract_html(body).title == TITLE


def test_utf16_bom() -> None:
    body = page(f"<title>{TITLE}</title>").encode("utf-16")  # writes a BOM
    assert extract_html(body).title == TITLE


def test_bom_outranks_a_wrong_header() -> None:
    body = codecs.BOM_UTF8 + page(f"<title>{TITLE}</title>").encode("utf-8")
    assert extract_html(body, header_charset="iso-8859-1").title == TITLE


def test_detection_without_any_declaration() -> None:
    text = "\u0414\u0438\u0435\u0442\u0430 \u0410\u0442\u043a\u0438\u043d\u0441\u0430 " * 3
    # Escaped Cyrillic: ruff flags letters that look like Latin ones.
    paragraph = "\u041f\u043e\u0442\u0435\u0440\u044f \u0432\u0435\u0441\u0430 " * 40
    body = page(f"<title>{text.strip()}</title>", f"<p>{paragraph}</p>").encode("cp1251")
    assert extract_html(body).title == text.strip()


def test_undeclared_utf8_is_detected() -> None:
    body = page(f"<title>{TITLE}</title>").encode("utf-8")
    assert extract_html(body).title == TITLE


def test_lying_meta_gb2312_over_utf8_bytes() -> None:
    # Real case: readability's qq.com page claims GB2312, bytes are UTF-8.
    title = "DeepMind新电脑已可利用记忆自学_腾讯网"
    body = page(f'<meta charset="gb2312"><title>{title}</title>').encode("utf-8")
    assert extract_html(body).title == title


def test_lying_latin1_header_over_utf8_bytes() -> None:
    # A server default (AddDefaultCharset ISO-8859-1) mislabelling UTF-8.
    body = page(f"<title>{TITLE}</title>").encode("utf-8")
    assert extract_html(body, header_charset="iso-8859-1").title == TITLE


def test_unknown_charset_label_falls_back_to_detection() -> None:
    body = page(f'<meta charset="x-no-such-charset"><title>{TITLE}</title>').encode("utf-8")
    assert extract_html(body, header_charset="nonsense").title == TITLE


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("windows-1251", "cp1251"),
        ('"utf-8"', "utf-8"),
        ("base64", None),  # a Python codec, but not a text encoding
        ("no-such-charset", None),
        ("", None),
        (None, None),
    ],
)
def test_to_codec(label: str | None, codec: str | None) -> None:
    assert to_codec(label) == codec


def test_meta_utf16_label_means_utf8() -> None:
    body = page(f'<meta charset="utf-16"><title>{TITLE}</title>').encode("utf-8")
    assert extract_html(body).title == TITLE
    ascii_body = page('<meta charset="utf-16"><title>Plain</title>').encode("ascii")
    assert extract_html(ascii_body).title == "Plain"


def test_utf16_header_on_an_ascii_page_without_bom() -> None:
    # Python's UTF-16 decoder refuses a stream without a BOM: that used to raise.
    body = page("<title>Plain</title>").encode("ascii")
    assert extract_html(body, header_charset="utf-16").title == "Plain"


def test_find_meta_charset_only_near_the_start() -> None:
    late = b"<html><head>" + b" " * 5000 + b'<meta charset="koi8-r"></head></html>'
    assert find_meta_charset(late) is None
    assert find_meta_charset(b"<meta charset='koi8-r'>") == "koi8-r"


def test_truncated_utf8_sequence_at_the_end_is_tolerated() -> None:
    body = page(f"<title>{TITLE}</title>").encode("utf-8") + "\u00e9".encode()[:1]
    assert decode_html(body, "iso-8859-1").startswith("<!DOCTYPE html>")
    assert extract_html(body, header_charset="iso-8859-1").title == TITLE


# --------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------


def test_svg_title_is_skipped() -> None:
    svg = '<svg viewBox="0 0 10 10"><title>Search icon</title></svg>'
    body = f"<html><body>{svg}<title>Real title</title></body></html>".encode()
    assert extract_html(body).title == "Real title"


def test_svg_title_in_head_before_the_document_title() -> None:
    head = "<svg><title>Logo</title></svg><title>Document title</title>"
    assert extract_html(page(head).encode()).title == "Document title"


def test_only_the_first_title_counts() -> None:
    body = page("<title>First</title><title>Second</title>").encode()
    assert extract_html(body).title == "First"


def test_og_title_fallback() -> None:
    head = '<meta property="og:title" content="  Open   Graph &amp; title ">'
    body = page(head, "<h1>Heading</h1>").encode()
    assert extract_html(body).title == "Open Graph & title"


def test_empty_title_falls_back_to_og_title() -> None:
    head = '<title>  </title><meta property="og:title" content="From OG">'
    assert extract_html(page(head).encode()).title == "From OG"


def test_og_title_written_as_name() -> None:
    head = '<meta name="og:title" content="Named">'
    assert extract_html(page(head).encode()).title == "Named"


def test_single_h1_fallback() -> None:
    body = page("", "<h1>Living   with <em>CAR-T</em></h1><p>text</p>").encode()
    assert extract_html(body).title == "Living with CAR-T"


def test_two_h1_give_no_title() -> None:
    body = page("", "<h1>Site</h1><h1>Article</h1>").encode()
    assert extract_html(body).title is None


def test_entities_are_decoded() -> None:
    body = page("<title>PG&amp;E &#8211; caf&eacute; &lt;b&gt;</title>").encode()
    assert extract_html(body).title == "PG&E \u2013 caf\u00e9 <b>"


def test_whitespace_is_normalised() -> None:
    body = page("<title>\n  Fatigue\u00a0and\tCAR-T \u3000 therapy\n</title>").encode()
    assert extract_html(body).title == "Fatigue and CAR-T therapy"


def test_title_candidates_lists_every_title() -> None:
    head = '<title>Page | Site</title><meta property="og:title" content="Page">'
    titles = title_candidates(page(head, "<h1>Page heading</h1>").encode())
    assert (titles.title, titles.og_title, titles.h1) == ("Page | Site", "Page", "Page heading")
    assert titles.best == "Page | Site"


# --------------------------------------------------------------------------
# Language and text
# --------------------------------------------------------------------------


def test_language_from_html_lang() -> None:
    assert extract_html(page(lang="pt-BR").encode()).language == "pt-BR"
    assert extract_html(page().encode()).language is None
    assert extract_html(page(lang=" ").encode()).language is None


def test_text_drops_invisible_elements() -> None:
    body = page(
        "<title>T</title><style>p {color: red}</style>",
        "<p>Visible   text</p><script>var hidden = 1;</script>"
        "<noscript>Enable JS</noscript><template><p>Later</p></template><p>more</p>",
    ).encode()
    result = extract_html(body)
    assert result.text == "Visible text more"
    assert result.reader == "html"


def test_text_is_capped() -> None:
    body = page("", "<p>" + "word " * 100_000 + "</p>").encode()
    assert len(extract_html(body).text) == MAX_TEXT_CHARS


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\xff\xfe garbage \x81\x82",
        b"<<<<>>>>",
        b"<html><head><title>unclosed",
        b"<meta charset='\x00'>",
        b"\xfe\xff\x00",  # UTF-16 BOM and half a code unit
        bytes(range(256)) * 50,
    ],
)
def test_never_raises(body: bytes) -> None:
    result = extract_html(body, header_charset="\x00bogus")
    assert isinstance(result, Extraction)
    assert result.reader == "html"


# --------------------------------------------------------------------------
# The lxml tree, read by BeautifulSoup's rules
# --------------------------------------------------------------------------

# Pages where lxml's own tree and BeautifulSoup's differ, or where bs4 reads
# strings and attributes its own way (tree.py's docstring lists them).
TRICKY_PAGES = [
    b"<html><body>x</body></html>\n<!-- onetrust -->\ntrailing <script>tp.push(1)</script>",
    b"<script defer src=a></script><script defer=defer src=b></script><option selected>",
    b"<input type=checkbox checked><input type=checkbox checked=checked><td nowrap=NOWRAP>",
    b"<p>\xe6\xbc\xa2<rt>kan</rt>\xe5\xad\x97<rp>(</rp></p><h1><rt>r</rt>Heading</h1>",
    b"<pre>  \n </pre><textarea> </textarea><!----><!--  \n --><pre><!--   --></pre>",
    b"<svg><title>Icon</title></svg><title>Page</title><math><title>m</title></math>",
    b"<template><body><p>t</p></body></template><noscript>n</noscript><body><p>b</p></body>",
    b"<p class='  a   b '>x</p><a rel=' nofollow  me ' href=x>l</a><div class=' modal '>"
    b"<input type=password><input name=user></div><input type=password>",
    b"<div itemprop=isAccessibleForFree>\n" + b" " * 150 + b"<b>false</b></div>",
    b"<script type=application/ld+json>  </script><script>   </script>",
    b"<p>a<!--c-->b<![CDATA[x]]>c<?pi y?>d</p><a<b c<d=1>weird names</a<b>",
    b"<!-- OneTrust banner only -->",
    b"",
    b"<p>\xe6\xbc\xa2\xe5\xad\x97<!doctype html>more</p>",
    b"<!-- saved -->\n<?xml version='1.0'?>\n<!DOCTYPE html><p>prolog</p>",
    b"<div>" * 300 + b"deep text" + b"</div>" * 300 + b"<p>after the depth</p>",
]


def _parsed_by_beautifulsoup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send every page to tree.py's slow path: BeautifulSoup's own tree."""
    monkeypatch.setattr(tree, "_parse_with_lxml", lambda markup: None)


@pytest.mark.parametrize("body", TRICKY_PAGES)
def test_lxml_tree_reads_as_beautifulsoup(body: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    # The slow path is BeautifulSoup itself: both must give the same result.
    fast = extract_html(body)
    _parsed_by_beautifulsoup(monkeypatch)
    assert extract_html(body) == fast


# Pieces of markup that random pages are made of (hostile ones too), "|"-separated.
_PIECE_TEXT = (
    "<p>|</p>|<div class=' modal  x '>|</div>|text | \n |&amp;|\u00e9|<!-- c -->|<!---->|"
    "<!doctype html>|<?pi x?>|<![CDATA[x]]>|</html>|<body>|</body>|<title>T|</title>|<svg>|"
    "</svg>|<rt>|</rt>|<pre>|</pre>|<h1>|</h1>|<h2>|<table><td>|<form>|</form>|"
    "<input type=password>|<input name=email>|<script defer src=a.js>|</script>|<style>|"
    "</style>|<template>|</template>|<noscript>|</noscript>|<option selected=selected>|"
    "<option selected>|<span hidden>|<a<b c=1>|<meta property=og:title content=' OG '>|"
    "<meta http-equiv=refresh content='0;url=/x'>|<iframe src=https://www.youtube.com/embed/x>|"
    "<div itemprop=isAccessibleForFree>false"
)
_PIECES = _PIECE_TEXT.split("|")


@pytest.mark.parametrize("seed", range(10))
def test_random_markup_reads_as_beautifulsoup(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    bodies = ["".join(rng.choices(_PIECES, k=rng.randrange(1, 60))).encode() for _ in range(30)]
    fast = [extract_html(body) for body in bodies]
    _parsed_by_beautifulsoup(monkeypatch)
    assert [extract_html(body) for body in bodies] == fast


@pytest.mark.parametrize("entry", load_entries("html"))
def test_real_pages_read_as_beautifulsoup(
    entry: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = read_body(entry)
    fast = extract_html(body)
    _parsed_by_beautifulsoup(monkeypatch)
    assert extract_html(body) == fast


def test_markup_after_the_closing_html_tag_is_read() -> None:
    body = (
        page("<title>T</title>", "<p>Article</p>") + '<script src="https://cdn.cookielaw.org/a.js">'
    )
    result = extract_html(body.encode())
    assert result.features is not None
    assert "consent:onetrust" in result.features.markers
    assert result.text == "Article"


def test_a_comment_alone_is_markup() -> None:
    result = extract_html(b"<!-- OneTrust consent banner -->")
    assert result.text == ""
    assert result.features is not None
    assert result.features.markers == {"consent:onetrust"}


def test_deep_nesting_is_read_to_the_end() -> None:
    # libxml2's tree builder stops at 255 levels; the page must still be read whole.
    body = b"<div>" * 300 + b"deep text" + b"</div>" * 300 + b"<h1>After</h1>"
    result = extract_html(body)
    assert result.text == "deep text After"
    assert result.title == "After"


def test_a_doctype_after_content_ends_a_string() -> None:
    assert extract_html(b"<p>one<!doctype html>two</p>").text == "one two"


def test_ruby_annotations_are_not_text() -> None:
    body = page("", "<p>\u6f22<rt>kan</rt>\u5b57<rp>(</rp></p>").encode()
    assert extract_html(body).text == "\u6f22 \u5b57"


def test_bare_boolean_attributes_read_empty() -> None:
    document = tree.parse_document("<script defer src=a></script><script defer=defer src=b>")
    assert document is not None
    assert [tree.attribute(s, "defer") for s in document.iter("script")] == ["", "defer"]


def test_class_like_attributes_read_as_words() -> None:
    document = tree.parse_document("<p class=' a \t b ' title=' a  b '>x</p>")
    assert document is not None
    paragraph = next(document.iter("p"))
    assert tree.attribute(paragraph, "class") == "a b"
    assert tree.attribute(paragraph, "title") == " a  b "


# --------------------------------------------------------------------------
# Dispatcher
# --------------------------------------------------------------------------


def test_extract_dispatches_html_by_type_and_charset_param() -> None:
    body = page(f"<title>{TITLE}</title>").encode("latin-1")
    assert extract(body, "text/html; charset=ISO-8859-1").title == TITLE


def test_extract_sniffs_html_without_a_type() -> None:
    body = b"\n  <!doctype html><title>Sniffed</title>"
    assert looks_like_html(body)
    assert extract(body, "application/octet-stream").title == "Sniffed"


def test_extract_reads_html_served_as_pdf() -> None:
    body = page("<title>Sign in</title>").encode()
    assert extract(body, "application/pdf").reader == "html"


def test_extract_returns_empty_for_other_types() -> None:
    assert extract(b"\x89PNG\r\n\x1a\n", "image/png") == Extraction()
