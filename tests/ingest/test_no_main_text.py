"""A page whose text is only its navigation (menus, a site's header and footer), or one
built by scripts (an empty root, a <noscript> asking for JavaScript), has no main text:
it is refused ``no_main_text``, not stored. A real page, however short, is stored."""

from __future__ import annotations

import io

import pytest

from sources.ingest import ExtractionError, extract

MENU = "<ul><li><a href=/a>Home</a></li><li><a href=/b>World</a></li><li><a href=/c>Business</a></li><li><a href=/d>Sport</a></li></ul>"
NOT_AN_ARTICLE = {
    "navigation-and-footer": f"<nav>{MENU}</nav><footer><p>Copyright 2024 Example Ltd. All rights reserved.</p></footer>",
    "script-built": '<div id="root"></div><script>render();</script><noscript>You need to enable JavaScript to run this app.</noscript>',
    "header-with-navigation": f'<header><h1>Example News</h1><nav>{MENU}</nav></header>',
    "navigation-by-role": f'<div role="navigation">{MENU}</div><div role="contentinfo"><p>Example Ltd, 1 Main Street.</p></div>',
    "menu-bar": '<div role="menubar"><a href=/a>Home</a> <a href=/b>World</a></div>',
    "loading-placeholder": '<div id="app">Loading...</div><script src="/bundle.js"></script>',
    "next-js-spinner": (
        '<div id="__next"><div class="spinner">Loading…</div></div>'
        '<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"title":"Minister resigns"}}}</script>'
        '<script src="/_next/static/main.js"></script>'
    ),
    "enable-javascript": '<div id="app"></div><p>Please enable JavaScript to view this page.</p><script src="/app.js"></script>',
    "angular-root": '<app-root>Loading application, please wait...</app-root><script src="runtime.js"></script><script src="main.js"></script>',
    # The same placeholders in other languages.
    "loading-ru": '<div id="app">Загрузка...</div><script src="/bundle.js"></script>',
    "loading-de": '<div id="app">Wird geladen…</div><script src="/bundle.js"></script>',
    "enable-javascript-fr": '<div id="app"></div><p>Veuillez activer JavaScript.</p><script src="/app.js"></script>',
    "loading-es": '<div id="app">Cargando...</div><script src="/bundle.js"></script>',
    "loading-zh": '<div id="app">加载中…</div><script src="/bundle.js"></script>',
    "loading-ja": '<div id="app">読み込み中...</div><script src="/bundle.js"></script>',
    "loading-ar": '<div id="app">جار التحميل...</div><script src="/bundle.js"></script>',
}


def read(body: str, title: str = "Example News"):
    data = f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>".encode()
    return extract(io.BytesIO(data), declared_type="text/html")


@pytest.mark.parametrize("body", NOT_AN_ARTICLE.values(), ids=NOT_AN_ARTICLE.keys())
def test_a_page_of_navigation_only_or_built_by_scripts_has_no_main_text(body):
    with pytest.raises(ExtractionError) as refused:
        read(body)
    assert refused.value.code == "no_main_text"


SHORT_PAGES = {
    "heading-and-paragraph": "<h1>Council vote</h1><p>The council approved the budget on Monday.</p>",
    "between-navigation-and-footer": (
        f"<header><a href=/>Example News</a><nav>{MENU}</nav></header>"
        "<main><h1>Council vote</h1><p>The council approved the budget on Monday.</p></main>"
        "<footer><p>Copyright 2024 Example Ltd.</p></footer>"
    ),
    "article-with-its-own-header": (
        "<article><header><h1>Council vote</h1><p>By Jane Roe</p></header>"
        "<p>The council approved the budget on Monday.</p></article>"
    ),
    "article-in-a-header": "<header><h1>Council vote</h1></header><p>The council approved the budget on Monday.</p>",
}


@pytest.mark.parametrize("body", SHORT_PAGES.values(), ids=SHORT_PAGES.keys())
def test_a_short_real_page_is_stored(body):
    assert "The council approved the budget on Monday." in read(body).text


SHORT_PAGES_ABOUT_LOADING = {
    "loading-in-a-sentence": '<p>Loading the ferry took three hours.</p><script src="/app.js"></script>',
    "javascript-in-a-sentence": "<h1>Enable JavaScript</h1><p>Please enable JavaScript to see the map; the council says it will not.</p><script>x();</script>",
    "loading-without-scripts": "<p>Loading...</p>",
    "loading-ru-in-a-sentence": "<p>Загрузка парома заняла три часа.</p><script src=\"/app.js\"></script>",
}


@pytest.mark.parametrize("body", SHORT_PAGES_ABOUT_LOADING.values(), ids=SHORT_PAGES_ABOUT_LOADING.keys())
def test_a_short_page_that_is_not_only_a_script_s_placeholder_is_stored(body):
    assert read(body).text


def test_a_script_built_page_with_its_text_in_the_page_is_stored():
    body = '<div id="root"><p>The council approved the budget on Monday.</p></div><script>hydrate();</script>'
    assert read(body).text == "The council approved the budget on Monday."


SHORT_ARTICLES_WITH_MENUS = {
    "menu-in-site-header": (
        f"<header><nav>{MENU}</nav></header><main><article><h1>Budget passes</h1>"
        "<p>Parliament passed the budget on Monday by 210 votes to 190.</p></article></main>"
        "<footer><p>© 2025 Example News. All rights reserved.</p></footer>"
    ),
    "menu-before-article": (
        '<nav><a href="/">Home</a></nav><article><h1>Budget passes</h1>'
        "<p>Parliament passed the budget on Monday by 210 votes to 190.</p></article><footer>Footer</footer>"
    ),
    "menu-by-role": (
        f'<div role="navigation">{MENU}</div><h1>Budget passes</h1>'
        "<p>Parliament passed the budget on Monday by 210 votes to 190.</p>"
    ),
}


@pytest.mark.parametrize("body", SHORT_ARTICLES_WITH_MENUS.values(), ids=SHORT_ARTICLES_WITH_MENUS.keys())
def test_a_short_article_is_stored_without_the_site_s_menu(body):
    assert read(body).text == "Budget passes\nParliament passed the budget on Monday by 210 votes to 190."
