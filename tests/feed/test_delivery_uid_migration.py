"""Migration feed 0005 gives each delivery already in a database its own opaque id."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("feed", "0004_alter_webhook_last_seq")]
AFTER = [("feed", "0005_delivery_uid")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_existing_delivery_gets_an_id_of_its_own():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Webhook, Event, Delivery = (old.get_model("feed", name) for name in ("Webhook", "Event", "Delivery"))
    try:
        webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20)
        for seq in range(1, 4):
            event = Event.objects.create(type="claim.published", claim=seq, version=1, seq=seq, public=True)
            Delivery.objects.create(webhook=webhook, event=event, seq=seq)
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("feed", "Delivery")
        uids = list(new.objects.values_list("uid", flat=True))
        assert len(uids) == 3 and None not in uids and len(set(uids)) == 3
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
