"""The admin's "Add source from file" and "Add source from URL", and the original's
download link: thin adapters over ``sources.ingestion``.

Uploads stream to a temporary file and stop at ``MAX_SOURCE_MB`` (``SourceFileUploadHandler``).
The handler must be in place before anything reads the body, so the upload page is exempt
from the CSRF middleware, sets its handler, and then checks the CSRF token itself.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from project.errors import DomainError, InvalidInput
from project.validation import repeated_fields

from .admin_views import media_name
from .ingestion import max_source_bytes, source_create_from_file, source_create_from_url
from .models import URL_MAX_LENGTH, Source, url_key
from .uploads import SourceFileUploadHandler, WatchedBody, add_replaced_bytes_errors, read_upload


class _SourceChoices(forms.Form):
    required_css_class = "required"  # the admin shows their labels in bold
    title = forms.CharField(max_length=500, required=False, help_text="Leave blank to take the document's own title.")
    kind = forms.ChoiceField(choices=Source.Kind.choices, initial=Source.Kind.ARTICLE)
    reliability = forms.ChoiceField(choices=Source.Reliability.choices, initial=Source.Reliability.F)

    def clean(self):
        files = {name for name, field in self.fields.items() if isinstance(field, forms.FileField)}
        for name, message in repeated_fields([self.data, self.files], self.fields, files=files).items():
            self.add_error(name, message)
        add_replaced_bytes_errors(self)
        return super().clean()


# What the file picker offers first (any file may still be chosen, and is read by what it
# holds, not by its name).
ACCEPTED_FILES = ".txt,.text,.md,.markdown,.html,.htm,.xhtml,.pdf,text/plain,text/markdown,text/html,application/xhtml+xml,application/pdf"


class SourceFromFileForm(_SourceChoices):
    file = forms.FileField(allow_empty_file=True, widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}))
    field_order = ["file", "title", "kind", "reliability"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"Plain text, Markdown, HTML or PDF with a text layer, up to {settings.MAX_SOURCE_MB:g} MB. "
            "The original is kept."
        )
        # A file over the limit is refused in the page before it is sent (``ingest.js``).
        self.fields["file"].widget.attrs.update(
            {"data-max-bytes": str(max_source_bytes()), "data-max-label": f"{settings.MAX_SOURCE_MB:g} MB"}
        )


class SourceFromUrlForm(_SourceChoices):
    url = forms.CharField(
        max_length=URL_MAX_LENGTH,
        label="URL",
        widget=forms.URLInput(attrs={"size": 80}),
        help_text="A web page or document on the public internet; it is read now and kept.",
    )
    field_order = ["url", "title", "kind", "reliability"]


# A refusal as a duplicate of a source the same user created this recently is taken for a
# second click on the same form (or a reload): the page shows the source made.
JUST_CREATED = timedelta(minutes=2)

def _error_html(error: DomainError) -> str:
    existing = error.extra.get("existing_source")
    if existing:
        return format_html(
            '{} <a href="{}">Open source #{}</a>.',
            error.message,
            reverse("admin:sources_source_change", args=[existing["id"]]),
            existing["id"],
        )
    return error.message


class SourceIngestAdminMixin:
    """For ``SourceAdmin``: the two pages, and the original's fields in the record."""

    ingest_readonly_fields = ("original_download", "original_media_type", "original_charset", "original_size", "original_sha256")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        upload = csrf_exempt(lambda request: self.add_from_file_view(request))
        return [
            path("add/from-file/", wrap(upload), name="sources_source_add_from_file"),
            path("add/from-url/", wrap(lambda request: self.add_from_url_view(request)), name="sources_source_add_from_url"),
            *super().get_urls(),
        ]

    def original_download(self, source: Source) -> str:
        if not source.pk or not source.original_sha256:
            return "—"
        charset = f"; charset={source.original_charset}" if source.original_charset else ""
        return format_html(
            '<a href="{}">Download the original</a> ({}, {} bytes)',
            reverse("source-original", args=[source.pk]),
            source.original_media_type + charset,
            f"{source.original_size:,}",
        )

    original_download.short_description = "original"

    def _ingest_page(self, request, form, *, title: str, template: str, error=None):
        if error:
            # The field the refusal is about, named so to assistive technology.
            field = form["file" if "file" in form.fields else "url"]
            described = " ".join(filter(None, ["cb-ingest-error", f"{field.auto_id}_helptext" if field.help_text else ""]))
            field.field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": described})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "ingest_error": error,
            "fetch_timeout": f"{settings.SOURCE_FETCH_TIMEOUT:g}",
            # When the form is ready again if the browser stopped the send (``ingest.js``).
            "fetch_ready_after": f"{settings.SOURCE_FETCH_TIMEOUT + 15:g}",
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, template, context)

    def _created(self, request, source: Source):
        self.log_addition(request, source, [{"added": {}}])
        made_from = media_name(source.original_media_type, article=True)
        messages.success(
            request,
            f"Source #{source.pk} created from {made_from} ({source.original_size:,} bytes; "
            f"{source.text_length:,} characters of text).",
        )
        return HttpResponseRedirect(reverse("admin:sources_source_change", args=[source.pk]))

    def _refused(self, request, error: DomainError, form, *, title: str, template: str, sent_url: str = ""):
        """The answer to a refusal: the form again with the refusal's message; for a
        second send of what made a source of this user's moments ago (a second click while
        the first was read, a reload), that source. A second send is the same bytes
        (``duplicate_original``), or the same address sent again (``duplicate_url`` of the
        URL form naming a source recorded under it); another file or page that names the
        address of a source just made is told of that source, as any duplicate is."""
        existing = error.extra.get("existing_source")
        made = existing and Source.objects.filter(
            pk=existing["id"], created_by=request.user, created_at__gte=timezone.now() - JUST_CREATED
        ).first()
        sent_again = made and (
            error.code == "duplicate_original"
            or (error.code == "duplicate_url" and sent_url and made.url_key == url_key(sent_url))
        )
        # The same choices sent again; other ones (a title corrected) are told of the source.
        chosen = self._choices(form) if form.is_bound and form.is_valid() else {}
        if sent_again and all(getattr(made, name) == value for name, value in chosen.items()):
            messages.info(request, f"Source #{made.pk} was created from this a moment ago; here it is.")
            return HttpResponseRedirect(reverse("admin:sources_source_change", args=[made.pk]))
        return self._ingest_page(request, form, title=title, template=template, error=_error_html(error))

    def add_from_file_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        title = "Add source from file"
        template = "admin/sources/source/add_from_file.html"
        if request.method == "POST" and (too_large := getattr(request, "upload_too_large", None)):
            # Refused by its length before it was read (``RequestBodyLimitMiddleware``): the
            # form again with the refusal, as for a file found too large while read. Its
            # body is never read, so neither is the CSRF token: nothing is done with it.
            return self._refused(request, too_large, SourceFromFileForm(), title=title, template=template)
        if request.method == "POST":
            handler = SourceFileUploadHandler(request)
            request.upload_handlers = [handler]
            # The request reads its body from ``_stream``: watched there, as the API's parser
            # watches the stream it is given, a body cut off is told from a form sent whole.
            body = request._stream = WatchedBody(request._stream, request.META)
            try:
                read_upload(lambda: request.POST, body, handler)  # the body read now, through the handler
            except DomainError as error:
                return self._refused(request, error, SourceFromFileForm(), title=title, template=template)
            except MultiPartParserError as error:
                # A form no browser sends as it should (a file's name past the 1,000 bytes a
                # part's headers may hold, no boundary): said on the form, not as a bad address
                # with a traceback in the log.
                unread = InvalidInput(
                    f"The form sent could not be read ({error}). If the file's name is very long, rename the file "
                    "and send it again.",
                    code="parse_error",
                )
                return self._refused(request, unread, SourceFromFileForm(), title=title, template=template)
        return csrf_protect(self._add_from_file)(request, title, template)

    def _add_from_file(self, request, title, template):
        form = SourceFromFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                source = source_create_from_file(
                    user=request.user,
                    stream=upload,
                    filename=upload.name or "",
                    declared_type=upload.content_type or "",
                    charset=upload.charset or "",
                    **self._choices(form),
                )
            except DomainError as error:
                return self._refused(request, error, form, title=title, template=template)
            return self._created(request, source)
        return self._ingest_page(request, form, title=title, template=template)

    def add_from_url_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        title, template = "Add source from URL", "admin/sources/source/add_from_url.html"
        form = SourceFromUrlForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                source = source_create_from_url(user=request.user, url=form.cleaned_data["url"], **self._choices(form))
            except DomainError as error:
                return self._refused(request, error, form, title=title, template=template, sent_url=form.cleaned_data["url"])
            return self._created(request, source)
        return self._ingest_page(request, form, title=title, template=template)

    @staticmethod
    def _choices(form) -> dict:
        return {name: form.cleaned_data[name] for name in ("title", "kind", "reliability") if form.cleaned_data.get(name)}
