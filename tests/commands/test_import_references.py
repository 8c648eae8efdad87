"""The import's own check of foreign keys (``RowWriter.checking_references``): on PostgreSQL
its rows are written with the database's per-row checks off, and checked set-wise instead.
Whatever path a row takes, a reference to a row that does not exist is refused, and the rows
referred to cannot be deleted before the import commits."""

from __future__ import annotations

import io
import json
import threading
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from claims.models import Claim, Evidence, Review
from claims.transfer.rows import RowWriter, SearchIndexDeferral
from sources.models import Span

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's replication role and row locks"),
]

EVIDENCE_COLUMNS = ("claim_id", "span_id", "stance", "note", "added_by_id", "created_at")


def _role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def _evidence(claim_id: int, span_id: int, user_id: int) -> tuple:
    return (claim_id, span_id, "supports", "", user_id, timezone.now())


def _missing_claim_id() -> int:
    return (Claim.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def _another_span(make_claim, analyst) -> Span:
    return make_claim(analyst, text="Another claim.", quote="Moscow later said").evidence.get().span


def test_rows_are_written_with_the_triggers_off_and_the_database_checks_again_after(analyst, make_claim):
    claim = make_claim(analyst)
    span = _another_span(make_claim, analyst)
    seen = []
    with transaction.atomic(), SearchIndexDeferral(connection):
        rows = RowWriter(connection)
        with rows.checking_references([Evidence]):
            rows.insert(Evidence, EVIDENCE_COLUMNS, [_evidence(claim.pk, span.pk, analyst.pk)])
            seen.append(_role())
        seen.append(_role())
    assert seen == ["replica", "origin"]
    assert claim.evidence.count() == 2


def test_a_reference_to_a_row_that_does_not_exist_is_refused_by_name(analyst, make_claim):
    claim = make_claim(analyst)
    span = claim.evidence.get().span
    missing = _missing_claim_id()
    with pytest.raises(IntegrityError, match=rf"claims_claim\.id {missing}, which do not exist"):
        with transaction.atomic(), SearchIndexDeferral(connection):
            rows = RowWriter(connection)
            with rows.checking_references([Evidence]):
                rows.insert(Evidence, EVIDENCE_COLUMNS, [_evidence(missing, span.pk, analyst.pk)])
    assert claim.evidence.count() == 1
    assert _role() == "origin"


def test_a_reference_to_a_row_written_in_the_same_window_is_satisfied_without_a_look_up(analyst, make_claim):
    # Evidence may come before the claim it belongs to: the batch is checked as a whole.
    claim = make_claim(analyst)
    span = claim.evidence.get().span
    new_id = _missing_claim_id()
    row = Claim.objects.filter(pk=claim.pk).values().get()
    row.update(id=new_id, uid=uuid.uuid4())
    columns = tuple(row)
    with transaction.atomic(), SearchIndexDeferral(connection):
        rows = RowWriter(connection)
        with rows.checking_references([Evidence, Claim]):
            rows.insert(Evidence, EVIDENCE_COLUMNS, [_evidence(new_id, span.pk, analyst.pk)])
            rows.insert(Claim, columns, [tuple(row.values())])
    assert Evidence.objects.filter(claim_id=new_id).count() == 1
    # Looked up and locked: only the rows the window did not write (the span, the user).
    assert new_id not in rows.held.get((Claim, "id"), set())
    assert span.pk in rows.held[(Span, "id")]


def test_an_error_inside_the_window_puts_the_checks_back(analyst, make_claim):
    claim = make_claim(analyst)
    with transaction.atomic(), SearchIndexDeferral(connection):
        rows = RowWriter(connection)
        with pytest.raises(RuntimeError):
            with rows.checking_references([Evidence]):
                raise RuntimeError("disk full")
        assert _role() == "origin"
        # The database checks the next row, at once here rather than at commit.
        with pytest.raises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            rows.insert(Evidence, EVIDENCE_COLUMNS, [_evidence(_missing_claim_id(), claim.evidence.get().span_id, analyst.pk)])


def _window_opens(rows: RowWriter, models) -> bool:
    with rows.checking_references(models):
        return _role() == "replica"


def test_the_window_opens_only_inside_a_search_deferral(analyst):
    with transaction.atomic():
        assert not _window_opens(RowWriter(connection), [Evidence])
        with SearchIndexDeferral(connection):
            assert _window_opens(RowWriter(connection), [Evidence])


def test_an_unknown_trigger_on_insert_keeps_the_databases_checks(analyst):
    with transaction.atomic(), SearchIndexDeferral(connection):
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION test_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER test_audit AFTER INSERT ON claims_review FOR EACH ROW EXECUTE FUNCTION test_audit()"
            )
        assert _window_opens(RowWriter(connection), [Evidence])
        assert not _window_opens(RowWriter(connection), [Evidence, Review])
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE claims_review DISABLE TRIGGER test_audit")
        assert _window_opens(RowWriter(connection), [Evidence, Review])


