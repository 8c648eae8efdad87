"""Line breaks of stored source texts become LF, as ``source_create``/``source_update`` now
store them (the admin's form used to store a textarea's CR LF).

Each span moves with its words: its offsets are mapped through the removed CRs and its
quote is normalised the same way; then the re-anchoring service checks every span against
the new text, so a span whose quote does not sit at its new offsets is relocated or marked
orphaned (and its claims flagged), never left pointing at other words.
"""

from bisect import bisect_left

from django.db import migrations


def _mapper(text: str):
    """Old offset -> offset in the normalised text (each CR LF loses its CR; a lone CR
    becomes LF in place)."""
    removed_at = [index for index in range(len(text) - 1) if text[index] == "\r" and text[index + 1] == "\n"]
    return lambda offset: offset - bisect_left(removed_at, offset)


def normalise_line_endings(apps, schema_editor):
    from sources import anchoring
    from sources.models import sha256_of
    from sources.services import normalise_line_endings as normalise
    from sources.services import reanchor_spans

    Source = apps.get_model("sources", "Source")
    Span = apps.get_model("sources", "Span")
    for source in Source.objects.filter(text__contains="\r").iterator():
        new_offset = _mapper(source.text)
        source.text = normalise(source.text)
        source.text_sha256 = sha256_of(source.text)
        source.text_length = len(source.text)
        source.save(update_fields=["text", "text_sha256", "text_length"])
        spans = list(Span.objects.filter(source=source))
        for span in spans:
            span.start, span.end = new_offset(span.start), new_offset(span.end)
            span.quote = normalise(span.quote)
            if span.suggested_start is not None:
                span.suggested_start, span.suggested_end = new_offset(span.suggested_start), new_offset(span.suggested_end)
            if span.anchor_state != "orphaned":
                span.prefix, span.suffix = anchoring.context_of(source.text, span.start, span.end)
            span.save()
        reanchor_spans(source=source, spans=spans)


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0003_span_source_index_dropped"),
        # Spans that move flag their claims (the claims app listens to re-anchoring).
        ("claims", "0007_redundant_indexes_dropped"),
    ]

    operations = [migrations.RunPython(normalise_line_endings, migrations.RunPython.noop, elidable=True)]
