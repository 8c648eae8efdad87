"""Small helpers shared by the admin tests."""

from __future__ import annotations

import re

from html.parser import HTMLParser

from django.contrib.messages import get_messages
from django.urls import reverse

from claims import services


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def said(response) -> list[str]:
    """What a page tells the person: its messages, and the errors at the top of its form (a
    save the services refused is shown again with what was typed, the reason above it)."""
    said = messages_of(response)
    context = getattr(response, "context", None) or {}
    adminform = context.get("adminform") if hasattr(context, "get") else None
    if adminform is not None:
        said += [str(error) for error in adminform.form.non_field_errors()]
    return said


def listed_versions(page) -> dict[str, str]:
    """The claims' versions a bulk action's page sends back with its decision."""
    html = page if isinstance(page, str) else page.content.decode()
    return dict(re.findall(r'name="(version_\d+)" value="(\d+)"', html))


def claim_url(claim, view: str = "change") -> str:
    return reverse(f"admin:claims_claim_{view}", args=[claim.pk])


def moderate_url(claim, action: str) -> str:
    return reverse("admin:claims_claim_moderate", args=[claim.pk, action])


def draft_with_evidence(author, source, *, text="Moscow later said the sanctions went too far.",
                        quote="Moscow later said", stance="supports", verdict="supported", confidence="high"):
    return services.claim_create(
        author=author,
        text=text,
        verdict=verdict,
        confidence=confidence,
        evidence=[services.EvidenceInput(source=source, quote=quote, stance=stance)],
    )


class _FormFields(HTMLParser):
    """The fields a browser would submit from the form with ``id``, as they are rendered."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self._textarea = self._select = None
        self._option_value = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "checkbox", "radio"):
            self.data.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "input" and name and attrs.get("type") in ("checkbox", "radio") and "checked" in attrs:
            self.data.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            # Django writes a newline after <textarea> that browsers drop.
            current = self.data[self._textarea][-1] + data
            self.data[self._textarea][-1] = current


def form_data(response, form_id: str) -> dict:
    """What submitting the rendered form unchanged would post (for building test POSTs)."""
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, values in parser.data.items():
        if name.startswith("__prefix__") or "__prefix__" in name:
            continue
        data[name] = values if len(values) != 1 else values[0]
    for name, value in list(data.items()):
        if isinstance(value, str) and value.startswith("\n"):
            data[name] = value[1:]
    return data
