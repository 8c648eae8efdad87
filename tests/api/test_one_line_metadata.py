"""A source's title, publisher and authors, and an entity's name, are one line of text:
a tab, a line break or an escape character there is refused (400 naming the field; a line
error on import; the admin's form says it), one rule on the model fields that every way in
asks. A page whose title holds a tab is read as a page's reader sees it: a space."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from claims.models import Entity
from sources.models import Source

pytestmark = pytest.mark.django_db

CONTROLS = ["Report\x1b[2J", "Tab\there", "Two\nlines", "Bell\x07", "C1\x85next", "Del\x7f"]


@pytest.mark.parametrize("value", CONTROLS)
@pytest.mark.parametrize("field", ["title", "publisher", "authors"])
def test_a_source_field_of_one_line_refuses_control_characters(client_for, analyst, field, value):
    fields = {"title": "A report", "text": "Some text.", field: value}
    response = client_for(analyst).post("/api/v1/sources/", fields, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert "one line of text" in response.json()["errors"][field][0]
    assert not Source.objects.exists()


def test_an_edit_that_puts_an_escape_in_a_title_is_refused_and_changes_nothing(client_for, analyst, source):
    response = client_for(analyst).patch(f"/api/v1/sources/{source.pk}/", {"title": "New\x1b]0;owned\x07"}, format="json")
    assert response.status_code == 400, response.content
    assert "title" in response.json()["errors"]
    assert Source.objects.get(pk=source.pk).title == source.title


def test_an_entity_name_refuses_control_characters(client_for, analyst):
    response = client_for(analyst).post("/api/v1/entities/", {"name": "Iran\x1b[31m"}, format="json")
    assert response.status_code == 400, response.content
    assert "name" in response.json()["errors"]
    assert not Entity.objects.exists()


def test_an_import_line_with_an_escape_in_a_title_is_a_line_error(db, tmp_path):
    path = tmp_path / "sources.jsonl"
    lines = [{"type": "source", "title": "Fine", "text": "One text."},
             {"type": "source", "title": "Bad\x1b[2J", "text": "Another text."},
             {"type": "entity", "slug": "e", "name": "E\tF"}]
    path.write_text("\n".join(json.dumps(line) for line in lines))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="2 invalid line"):
        call_command("import_claims", str(path), "--no-progress", stderr=errors)
    assert "line 2: title: Give one line of text" in errors.getvalue()
    assert "line 3: name: Give one line of text" in errors.getvalue()
    assert not Source.objects.exists()


def test_the_admin_form_says_a_title_must_be_one_line(superuser, source):
    client = Client()
    client.force_login(superuser)
    page = reverse("admin:sources_source_change", args=[source.pk])
    form = client.get(page).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "text"}
    data.update(title="Tab\there", text=source.text)
    response = client.post(page, data)
    assert response.status_code == 200
    assert "Give one line of text" in response.content.decode()
    assert Source.objects.get(pk=source.pk).title == source.title


def test_a_pages_title_with_a_tab_is_read_with_a_space(client_for, analyst):
    page = b"<html><head><title>Oil\texports\tin 2024</title></head><body><article><p>" + b"Iran sold oil. " * 40 + b"</p></article></body></html>"
    response = client_for(analyst).post(
        "/api/v1/sources/", {"file": SimpleUploadedFile("page.html", page, "text/html")}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Oil exports in 2024"
