"""API shapes of sources and spans.

Input and output are separate serializers: input ones validate types and ranges, the
services (``sources.services``) apply the rules; output ones only describe. Text is never
trimmed: a source, a quote and its context are stored exactly as sent.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers
from rest_framework.utils import html

from project.api import ErrorSerializer, ValidationErrorSerializer, WriteSerializer
from project.calendar_fields import CalendarDateField, CalendarDateTimeField
from project.validation import ascii_integer, repeated_fields

from .anchoring import MAX_CANDIDATES, MAX_CONTEXT_LENGTH, MAX_QUOTE_LENGTH
from .ingest import SpooledText
from .language import validate_tag
from .models import MAX_OFFSET, URL_MAX_LENGTH, Source, Span

# Offsets beyond any text still answer 400 from anchoring, not an integer overflow.
MAX_ID = 2**63 - 1



class StrictInteger(serializers.IntegerField):
    """A whole number as JSON writes one, or a form's text in ASCII digits: not 1.0, "2.0",
    true or "١" (DRF's ``IntegerField`` reads them all as numbers), for ids and offsets."""

    def to_internal_value(self, data):
        if isinstance(data, (bool, float)) or (isinstance(data, str) and ascii_integer(data) is None):
            self.fail("invalid")
        return super().to_internal_value(data)


def id_field(queryset, **kwargs) -> serializers.PrimaryKeyRelatedField:
    """A reference by id that refuses non-integers (1.5, 1.0, "2.0", true) instead of coercing them."""
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset, pk_field=StrictInteger(min_value=1, max_value=MAX_ID), **kwargs
    )


def username_of(user) -> str | None:
    return user.get_username() if user is not None else None


# Fields that read every value of a repeated form key: a list, by design.
MANY_VALUED_FIELDS = (
    serializers.ListField,
    serializers.ListSerializer,
    serializers.ManyRelatedField,
    serializers.MultipleChoiceField,
)


def repeated_form_fields(data, fields) -> dict[str, list[str]]:
    """Per-field messages for each single-valued field that a form body gives more than
    once (``project.validation.repeated_fields``). A JSON object with a key twice is the
    parser's to refuse; unknown keys are left to ``StrictWrites``."""
    if not html.is_html_input(data):
        return {}
    single = [name for name, field in fields.items() if not isinstance(field, MANY_VALUED_FIELDS)]
    files = {name for name, field in fields.items() if isinstance(field, serializers.FileField)}
    return {name: [message] for name, message in repeated_fields([data], single, files=files).items()}


# ---------------------------------------------------------------------------------------------
# Sources


