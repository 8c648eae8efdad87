"""Load the demo corpus: the five seed documents and the claims extracted from them.

The claims are not inserted as rows: they are created and moved along the workflow by the
same services the admin and the API use, so every status, reviewer and Review row is
consistent by construction. Loading is idempotent: sources are found by their text's
SHA-256, entities by slug, claims by (author, text); what exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.db import transaction

from sources.models import Source, sha256_of
from sources.services import source_create

from . import services
from .models import Claim, Entity
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
    entities_created: int = 0
    claims_created: int = 0
    claims_existing: int = 0


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


@transaction.atomic
def load_demo(password: str | None = None) -> LoadReport:
    """Load everything, all or nothing."""
    report = LoadReport()
    corpus = load_corpus()
    users = ensure_users(password, report)
    admin = users["admin"]

    sources: dict[str, Source] = {}
    for entry in corpus["sources"]:
        text = read_seed(entry["seed"])
        source = Source.objects.filter(text_sha256=sha256_of(text)).first()
        if source is None:
            fields = {k: v for k, v in entry.items() if k not in {"seed"}}
            fields["published_on"] = _date(fields.get("published_on"))
            source = source_create(user=admin, text=text, **fields)
            report.sources_created += 1
        sources[entry["seed"]] = source

    entities: dict[str, Entity] = {}
    for entry in corpus["entities"]:
        entity, created = Entity.objects.get_or_create(slug=entry["slug"], defaults=entry)
        report.entities_created += int(created)
        entities[entry["slug"]] = entity

    claims: dict[str, Claim] = {}
    for entry in corpus["claims"]:
        author = users[entry["author"]]
        existing = Claim.objects.filter(author=author, text=entry["text"]).first()
        if existing is not None:
            claims[entry["key"]] = existing
            report.claims_existing += 1
            continue
        claims[entry["key"]] = _create_claim(entry, author, users, sources, entities, claims)
        report.claims_created += 1
    return report


def _create_claim(entry, author, users, sources, entities, claims) -> Claim:
    source = sources[entry["seed"]]
    claim = services.claim_create(
        author=author,
        text=entry["text"],
        verdict=entry["verdict"],
        confidence=entry.get("confidence") or "",
        entities=[entities[slug] for slug in entry.get("entities", [])],
        period_start=_date(entry.get("period_start")),
        period_end=_date(entry.get("period_end")),
        notes=entry.get("notes", ""),
        supersedes=claims[entry["supersedes"]] if entry.get("supersedes") else None,
        evidence=[
            services.EvidenceInput(
                source=source,
                quote=item["quote"],
                occurrence=item.get("occurrence"),
                stance=item["stance"],
                note=item.get("note", ""),
            )
            for item in entry["evidence"]
        ],
    )
    decider = users.get(entry.get("decided_by") or "reviewer")
    path = WORKFLOW_PATHS[entry["status"]]
    for action in path:
        actor = author if action == "submit" else decider
        # The corpus's comment belongs to the decision that set the final status.
        comment = entry.get("comment", "") if action == path[-1] and action != "submit" else ""
        claim = services.claim_transition(claim=claim, user=actor, action=action, comment=comment)
    return claim
