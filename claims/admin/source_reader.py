"""What claims add to the source reader: links from spans to the claims citing them, and
"new claim from selection", which makes a draft claim with the selected passage as its
evidence in one ``claim_create`` (the span is created with it, or nothing is)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import normalize_newlines

from project.admin import CountedTextarea, id_or_none
from project.errors import DomainError
from project.text import shortened
from sources.admin_views import (
    SelectionExtension,
    SelectionForm,
    SpanLink,
    done,
    form_errors_text,
    log_addition,
    quote_for_people,
    refusal,
    register_selection_extension,
    register_span_links,
)
from sources.models import Source

from ..models import CLAIM_TEXT_MAX_LENGTH, Claim, Evidence
from ..services import EvidenceInput, claim_create
from .relations import record_duplicate_from_form

PANEL_ID = "cb-new-claim"


# How the new claim's evidence stands to it, in the message that the claim was made.
STANCE_PHRASES = {
    Evidence.Stance.SUPPORTS: "supported by",
    Evidence.Stance.REFUTES: "refuted by",
    Evidence.Stance.CONTEXT: "with the context",
}

# A span a thousand claims cite (a much-cited report's key sentence) lists its first few,
# then the claim list filtered to it; and a source's page lists so many claims in all: a
# page that listed every one grew to 12,000 links and 5.6 MB on a source 50,000 claims cite.
CITATIONS_PER_SPAN = 5
CITATIONS_PER_PAGE = 100


def claims_citing(span_ids: Sequence[int]) -> dict[int, list[SpanLink]]:
    """The first ``CITATIONS_PER_SPAN`` claims citing each span (oldest first), and a link
    to the claim list of all of them ("and 1,034 more"); past ``CITATIONS_PER_PAGE`` claims
    in all, in the order of ``span_ids``, a span has that link alone. Two queries, whatever
    the number of spans and citations."""
    ids = list(span_ids)
    counts = dict(Evidence.objects.filter(span_id__in=ids).order_by().values_list("span_id").annotate(n=Count("id")))
    first = (
        Evidence.objects.filter(span_id__in=ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("span_id")], order_by=[F("claim_id").asc()]))
        .filter(rank__lte=CITATIONS_PER_SPAN)
        .values("id")
    )
    rows = (
        Evidence.objects.filter(id__in=first)
        .select_related("claim")
        .only("span_id", "stance", "claim__id", "claim__text", "claim__status")
        .order_by("claim_id")
    )
    cited: dict[int, list[Evidence]] = defaultdict(list)
    for evidence in rows:
        cited[evidence.span_id].append(evidence)
    links: dict[int, list[SpanLink]] = defaultdict(list)
    room = CITATIONS_PER_PAGE
    changelist = reverse("admin:claims_claim_changelist")
    for span_id in ids:
        if not counts.get(span_id):
            continue
        shown = cited[span_id][: max(room, 0)]
        room -= len(shown)
        for evidence in shown:
            claim = evidence.claim
            links[span_id].append(
                SpanLink(
                    label=f"#{claim.pk} {shortened(claim.text, 70)} ({evidence.get_stance_display().lower()})",
                    url=reverse("admin:claims_claim_change", args=[claim.pk]),
                    badge=claim.status,
                    badge_label=claim.get_status_display(),
                )
            )
        more = counts[span_id] - len(shown)
        if more:
            label = f"and {more:,} more" if shown else f"{more:,} claim{'' if more == 1 else 's'}"
            links[span_id].append(SpanLink(label=f"{label} →", url=f"{changelist}?span={span_id}"))
    return links


class ClaimFromSelectionForm(SelectionForm):
    # Shares one <form> with "Make span": a required attribute would block that button.
    use_required_attribute = False

    text = forms.CharField(max_length=CLAIM_TEXT_MAX_LENGTH, label="Claim",
                           widget=CountedTextarea(attrs={"rows": 2,
                                                        "placeholder": "Type the claim this passage supports, then press Enter"}))
    # Optional: a claim typed and sent with Enter is supported by the passage, unverified,
    # confidence to be set; submission asks for what is missing.
    stance = forms.ChoiceField(choices=Evidence.Stance.choices, initial=Evidence.Stance.SUPPORTS,
                               label="This passage", required=False)
    verdict = forms.ChoiceField(choices=Claim.Verdict.choices, initial=Claim.Verdict.UNVERIFIED, required=False)
    confidence = forms.ChoiceField(choices=[("", "— set later")] + list(Claim.Confidence.choices), required=False)

    def clean_text(self) -> str:
        return normalize_newlines(self.cleaned_data["text"]).strip()


def _selection_context(request: HttpRequest, source: Source) -> dict | None:
    if not request.user.has_perm("claims.add_claim"):
        return None
    return {
        "panel_id": PANEL_ID,
        "button_label": "",
        "claim_form": ClaimFromSelectionForm(auto_id="cb-claim-%s"),
        "claim_from_selection_url": reverse("admin:claims_claim_from_selection"),
    }


def claim_from_selection_view(model_admin, request: HttpRequest) -> HttpResponse:
    """POST a selection and a claim: a draft claim with the passage as evidence, made by one
    ``claim_create`` (the span with it, or nothing). Back to the source, at the passage, so
    that the next claim is one selection away."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    sources_page = reverse("admin:sources_source_changelist")
    source_id = id_or_none(request.POST.get("source", ""))
    if source_id is None:
        return refusal(request, sources_page, "No claim made: no source given.")
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        # The reader's script reads a refusal's ``detail``: a page of HTML would leave it
        # only "error 404" to show.
        return refusal(
            request, sources_page, f"No claim made: source #{source_id} no longer exists (it was deleted).", status=404
        )
    page = reverse("admin:sources_source_change", args=[source.pk])
    form = ClaimFromSelectionForm(request.POST)
    if not form.is_valid():
        return refusal(request, page, f"No claim made: {form_errors_text(form)}", errors=form.errors)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            claim = claim_create(
                author=request.user,
                text=data["text"],
                verdict=data["verdict"] or Claim.Verdict.UNVERIFIED,
                confidence=data["confidence"],
                evidence=[
                    EvidenceInput(
                        source=source,
                        start=data["start"],
                        end=data["end"],
                        quote=data["quote"],
                        stance=data["stance"] or Evidence.Stance.SUPPORTS,
                    )
                ],
            )
            record_duplicate_from_form(request, claim)
    except DomainError as error:
        return refusal(request, page, f"No claim made: {error.message}", status=error.status_code)
    evidence = claim.evidence.select_related("span").get()
    log_addition(request, claim, f"Added from a selection in “{source.title}”, with span #{evidence.span_id} as evidence.")
    missing = [name for name, unset in (("verdict", claim.verdict == Claim.Verdict.UNVERIFIED), ("confidence", not claim.confidence)) if unset]
    next_step = (
        f"Set its {' and '.join(missing)} there, or later, then submit it for review."
        if missing else "Submit it for review there when it is ready."
    )
    message = format_html(
        'Draft claim <a href="{}">#{}</a> created: “{}”, {} “{}”. {}',
        reverse("admin:claims_claim_change", args=[claim.pk]),
        claim.pk,
        quote_for_people(claim.text, 100),
        STANCE_PHRASES.get(evidence.stance, "cited with"),
        quote_for_people(evidence.span.quote, 60),
        next_step,
    )
    return done(request, f"{page}#span-{evidence.span_id}", message)


register_span_links(claims_citing)
register_selection_extension(
    SelectionExtension(template_name="admin/claims/claim/selection_form.html", context=_selection_context)
)
