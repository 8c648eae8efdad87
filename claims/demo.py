"""Load the demo corpus: the five seed documents and the claims extracted from them.

The claims are not inserted as rows: they are created and moved along the workflow by the
same services the admin and the API use, so every status, reviewer and Review row is
consistent by construction. Loading is idempotent: sources are found by their text's
SHA-256, entities by slug, claims by (author, text). What exists is left as people left it
unless the corpus changed its entry since it was last loaded (``DemoEntry``): only then is
it brought in line, through the same services.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.db import transaction

from sources.models import Source, sha256_of
from sources.services import source_create, source_update

from . import services
from .models import Claim, DemoEntry, Entity, Evidence
from .roles import ANALYSTS, REVIEWERS

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
SEEDS_DIR = FIXTURES_DIR / "seeds"
CORPUS_FILE = FIXTURES_DIR / "demo_corpus.json"

DEMO_USERS = (
    # username, group, superuser
    ("analyst", ANALYSTS, False),
    ("reviewer", REVIEWERS, False),
    ("admin", None, True),
)

# The path through the workflow that ends in each status; "decider" acts where the
# author may not (four-eyes).
WORKFLOW_PATHS = {
    Claim.Status.DRAFT: [],
    Claim.Status.IN_REVIEW: ["submit"],
    Claim.Status.CHANGES_REQUESTED: ["submit", "request_changes"],
    Claim.Status.PUBLISHED: ["submit", "approve"],
    Claim.Status.REJECTED: ["submit", "reject"],
    Claim.Status.RETRACTED: ["submit", "approve", "retract"],
}


@dataclass
class LoadReport:
    users_created: list[str] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)
    sources_created: int = 0
    sources_updated: int = 0
    entities_created: int = 0
    entities_updated: int = 0
    claims_created: int = 0
    claims_updated: int = 0
    claims_existing: int = 0


# A claim that must change leaves its status for an editable one by these steps (then goes
# back along WORKFLOW_PATHS): what an editor does to correct a published record.
TO_EDITABLE = {
    Claim.Status.DRAFT: [],
    Claim.Status.CHANGES_REQUESTED: [],
    Claim.Status.IN_REVIEW: ["request_changes"],
    Claim.Status.PUBLISHED: ["retract", "reopen"],
    Claim.Status.REJECTED: ["reopen"],
    Claim.Status.RETRACTED: ["reopen"],
}
REVISION_COMMENT = "Demo corpus revised: the claim is corrected against its sources."
SOURCE_METADATA = ("title", "publisher", "authors", "published_on", "kind", "language", "reliability", "url", "notes")
ENTITY_FIELDS = ("name", "kind", "wikidata_id", "aliases")


def read_seed(name: str) -> str:
    """A seed's text, byte for byte (no newline translation)."""
    return (SEEDS_DIR / name).read_bytes().decode("utf-8")


def load_corpus() -> dict:
    return json.loads(CORPUS_FILE.read_text(encoding="utf-8"))