def test_a_rule_on_insert_keeps_the_databases_checks(analyst):
    with transaction.atomic(), SearchIndexDeferral(connection):
        with connection.cursor() as cursor:
            cursor.execute("CREATE RULE test_audit AS ON INSERT TO claims_review DO ALSO NOTIFY claimbase_test")
        assert not _window_opens(RowWriter(connection), [Evidence, Review])
        assert _window_opens(RowWriter(connection), [Evidence])


def test_a_role_that_may_not_set_the_replication_role_keeps_the_databases_checks(analyst):
    with transaction.atomic(), SearchIndexDeferral(connection):
        with connection.cursor() as cursor:
            cursor.execute("CREATE ROLE claimbase_test_importer NOLOGIN NOSUPERUSER")
            cursor.execute("GRANT INSERT ON claims_evidence TO claimbase_test_importer")
            cursor.execute("SET LOCAL ROLE claimbase_test_importer")
        assert not _window_opens(RowWriter(connection), [Evidence])
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            if connection.pg_version >= 150000:
                cursor.execute("GRANT SET ON PARAMETER session_replication_role TO claimbase_test_importer")
                cursor.execute("SET LOCAL ROLE claimbase_test_importer")
        if connection.pg_version >= 150000:
            assert _window_opens(RowWriter(connection), [Evidence])


