"""A page that holds only a cookie or consent notice (what a site shows before the article,
to a fetcher as to a first visitor), marked as such by its markup, is refused with
``consent_notice``; pages that speak of cookies, quote a notice, or show one beside their
article, are read as before."""

from __future__ import annotations

import io

import pytest

from sources.ingest import extract
from sources.ingest.errors import ExtractionError

ARTICLE = (
    "<article><h1>Russia votes</h1><p>Russia voted six times for UN Security Council sanctions on Iran "
    "between June 2006 and June 2010, diplomats said on Tuesday.</p><p>The votes were cast after long "
    "negotiations with the other permanent members of the council.</p></article>"
)
BANNER = (
    '<div id="cookie-banner"><p>We use cookies to improve your experience on our site and to show you '
    "relevant advertising. By clicking Accept all you agree to the storing of cookies on your device.</p>"
    "<button>Accept all</button></div>"
)
CONSENT_WALL = (
    '<div class="consent-wall"><h1>Before you continue to Example News</h1><p>We use cookies and data to '
    "deliver and maintain our services, track outages and protect against spam, fraud and abuse.</p><p>If you "
    "choose to Accept all, we will also use cookies and data to develop and improve new services and deliver "
    "and measure the effectiveness of ads.</p><button>Reject all</button><button>Accept all</button></div>"
)
# No id or class says what it is: read as text (its words alone would refuse real pages).
UNMARKED_WALL = (
    "<main><p>We value your privacy. We and our 842 partners store and access information on your device, "
    "such as cookies, and process personal data, such as unique identifiers.</p><p>You may click to consent "
    "to our and our partners' processing as described above, or access more detailed information and change "
    "your preferences before consenting.</p></main>"
)
# A notice marked by its element, whose words do not speak as the site.
MARKED_TERSE = (
    '<section class="gdpr-overlay"><h2>Cookies on Example News</h2><p>Essential cookies keep the site '
    "working. Optional cookies help measure readers.</p><p>Accept all, or manage preferences.</p></section>"
)


# A consent manager's markup says what it is in any language.
GERMAN_WALL = (
    '<div id="cmp-container" class="cmp-layer"><h2>Wir respektieren Ihre Privatsphäre</h2><p>Wir und unsere '
    "Partner speichern und verarbeiten Informationen auf Ihrem Gerät, etwa Cookies, für personalisierte Anzeigen."
    "</p><button>Alle akzeptieren</button><button>Einstellungen</button></div>"
)
IAB_WALL = (
    '<div id="qc-cmp2-container"><div class="qc-cmp2-summary-section"><p>We value your privacy</p><p>We and our '
    "partners store and/or access information on a device, such as cookies, and process personal data.</p>"
    "<button>AGREE</button><button>MORE OPTIONS</button></div></div>"
)


def page(body: str, title: str = "Example News") -> bytes:
    frame = ' class="home has-cookie-banner cookies-not-set"' if "Accept all without being told" in body else ""
    return f"<html><head><title>{title}</title></head><body{frame}>{body}</body></html>".encode()


def text_of(data: bytes) -> str:
    return extract(io.BytesIO(data), declared_type="text/html").text


@pytest.mark.parametrize(
    "body",
    [BANNER, CONSENT_WALL, MARKED_TERSE, f"<nav><a href='/'>Home</a></nav>{CONSENT_WALL}<footer>© Example</footer>",
     GERMAN_WALL, IAB_WALL, CONSENT_WALL.replace("<h1>", '<img src="logo.png" alt="The Example logo"><h1>')],
    ids=["cookie-banner", "consent-wall", "marked-terse", "wall-with-navigation", "german-cmp", "iab-qc-cmp2", "wall-with-a-logo"],
)
def test_a_page_of_only_a_consent_notice_is_refused_saying_so(body):
    with pytest.raises(ExtractionError) as refused:
        text_of(page(body))
    assert refused.value.code == "consent_notice"
    assert "consent" in str(refused.value) and "save it" in str(refused.value)


KEPT = {
    "unmarked-wall": (UNMARKED_WALL, "We value your privacy"),
    # A brief quoting a banner, and a privacy policy asking for consent, are pages.
    "brief-quoting-a-banner": (
        "<main><p>Readers of the site were shown a new banner on Monday: “This site uses cookies. By continuing "
        "to browse you agree to our use of cookies.” The regulator said the wording was unlawful.</p></main>",
        "The regulator said",
    ),
    # A cookie plugin's class on every page's body; news items named for the subject.
    "body-class-of-a-cookie-plugin": (
        "<p>The regulator fined the publisher after readers tapped Accept all without being told what they "
        "accepted; no consent was given, it said.</p>",
        "The regulator fined",
    ),
    "gdpr-news": (
        '<div class="gdpr-news"><p>The regulator fined the publisher after readers tapped Accept all without '
        "knowing; no valid consent was given, it said.</p></div>",
        "The regulator fined",
    ),
    "privacy-policy": (
        '<main class="privacy-notice"><h1>Privacy policy</h1><p>By using our site you consent to our use of '
        "cookies as this policy describes.</p><p>We collect the address you give when you subscribe.</p></main>",
        "We collect the address",
    ),
    # The article is read; the banner beside it is dropped, as before.
    "article-with-banner": (BANNER + ARTICLE, "Russia voted six times"),
    # A brief on a cookie law names cookies and consent, and asks nothing of the reader.
    "cookie-law-brief": (
        "<article><p>The regulator fined the publisher 2 million euros over cookie banners that made it harder "
        "to refuse consent than to give it. Sites must let readers reject cookies in one click, it said.</p></article>",
        "fined the publisher",
    ),
    # A recipe in an element named for cookies, whose words are not a notice.
    "cookie-recipe": (
        '<div class="cookie-recipe"><h1>Oat cookies</h1><p>Mix the butter and sugar, add the oats, and bake the '
        "cookies for twelve minutes, then let them cool on a rack.</p></div>",
        "Mix the butter",
    ),
    # A cookie policy speaks as the site and asks the reader to act, but is the page
    # itself, longer than any notice, and in no element marked as one.
    "cookie-policy": (
        "<article><h1>Cookie policy</h1>"
        + "".join(
            f"<p>Section {n}. We use cookies to remember your settings and to count visits. By continuing "
            "to browse you may manage preferences at any time from the footer of every page, and the "
            f"retention of each cookie is listed in the table of section {n + 1}.</p>"
            for n in range(1, 12)
        )
        + "</article>",
        "Section 11.",
    ),
}


@pytest.mark.parametrize("body,expected", KEPT.values(), ids=KEPT.keys())
def test_pages_that_speak_of_cookies_or_show_a_notice_beside_the_article_are_read(body, expected):
    assert expected in text_of(page(body))
