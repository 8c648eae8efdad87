"""The 403 and 404 pages wear the admin's look and say what happened."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_the_404_page_is_in_the_admins_look(client_for, analyst):
    response = client_for(analyst).get("/admin/no/such/page/here/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'id="header"' in html and "admin/css/base.css" in html


@override_settings(DEBUG=False)
def test_the_403_page_is_in_the_admins_look(client_for, analyst):
    response = client_for(analyst).get("/admin/claims/claim/review-queue/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You may not open this page" in html and 'id="header"' in html


@override_settings(DEBUG=False)
def test_unknown_api_addresses_still_answer_json(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "path",
    ["/admin/claims/claim/?q=%00", "/admin/sources/source/?q=%00", "/admin/claims/claim/review-queue/?q=%00"],
)
def test_a_nul_in_an_admin_address_answers_the_sites_error_page_not_bare_text(client_for, reviewer, path):
    response = client_for(reviewer).get(path)
    html = response.content.decode()
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "This address cannot be read" in html and "q: Contains a NUL character (%00)." in html
    assert f'href="{path.split("?")[0]}"' in html  # the page again, without the search
    assert "script-src 'self'" in response["Content-Security-Policy"]


@override_settings(DEBUG=False)
def test_a_body_that_cannot_be_read_gets_a_page_about_the_request_not_the_address(client_for, analyst):
    """Django's own 400 for a form it cannot parse (a multipart body without a boundary, on
    any admin form) had said the address held a character no search takes."""
    response = client_for(analyst).generic("POST", "/admin/claims/claim/add/", b"--x\r\n\r\n--x--", content_type="multipart/form-data")
    html = response.content.decode()
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "This request cannot be read" in html and "nothing was done with it" in html
    assert "No search or filter" not in html and 'id="header"' in html


def test_the_site_has_an_icon_where_browsers_look_for_it(client_for, analyst):
    """Every admin page names it; /favicon.ico (asked for by pages that name none, such as
    the API's docs) leads to it, instead of a 404 on every page."""
    response = client_for(analyst).get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("claims/favicon.svg")
    assert client_for(analyst).get(response["Location"]).status_code == 200
    assert 'rel="icon" href="/static/claims/favicon.svg"' in client_for(analyst).get("/admin/").content.decode()