def test_an_import_with_the_databases_own_checks_writes_its_rows(analyst, source, tmp_path, monkeypatch):
    lines = "\n".join(
        json.dumps({"author": "analyst", "text": f"Claim {number}.",
                    "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]})
        for number in range(3)
    )
    path = tmp_path / "claims.jsonl"
    path.write_text(lines)
    monkeypatch.setattr(RowWriter, "_may_skip_triggers", lambda self, models: False)
    call_command("import_claims", str(path), "--no-progress", "--batch-size", "2", stdout=io.StringIO())
    assert Claim.objects.filter(text__startswith="Claim ").count() == 3
    assert Evidence.objects.filter(claim__text__startswith="Claim ").count() == 3


def _in_another_connection(statement: str, params=()) -> bool:
    """Whether ``statement`` ran at once in a connection of its own (False: it waited for a
    lock), from a thread."""
    settings = connection.settings_dict
    outcome = {}

    def run() -> None:
        with psycopg.connect(
            host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"],
            password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True,
        ) as other:
            other.execute("SET lock_timeout = '300ms'")
            try:
                with other.transaction():
                    other.execute(statement, params)
                    raise psycopg.Rollback()
                outcome["ran"] = True
            except psycopg.errors.LockNotAvailable:
                outcome["ran"] = False

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    return outcome["ran"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_rows_referred_to_cannot_be_deleted_before_the_import_commits(analyst, make_claim):
    claim = make_claim(analyst)
    span = _another_span(make_claim, analyst)
    # What deleting it does first: lock it as its key changes.
    deleting = "SELECT 1 FROM sources_span WHERE id = %s FOR UPDATE"
    with transaction.atomic(), SearchIndexDeferral(connection):
        rows = RowWriter(connection)
        with rows.checking_references([Evidence]):
            rows.insert(Evidence, EVIDENCE_COLUMNS, [_evidence(claim.pk, span.pk, analyst.pk)])
        assert not _in_another_connection(deleting, [span.pk])
    assert _in_another_connection(deleting, [span.pk])
    assert Span.objects.filter(pk=span.pk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_trigger_or_rule_can_be_added_once_the_window_has_looked(analyst):
    rule = "CREATE RULE test_audit AS ON INSERT TO claims_review DO ALSO NOTIFY claimbase_test"
    with transaction.atomic(), SearchIndexDeferral(connection):
        with RowWriter(connection).checking_references([Review]):
            assert not _in_another_connection(rule)
    assert _in_another_connection(rule)


def test_copys_binary_format_stores_json_given_as_text_or_as_a_value(analyst, make_claim):
    claim = make_claim(analyst)
    row = Claim.objects.filter(pk=claim.pk).values().get()
    rows = RowWriter(connection)
    written = []
    for warnings in ('[{"check": "a", "message": "é"}]', [{"check": "a", "message": "é"}]):
        new_id = _missing_claim_id()
        values = {**row, "id": new_id, "uid": uuid.uuid4(), "check_warnings": warnings}
        prepared = rows.prepare(Claim, tuple(values), [tuple(values.values())])
        assert prepared.statement.endswith("(FORMAT BINARY)")
        rows.write(prepared)
        written.append(Claim.objects.values_list("check_warnings", flat=True).get(pk=new_id))
    assert written == [[{"check": "a", "message": "é"}]] * 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_source_edited_while_an_import_cites_it_waits_and_every_span_matches_its_text(analyst, source, tmp_path, monkeypatch):
    from django.db import connections

    from claims.transfer import importing
    from sources.models import Source
    from sources.services import source_update

    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps({"author": "analyst", "text": "Russia voted.",
                                "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]}))
    anchored, resume = threading.Event(), threading.Event()
    plan = importing.Importer._plan

    def planning(self, prepared):
        # The import has read the source and checked the quote against its text.
        anchored.set()
        assert resume.wait(10)
        return plan(self, prepared)

    monkeypatch.setattr(importing.Importer, "_plan", planning)
    outcome = {}

    def run(name, job) -> None:
        try:
            outcome[name] = job()
        except Exception as error:  # reported by the assertions below
            outcome[name] = error
        finally:
            connections.close_all()

    importer = threading.Thread(target=run, args=("import", lambda: call_command(
        "import_claims", str(path), "--no-progress", stdout=io.StringIO())))
    editor = threading.Thread(target=run, args=("edit", lambda: source_update(
        source=Source.objects.get(pk=source.pk), user=analyst, text="Updated. " + source.text)))
    importer.start()
    assert anchored.wait(10)
    editor.start()
    editor.join(0.5)
    waited = editor.is_alive()  # for the import's commit
    resume.set()
    importer.join(10)
    editor.join(10)
    assert outcome["import"] is None and not isinstance(outcome["edit"], Exception), outcome
    assert waited
    source.refresh_from_db()
    assert source.text.startswith("Updated. ")
    imported = Span.objects.get(evidence__claim__text="Russia voted.")
    assert (imported.start, imported.quote) == (len("Updated. "), "Russia")
    for span in Span.objects.filter(source=source, anchor_state__in=["anchored", "relocated"]):
        assert source.text[span.start:span.end] == span.quote


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_of_the_same_claims_at_once_one_wins_and_the_other_says_to_run_again(analyst, source, tmp_path, monkeypatch):
    # The second cannot see the first's claims when it checks them (not committed yet): the
    # database refuses its rows once the first commits, and it leaves nothing behind.
    from django.core.management import CommandError
    from django.db import connections

    from claims.transfer import importing

    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(
        json.dumps({"uid": str(uuid.uuid4()), "author": "analyst", "text": f"Claim {number}.",
                    "evidence": [{"source_sha256": source.text_sha256, "start": 0, "end": 6}]})
        for number in range(2)
    ))
    first_waits, go_on = threading.Event(), threading.Event()
    plan = importing.Importer._plan

    def planning(self, prepared):
        if threading.current_thread().name == "first" and self.report.claims_created:
            first_waits.set()  # its first batch is written, not committed
            assert go_on.wait(10)
        return plan(self, prepared)

    monkeypatch.setattr(importing.Importer, "_plan", planning)
    outcome = {}

    def run(name) -> None:
        out = io.StringIO()
        try:
            call_command("import_claims", str(path), "--no-progress", "--batch-size", "1", stdout=out)
            outcome[name] = out.getvalue()
        except CommandError as error:
            outcome[name] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=run, args=("first",), name="first")
    second = threading.Thread(target=run, args=("second",), name="second")
    first.start()
    assert first_waits.wait(10)
    second.start()
    second.join(0.5)  # it waits on the first's uncommitted claim
    go_on.set()
    first.join(10)
    second.join(10)
    assert "2 claims imported (0 already present)" in outcome["first"], outcome
    assert isinstance(outcome["second"], CommandError), outcome
    assert "Nothing was imported" in str(outcome["second"]) and "run this one again" in str(outcome["second"])
    assert Claim.objects.filter(text__startswith="Claim ").count() == 2
    out = io.StringIO()
    call_command("import_claims", str(path), "--no-progress", stdout=out)
    assert "0 claims imported (2 already present)" in out.getvalue()