def ensure_users(password: str | None, report: LoadReport) -> dict[str, User]:
    """Create the demo users; an existing user's password changes only when one is given."""
    users = {}
    for username, group, superuser in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            chosen = password or secrets.token_urlsafe(9)
            if superuser:
                user = User.objects.create_superuser(username=username, password=chosen)
            else:
                user = User.objects.create_user(username=username, password=chosen, is_staff=True)
            report.users_created.append(username)
            report.passwords[username] = chosen
        elif password and not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            report.passwords[username] = password
        if group:
            user.groups.add(Group.objects.get(name=group))
        users[username] = user
    return users


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def fingerprint(entry: dict, *extra: str) -> str:
    """A corpus entry's fingerprint: its JSON with sorted keys (and ``extra``, a seed's text
    digest), hashed."""
    canonical = json.dumps([entry, *extra], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Loaded:
    """The entries last loaded (fingerprint and row), and this load's."""

    before: dict[str, tuple[str, int | None]]
    now: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    @classmethod
    def read(cls) -> Loaded:
        return cls({key: (print_, pk) for key, print_, pk in DemoEntry.objects.values_list("key", "fingerprint", "object_id")})

    def changed(self, key: str, print_: str) -> bool:
        """Whether the corpus changed ``key``'s entry since it was last loaded (never
        loaded, or loaded before fingerprints were kept: changed)."""
        return self.before.get(key, (None, None))[0] != print_

    def row(self, key: str) -> int | None:
        """The row last loaded for ``key``: found by it even after people changed the words
        it was found by (a claim's text, a source's)."""
        return self.before.get(key, (None, None))[1]

    def record(self, key: str, print_: str, pk: int | None) -> None:
        self.now[key] = (print_, pk)

    def save(self) -> None:
        for key, (print_, pk) in self.now.items():
            if self.before.get(key) != (print_, pk):
                DemoEntry.objects.update_or_create(key=key, defaults={"fingerprint": print_, "object_id": pk})


@transaction.atomic
def load_demo(password: str | None = None, corpus: dict | None = None) -> LoadReport:
    """Load everything, all or nothing. What is missing is created; what exists is brought in
    line with the corpus only where the corpus changed its entry since it was last loaded."""
    report = LoadReport()
    corpus = corpus if corpus is not None else load_corpus()
    users = ensure_users(password, report)
    admin = users["admin"]
    loaded = Loaded.read()

    sources: dict[str, Source] = {}
    for entry in corpus["sources"]:
        sources[entry["seed"]] = _ensure_source(entry, admin, report, loaded)

    entities: dict[str, Entity] = {}
    for entry in corpus["entities"]:
        entities[entry["slug"]] = _ensure_entity(entry, admin, report, loaded)

    claims: dict[str, Claim] = {}
    for entry in corpus["claims"]:
        author = users[entry["author"]]
        key, print_ = f"claim:{entry['key']}", fingerprint(entry)
        changed = loaded.changed(key, print_)
        existing = Claim.objects.filter(pk=loaded.row(key)).first() or _find_claim(author, entry)
        if existing is None and not changed:
            continue  # loaded before, then deleted by the people using the demo (a draft)
        if existing is None:
            existing = _create_claim(entry, author, users, sources, entities, claims)
            report.claims_created += 1
        elif changed and _revise_claim(existing, entry, author, users, sources, entities, claims):
            report.claims_updated += 1
        else:
            report.claims_existing += 1
        claims[entry["key"]] = existing
        loaded.record(key, print_, existing.pk)
    loaded.save()
    return report


def _ensure_source(entry: dict, admin, report: LoadReport, loaded: Loaded) -> Source:
    text = read_seed(entry["seed"])
    fields = {name: entry[name] for name in SOURCE_METADATA}
    fields["published_on"] = _date(fields["published_on"])
    key, print_ = f"source:{entry['seed']}", fingerprint(entry, sha256_of(text))
    changed_in_corpus = loaded.changed(key, print_)
    source = (
        Source.objects.filter(pk=loaded.row(key)).first() or Source.objects.filter(text_sha256=sha256_of(text)).first()
    )
    if source is None:
        report.sources_created += 1
        source = source_create(user=admin, text=text, **fields)
    elif changed_in_corpus:
        changed = {name: value for name, value in fields.items() if getattr(source, name) != value}
        if changed:
            source_update(source=source, user=admin, **changed)
            source.refresh_from_db()
            report.sources_updated += 1
    loaded.record(key, print_, source.pk)
    return source


def _ensure_entity(entry: dict, admin, report: LoadReport, loaded: Loaded) -> Entity:
    """An entity by its slug: created when missing; changed through the service (each
    claim tagged with it gets a new version, its ETag, and the feed's event) when the
    corpus changed it."""
    key, print_ = f"entity:{entry['slug']}", fingerprint(entry)
    changed_in_corpus = loaded.changed(key, print_)
    entity, created = Entity.objects.filter(pk=loaded.row(key)).first(), False
    if entity is None:
        entity, created = Entity.objects.get_or_create(slug=entry["slug"], defaults=entry)
    if created:
        report.entities_created += 1
    elif changed_in_corpus:
        changed = {name: entry[name] for name in ENTITY_FIELDS if getattr(entity, name) != entry[name]}
        if changed:
            entity = services.entity_update(entity=entity, user=admin, **changed)
            report.entities_updated += 1
    loaded.record(key, print_, entity.pk)
    return entity


def _find_claim(author, entry: dict) -> Claim | None:
    """The claim by its text or, for a corrected claim, by a wording it had before."""
    for text in (entry["text"], *entry.get("previous_texts", ())):
        found = Claim.objects.filter(author=author, text=text).order_by("pk").first()
        if found is not None:
            return found
    return None


def _evidence_inputs(entry: dict, sources: dict[str, Source]) -> list[services.EvidenceInput]:
    # Each item may cite any seed; without one, the claim's own.
    return [
        services.EvidenceInput(
            source=sources[item.get("seed") or entry["seed"]],
            quote=item["quote"],
            occurrence=item.get("occurrence"),
            stance=item["stance"],
            note=item.get("note", ""),
        )
        for item in entry["evidence"]
    ]


def _content(entry: dict, entities: dict[str, Entity], claims: dict[str, Claim]) -> dict:
    return {
        "text": entry["text"],
        "verdict": entry["verdict"],
        "confidence": entry.get("confidence") or "",
        "period_start": _date(entry.get("period_start")),
        "period_end": _date(entry.get("period_end")),
        "notes": entry.get("notes", ""),
        "supersedes": claims.get(entry["supersedes"]) if entry.get("supersedes") else None,
        "entities": [entities[slug] for slug in entry.get("entities", [])],
    }


def _create_claim(entry, author, users, sources, entities, claims) -> Claim:
    content = _content(entry, entities, claims)
    claim = services.claim_create(author=author, evidence=_evidence_inputs(entry, sources), **content)
    return _walk(claim, WORKFLOW_PATHS[entry["status"]], entry, author, users)


def _walk(claim: Claim, path: list[str], entry: dict, author, users, *, revising: bool = False) -> Claim:
    """Take the claim along ``path``: the author submits, the decider decides."""
    decider = users.get(entry.get("decided_by") or "reviewer")
    for action in path:
        actor = author if action == "submit" else decider
        if action == "submit":
            comment = ""
        elif revising:
            comment = REVISION_COMMENT
        elif action == path[-1]:
            # The corpus's comment belongs to the decision that set the final status.
            comment = entry.get("comment", "")
        else:
            # An approval on the way (a retracted claim was published first).
            comment = entry.get("approval_comment", "")
        claim = services.claim_transition(claim=claim, user=actor, action=action, comment=comment)
    return claim


def _evidence_key(item: Evidence) -> tuple:
    return (item.span.source_id, item.span.quote, item.stance, item.note)


def _revise_claim(claim: Claim, entry, author, users, sources, entities, claims) -> bool:
    """Bring an existing demo claim in line with the corpus; False when it already is.

    A claim whose content differs is moved to an editable status the way an editor would
    (published: retracted, then reopened; in review: changes requested), corrected by its
    author through the services, and taken back along the workflow to its status."""
    content = _content(entry, entities, claims)
    wanted = [
        (item.source.pk, item.quote, item.stance, item.note) for item in _evidence_inputs(entry, sources)
    ]
    evidence = list(claim.evidence.select_related("span"))
    current = {
        "text": claim.text,
        "verdict": claim.verdict,
        "confidence": claim.confidence,
        "period_start": claim.period_start,
        "period_end": claim.period_end,
        "notes": claim.notes,
        "supersedes": claim.supersedes,
        "entities": sorted(claim.entities.all(), key=lambda entity: entity.pk),
    }
    same_content = {**content, "entities": sorted(content["entities"], key=lambda entity: entity.pk)} == current
    same_evidence = sorted(map(_evidence_key, evidence)) == sorted(wanted)
    if same_content and same_evidence and claim.status == entry["status"]:
        return False
    claim = _walk(claim, TO_EDITABLE[claim.status], entry, author, users, revising=True)
    if not same_content:
        services.claim_update(claim=claim, user=author, **content)
    if not same_evidence:
        keep = set()
        items = _evidence_inputs(entry, sources)
        for row in evidence:
            matching = next(
                (item for item in items if (item.source.pk, item.quote) == (row.span.source_id, row.span.quote)), None
            )
            if matching is None:
                services.evidence_remove(evidence=row, user=author)
                continue
            keep.add((row.span.source_id, row.span.quote))
            if (row.stance, row.note) != (matching.stance, matching.note):
                services.evidence_update(evidence=row, user=author, stance=matching.stance, note=matching.note)
        for item in items:
            if (item.source.pk, item.quote) not in keep:
                services.evidence_add(claim=claim, user=author, item=item)
    claim.refresh_from_db()
    target = entry["status"]
    if claim.status == Claim.Status.CHANGES_REQUESTED and target == Claim.Status.DRAFT:
        return True  # a claim that was ever submitted does not go back to draft
    _walk(claim, WORKFLOW_PATHS[target], entry, author, users)
    return True