class SourceSummarySerializer(serializers.Serializer):
    """What a claim's evidence shows of its source."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    publisher = serializers.CharField()
    url = serializers.URLField(allow_null=True)
    reliability = serializers.ChoiceField(choices=Source.Reliability.choices)


class SourceSerializer(serializers.ModelSerializer):
    """A source's metadata, as lists show it: without the text, with its hash and length."""

    created_by = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = [
            "id",
            "title",
            "url",
            "publisher",
            "authors",
            "published_on",
            "retrieved_at",
            "language",
            "kind",
            "reliability",
            "text_sha256",
            "text_length",
            "original_sha256",
            "original_media_type",
            "original_charset",
            "original_size",
            "original_url",
            "notes",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    original_url = serializers.SerializerMethodField(
        help_text="Where staff download the original file (an absolute URL); null for pasted text, and for "
        "callers who may not download it."
    )

    def get_created_by(self, source: Source) -> str | None:
        return username_of(source.created_by)

    def get_original_url(self, source: Source) -> str | None:
        # The context's ``staff``: whether the caller may download it, which every view that
        # shows a source says (none is given: not shown).
        if not source.original_sha256 or not self.context.get("staff", False):
            return None
        # Absolute, as the API's other links are (pagination, annotations).
        path = reverse("source-original", args=[source.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class SourceTextField(serializers.CharField):
    """A source's text. A source just created from a large text file has it as
    ``spooled_text`` (``sources.services``), with ``text`` not loaded: the spooled text is
    passed on as it is, for the renderer to stream (``project.api.long_text_response``),
    rather than loaded. Once ``text`` is loaded or set, it is what is shown."""

    def get_attribute(self, instance):
        spooled = getattr(instance, "spooled_text", None)
        if spooled is not None and "text" not in instance.__dict__:
            return spooled
        return super().get_attribute(instance)

    def to_representation(self, value):
        return value if isinstance(value, SpooledText) else super().to_representation(value)


class SourceDetailSerializer(SourceSerializer):
    """A source with its ``text``, which only staff callers receive (the field is absent
    for everyone else)."""

    text = SourceTextField(required=False, help_text="The full content, verbatim. Staff only.")

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text"]
        read_only_fields = [name for name in fields if name != "text"]

    def __init__(self, *args, include_text: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not include_text:
            self.fields.pop("text")


class ReanchorSummarySerializer(serializers.Serializer):
    kept = serializers.IntegerField()
    relocated = serializers.IntegerField()
    orphaned = serializers.IntegerField()


class SourceUpdateResultSerializer(SourceDetailSerializer):
    """The updated source and, when its text changed, what became of its spans."""

    reanchor = ReanchorSummarySerializer(
        allow_null=True,
        read_only=True,
        help_text="Spans kept in place, relocated to their quote, or orphaned; null when the text did not change.",
    )

    class Meta(SourceDetailSerializer.Meta):
        fields = [*SourceDetailSerializer.Meta.fields, "reanchor"]


class SourceWriteSerializer(WriteSerializer):
    """Fields a caller may set; ``source_create``/``source_update`` validate the rest."""

    title = serializers.CharField(max_length=500)
    url = serializers.URLField(max_length=URL_MAX_LENGTH, required=False, allow_null=True, allow_blank=True)
    publisher = serializers.CharField(max_length=300, required=False, allow_blank=True)
    authors = serializers.CharField(max_length=500, required=False, allow_blank=True)
    published_on = CalendarDateField(required=False, allow_null=True)
    retrieved_at = CalendarDateTimeField(required=False)
    language = serializers.CharField(max_length=35, required=False, validators=[validate_tag])
    kind = serializers.ChoiceField(choices=Source.Kind.choices, required=False)
    reliability = serializers.ChoiceField(choices=Source.Reliability.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    text = serializers.CharField(
        trim_whitespace=False,
        help_text="The full content, stored verbatim: no stripping, no HTML interpretation.",
    )

    def to_internal_value(self, data):
        # Every source write (pasted, uploaded, fetched, changed) comes through here, and
        # multipart bodies reach only source writes: the one place to refuse a repeat.
        repeated = repeated_form_fields(data, self.fields)
        if repeated:
            raise serializers.ValidationError(repeated)
        return super().to_internal_value(data)


class _NoUnknownFields:
    """Refuses a write that carries fields this serializer does not know, naming them."""

    def validate(self, attrs):
        known = set(self.fields)
        unknown = sorted(str(name) for name in getattr(self, "initial_data", {}) if name not in known)
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return attrs


class SourceUploadSerializer(_NoUnknownFields, SourceWriteSerializer):
    """multipart/form-data: the ``file`` (plain text, Markdown, HTML, or PDF with a text
    layer) and, optionally, fields that take precedence over the file's own metadata."""

    file = serializers.FileField(
        allow_empty_file=True, use_url=False, help_text="Plain text, Markdown, HTML, or PDF with a text layer.",
        # Django's parser skips a part whose headers are not UTF-8 (a file name in Latin-1
        # from an old system), so "missing" may be a part that could not be read.
        error_messages={"required": (
            'No file was submitted: send it as the part named "file", with a filename, its headers in UTF-8 '
            "(a part whose headers are not UTF-8 is not read)."
        )},
    )
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    text = None


class SourceFetchSerializer(_NoUnknownFields, SourceWriteSerializer):
    """``url`` to read now, and optionally fields that take precedence over the page's
    metadata."""

    url = serializers.CharField(max_length=URL_MAX_LENGTH, help_text="An http:// or https:// address on the public internet.")
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    text = None
    retrieved_at = None  # when the page is read: now, not the caller's to say


# ---------------------------------------------------------------------------------------------
# Refusals of sources (``sources.services.existing_source_body``, ``sources.ingestion``)


class ExistingSourceSerializer(serializers.Serializer):
    """The source that already holds an original or a URL."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="The URL it records, as recorded (null: none).")
    api_url = serializers.CharField(help_text="Its address in this API (a path: `/api/v1/sources/8/`).")


class SourceConflictSerializer(ErrorSerializer):
    """409 of a source's creation or change."""

    existing_source = ExistingSourceSerializer(
        required=False,
        help_text="`duplicate_original`, `duplicate_url`: the source that already holds this original or URL.",
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="`duplicate_url` of a source given or changed as JSON: the refusal, on `url`.",
    )


class SourceValidationErrorSerializer(ValidationErrorSerializer):
    """400 of a source's creation, fetch or change."""

    limit_bytes = serializers.IntegerField(
        required=False, help_text="`too_large` of an uploaded file: the largest accepted, in bytes (`MAX_SOURCE_MB`)."
    )
    status = serializers.IntegerField(
        required=False, help_text="`http_status`: the HTTP status the server of the URL answered."
    )
    received_bytes = serializers.IntegerField(
        required=False, help_text="`incomplete_upload`: the bytes of the request body received before it stopped."
    )
    expected_bytes = serializers.IntegerField(
        required=False, help_text="`incomplete_upload` of a body shorter than it announced: its `Content-Length`."
    )


# ---------------------------------------------------------------------------------------------
# Spans


class SpanSummarySerializer(serializers.Serializer):
    """A span inside a claim's evidence, with its source's summary."""

    id = serializers.IntegerField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField()
    anchor_state = serializers.ChoiceField(choices=Span.AnchorState.choices)
    source = SourceSummarySerializer()


class SpanSerializer(serializers.ModelSerializer):
    """A span: ``quote == source.text[start:end]`` unless it is orphaned."""

    source = serializers.IntegerField(source="source_id")
    source_title = serializers.CharField(source="source.title")
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = Span
        fields = [
            "id",
            "source",
            "source_title",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "anchor_state",
            "suggested_start",
            "suggested_end",
            "suggestion_score",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_created_by(self, span: Span) -> str | None:
        return username_of(span.created_by)


class SpanCreateSerializer(WriteSerializer):
    """By offsets (``start``, ``end``; a ``quote`` sent along must match), or by ``quote``
    with ``occurrence`` (1-based) or ``prefix``/``suffix`` to choose among repeats."""

    # Without its text: span_create reads the text once, under the source's lock; loading
    # a 10 MB text here too would double the request's cost.
    source = id_field(Source.objects.defer("text"))
    start = StrictInteger(min_value=0, max_value=MAX_OFFSET, required=False)
    end = StrictInteger(min_value=0, max_value=MAX_OFFSET, required=False)
    quote = serializers.CharField(required=False, trim_whitespace=False, max_length=MAX_QUOTE_LENGTH)
    prefix = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_CONTEXT_LENGTH
    )
    suffix = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_CONTEXT_LENGTH
    )
    occurrence = StrictInteger(min_value=1, max_value=MAX_CANDIDATES, required=False)
