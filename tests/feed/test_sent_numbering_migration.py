"""Migration feed 0008 fixes the numbering of the webhooks already in a database that may
have sent an event, their delivery log pruned or not; it leaves free the ones that cannot
have sent one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("feed", "0007_delivery_sent_at")]
AFTER = [("feed", "0008_webhook_sent_numbering")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_webhooks_that_may_have_sent_an_event_get_their_numbering_fixed():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Webhook, Event, Delivery = (old.get_model("feed", name) for name in ("Webhook", "Event", "Delivery"))
    try:
        before = Event.objects.create(type="claim.published", claim=1, version=1, seq=1, public=True)
        # Added to send new events only, or to send every event and its log pruned since:
        # which, nothing tells, and left free the second would renumber its receiver's events.
        Webhook.objects.create(url="https://hooks.example.org/fresh", secret="s" * 20, last_seq=1)
        Webhook.objects.create(url="https://hooks.example.org/other-types", secret="s" * 20, last_seq=1, types=["source.deleted"])
        logged = Webhook.objects.create(url="https://hooks.example.org/logged", secret="s" * 20, public_only=False)
        Delivery.objects.create(webhook=logged, event=before, seq=1, attempts=1)
        queued = Webhook.objects.create(url="https://hooks.example.org/queued", secret="s" * 20)
        Delivery.objects.create(webhook=queued, event=before, seq=1)
        pruned = Webhook.objects.create(url="https://hooks.example.org/pruned", secret="s" * 20)
        Event.objects.create(type="claim.published", claim=2, version=1, seq=2, public=True)
        Webhook.objects.filter(pk=pruned.pk).update(last_seq=2)  # its cursor passed a later event; no log left

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("feed", "Webhook")
        numbering = dict(new.objects.values_list("url", "sent_numbering"))
        assert numbering == {
            "https://hooks.example.org/fresh": "public",
            "https://hooks.example.org/other-types": "",  # passed no event it takes
            "https://hooks.example.org/logged": "all",
            "https://hooks.example.org/queued": "",
            "https://hooks.example.org/pruned": "public",
        }
        # The code of the release before inserts webhooks without the column, while this
        # one serves: the database fills it in (a NOT NULL refusal had been a 500).
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO feed_webhook (url, secret, types, active, public_only, last_seq, failing_since, "
                "disabled_reason, lease_until, lease_owner, created_by_id, created_at) "
                "VALUES ('https://hooks.example.org/old-code', 'ssssssssssssssssssss', '[]', true, true, 0, NULL, '', NULL, '', NULL, %s)",
                [timezone.now()],
            )
        assert new.objects.get(url="https://hooks.example.org/old-code").sent_numbering == ""
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
