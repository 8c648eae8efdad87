"""A page's authors as the page shows them: each character reference decoded once, by the
HTML parser; initials, ampersands and brackets kept; names parted only where one person
ends and another begins (see also the authors of ``test_html_fidelity``)."""

from __future__ import annotations

import pytest

from tests.ingest.test_html_fidelity import page, read

# (the head, the authors stored)
AUTHORS = [
    ('<meta name="author" content="Tom &amp;amp; Jerry Ltd">', "Tom &amp; Jerry Ltd"),
    ('<meta name="author" content="A &amp;amp; B">', "A &amp; B"),
    ('<meta name="author" content="AT&amp;T Research">', "AT&T Research"),
    ('<meta name="author" content="Tom &amp; Jerry Ltd">', "Tom & Jerry Ltd"),
    ('<meta name="author" content="J. R. R. Tolkien">', "J. R. R. Tolkien"),
    ('<meta name="author" content="&lt;script&gt;alert(1)&lt;/script&gt; Name">', "<script>alert(1)</script> Name"),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", "author": {"@type": "Person", "name": "Dr. J. R. Smith &amp; Co"}}</script>',
     "Dr. J. R. Smith & Co"),
    ('<meta name="author" content="von Neumann, John">', "von Neumann, John"),
    ('<meta name="author" content="danah boyd">', "danah boyd"),
    ('<meta name="author" content="van der Berg, Anna; von Neumann, John">', "van der Berg, Anna; von Neumann, John"),
    ('<meta name="author" content="ANNA SMITH">', "ANNA SMITH"),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", "author": {"@type": "Organization", "name": "Acme Research"}}</script>',
     "Acme Research"),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", "author": [{"@type": "Person", "name": "Anna Berg"}, {"@type": "Organization", "name": "Acme Research"}]}</script>',
     "Anna Berg; Acme Research"),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", "author": [{"@type": ["NewsMediaOrganization"], "name": "The Wire"}]}</script>',
     "The Wire"),
    ('<meta name="author" content="Jane Roe &amp; John Doe">', "Jane Roe; John Doe"),
    ('<meta name="author" content="Jane Roe | John Doe">', "Jane Roe; John Doe"),
    ('<meta name="author" content="Jos&amp;#233; Ruiz; Ana Li">', "Jos&#233; Ruiz; Ana Li"),
]


@pytest.mark.parametrize(("head", "authors"), AUTHORS, ids=[authors for _, authors in AUTHORS])
def test_authors_are_as_the_page_shows_them_parted_only_between_people(head, authors):
    assert read(page(head=head)).metadata.authors == authors
