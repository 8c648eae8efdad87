"""A page's authors as the page shows them: each character reference decoded once, by the
HTML parser; initials, ampersands and brackets kept; names parted only where one person
ends and another begins (see also the authors of ``test_html_fidelity``)."""

from __future__ import annotations

import pytest

from sources.ingest.authors import MOST_AUTHORS, authors_named_whole
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
    # A name inside another's is another person's unless it stands there as whole words.
    ('<meta name="author" content="Ann Li"><meta name="author" content="Ann Lieberman">', "Ann Li; Ann Lieberman"),
    ('<meta name="author" content="Li Wei; Li Weiming">', "Li Wei; Li Weiming"),
    ('<meta name="author" content="Ann Li"><meta name="author" content="Ann Li-Wei">', "Ann Li; Ann Li-Wei"),
    ('<meta name="author" content="Ann Li"><meta name="author" content="Ann Li\u2010Wei">', "Ann Li; Ann Li\u2010Wei"),
    ('<meta name="author" content="राम कुमार; राम कुमारी">', "राम कुमार; राम कुमारी"),
    ('<meta name="author" content="Jane Roe"><meta name="author" content="Jane Roe, Jr.">', "Jane Roe, Jr."),
]


@pytest.mark.parametrize(("head", "authors"), AUTHORS, ids=[authors for _, authors in AUTHORS])
def test_authors_are_as_the_page_shows_them_parted_only_between_people(head, authors):
    assert read(page(head=head)).metadata.authors == authors


def test_a_page_naming_thousands_of_authors_is_read_to_as_many_as_a_source_holds():
    """Each name had been weighed against every other each time trafilatura gave one: a
    page of 2,000 authors (100 KB) held a worker for five minutes."""
    people = ", ".join(f'{{"@type": "Person", "name": "Author Number{number}"}}' for number in range(2000))
    head = f'<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle", "author": [{people}]}}</script>'
    authors = read(page(head=head)).metadata.authors
    assert authors.startswith("Author Number0; Author Number1; Author Number2; Author Number3;")
    assert len(authors) <= 500
    assert authors_named_whole("; ".join(f"N{number}" for number in range(MOST_AUTHORS)), "Another Person") == "; ".join(
        f"N{number}" for number in range(MOST_AUTHORS)
    )
