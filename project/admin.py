"""Admin building blocks shared by the apps: service-backed history, errors as messages,
badges, and a paginator that stays cheap on very large tables.

The admin is a thin adapter over the services: every state change goes through them, and a
``DomainError`` they raise is shown to the person as a message, never as a 500.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple, RelatedFieldWidgetWrapper
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DataError, NotSupportedError, connections
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.contrib.auth.base_user import AbstractBaseUser
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from project.errors import DomainError, NotAllowed
from project.validation import ascii_integer, normalise_line_endings

# Below this many rows an estimate is not worth its imprecision.
ESTIMATE_THRESHOLD = 100_000
# A filtered list counts its rows up to this many; past it, the page says "more than".
COUNT_CAP = 10_000
# The largest id a BIGINT (and SQLite's INTEGER) holds.
MAX_ID = 2**63 - 1


def id_or_none(value: Any) -> int | None:
    """An id typed into a URL or a form: ASCII digits within a BIGINT, else None.
    (``str.isdigit`` also accepts "²", which ``int`` refuses, and 20 digits overflow
    SQLite's integers.)"""
    number = ascii_integer(value)
    return number if number is not None and 0 < number <= MAX_ID else None


def object_or_404(model_admin, request: HttpRequest, object_id: str):
    """The object an admin URL names, as the change page finds it (through the admin's
    queryset), or 404 for anything else: junk ids included, never a 500."""
    obj = model_admin.get_object(request, object_id) if id_or_none(object_id) else None
    if obj is None:
        raise Http404(f"No {model_admin.opts.verbose_name} with id {object_id!r}.")
    return obj


# Lookups the admin never links to, refused from a query string before any SQL is built.
REFUSED_LOOKUPS = frozenset({"regex", "iregex", "range"})


def refused_lookup(key: str) -> str | None:
    """Why a change list's query-string parameter ``key`` may not filter, or None.

    - ``regex``/``iregex``: each database reads its own dialect (PostgreSQL's ARE, Python's
      ``re`` in SQLite), a pattern one of them cannot compile fails only when the query runs
      (a 500, and on PostgreSQL an aborted transaction), and a pattern that backtracks
      without end holds a worker, in SQLite the database too, for as long as it scans.
      The search box and the filters cover what people need.
    - ``range``: the admin hands the lookup the raw string, so ``id__range=19`` would mean
      1 to 9 (its two characters) and ``id__range=1`` fails while the SQL is built.
    """
    *path, lookup = key.split(LOOKUP_SEP)
    if path and lookup in REFUSED_LOOKUPS:
        return f"{key}: the {lookup!r} lookup cannot be given in the address"
    return None


def lookup_error_reason(error: IncorrectLookupParameters) -> str:
    """The first line of what went wrong, as a person reads it: a ``ValidationError``'s
    messages rather than its list's repr, and no SQL context a driver may add below."""
    cause = error.args[0] if error.args else error
    text = "; ".join(cause.messages) if isinstance(cause, ValidationError) else str(cause)
    return text.strip().splitlines()[0] if text.strip() else "a bad lookup"


class LenientChangeList(ChangeList):
    """A change list whose query string is data: a date drill-down to year 0 or past
    9999, a value the database cannot hold, a lookup the database does not have, or one of
    ``REFUSED_LOOKUPS`` is a bad lookup (the admin's "?e=1" page: the unfiltered list, with
    ``LenientChangeListMixin``'s message), not a 500."""

    def get_filters(self, request):
        for key in self.get_filters_params():
            problem = refused_lookup(key)
            if problem is not None:
                raise IncorrectLookupParameters(problem)
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        """Lookups such as ``published_on__year=0`` fail only when their SQL is built, at
        the first count, as do those a backend lacks (``aliases__contains`` on SQLite:
        ``NotSupportedError``); a ``DataError`` is the database refusing a value.

        No savepoint guards the count (on SQLite every transaction here takes the write
        lock): a ``DataError`` leaves an enclosing PostgreSQL transaction aborted, which is
        why what is known to fail (``REFUSED_LOOKUPS``) is refused before any SQL runs.
        """
        try:
            return super().get_results(request)
        except (ValueError, OverflowError, DataError, NotSupportedError) as error:
            raise IncorrectLookupParameters(error) from error


class LenientChangeListMixin:
    def get_changelist(self, request, **kwargs):
        return LenientChangeList

    def get_changelist_instance(self, request):
        """The change list, or ``IncorrectLookupParameters`` with a message saying why: the
        admin then shows the unfiltered list ("?e=1"), which alone would not say that the
        filter in the address was dropped."""
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters as error:
            messages.error(
                request,
                f"The list is shown unfiltered: the filter in the address is invalid ({lookup_error_reason(error)}).",
                fail_silently=True,
            )
            raise


def every_change_list_lenient(site=None) -> None:
    """Give every registered admin ``LenientChangeListMixin``, those of other apps too (users,
    groups, tokens, login attempts): ``?username__regex=(`` was a 500 there. Each admin
    instance becomes an instance of a subclass of its class with the mixin first."""
    from django.contrib import admin

    for model_admin in (site or admin.site)._registry.values():
        cls = type(model_admin)
        if not isinstance(model_admin, LenientChangeListMixin):
            model_admin.__class__ = type(f"Lenient{cls.__name__}", (LenientChangeListMixin, cls), {})


class EstimatedCountPaginator(Paginator):
    """Counts exactly, with two exceptions, both for lists of a size nobody pages through.

    - An unfiltered PostgreSQL table past ``ESTIMATE_THRESHOLD`` rows: the planner's estimate
      stands in (``COUNT(*)`` over a million claims costs more than the page itself, and the
      admin's page links need only the order of magnitude).
    - A filtered list is counted up to ``COUNT_CAP`` rows (or its ``count_cap``): past that, ``capped`` is true,
      the count is the cap, and the page says "more than" it (counting every one of 80,000
      claims that match a common word and a filter costs a third of a second on PostgreSQL;
      the first 10,001 a few milliseconds). Its pages go as far as the cap: a narrower
      filter or search reaches the rest.
    """

    capped = False

    def __init__(self, *args, count_cap: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A list whose count is shown elsewhere with a cap of its own (the review queue's)
        # says that one here too.
        self.count_cap = count_cap

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        cap = COUNT_CAP if self.count_cap is None else self.count_cap
        if query is not None and query.where and not query.distinct:
            # Without the ordering (no sort before the limit) and the annotations (the
            # evidence counts of the shown page are not needed to count it).
            counted = queryset.order_by().values("pk")[: cap + 1].count()
            if counted > cap:
                self.capped = True
                return cap
            return counted
        if query is not None and not query.where and not query.distinct:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [queryset.model._meta.db_table],
                    )
                    row = cursor.fetchone()
                if row and row[0] >= ESTIMATE_THRESHOLD:
                    return int(row[0])
        return super().count


def badge(kind: str, value: str, label: str, *, title: str = "") -> str:
    """A colored pill, e.g. a claim's status; colors live in ``sources/admin.css``."""
    return format_html(
        '<span class="cb-badge cb-{}-{}" title="{}">{}</span>', kind, value, title or label, label
    )


def message_domain_error(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


def readable_history_value(value: Any) -> Any:
    """A value of a field-history change as a person reads it: a user by name, an unset
    relation as "—" (never "Deleted user (pk=None)"), a removed one as "deleted <model> #id"."""
    if isinstance(value, DeletedObject):
        return "—" if value.pk is None else f"deleted {value.model._meta.verbose_name} #{value.pk}"
    if isinstance(value, AbstractBaseUser):
        return value.get_username()
    if isinstance(value, list):
        return [readable_history_value(item) for item in value]
    if value is None or value == "":
        return "—"
    return value


# A change of a value up to this long is shown whole on a history page (a claim's text is at
# most 500 characters): cut at 80, "cubic met[21 chars]Iran." hid the very words changed.
HISTORY_VALUE_SHOWN = 600


class ReadableHistoryValues(HistoricalRecordContextHelper):
    """A history page's changes as a person reads them: values named as the forms name them
    (a status's label, "In review", not ``in_review``), and shown whole up to
    ``HISTORY_VALUE_SHOWN`` characters."""

    def __init__(self, model, historical_record, **kwargs):
        kwargs.setdefault("max_displayed_delta_change_chars", HISTORY_VALUE_SHOWN)
        super().__init__(model, historical_record, **kwargs)

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not field.many_to_many and value not in (None, ""):
            value = dict(field.flatchoices).get(value, value)
        return readable_history_value(super().prepare_delta_change_value(change, value))


def is_id(value: Any) -> bool:
    """Whether ``value`` (as a form or a query string gives it) is an id: ``id_or_none``."""
    return id_or_none(str(value).strip()) is not None


def _by_integer_key(field: forms.ModelChoiceField) -> bool:
    key = field.queryset.model._meta.pk if field.to_field_name is None else field.queryset.model._meta.get_field(field.to_field_name)
    return key.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField")


class CountedTextarea(forms.Textarea):
    """A textarea for text with a length limit that the page counts and the server enforces,
    without the browser's ``maxlength``: that cut a pasted 10,000-character claim to its
    first 500, mid-word, and said nothing. The field's limit is rendered as
    ``data-max-length`` (its ``maxlength``, which ``CharField`` adds, is taken out); the
    page's script counts against it and says when the text is over, and the server refuses
    it with its length, keeping what was typed."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rendered = context["widget"]["attrs"]
        if "maxlength" in rendered:
            rendered["data-max-length"] = rendered.pop("maxlength")
        return context

    def value_from_datadict(self, data, files, name):
        """The text with its line breaks as the page counted them, one character each: a
        browser sends a textarea's breaks as CR LF, and the length check had counted two for
        each (499 characters on the page, "it has 518" from the server)."""
        value = super().value_from_datadict(data, files, name)
        return normalise_line_endings(value) if isinstance(value, str) else value


class BoundedModelChoiceField(forms.ModelChoiceField):
    """A choice by id: a value that is not an id a database holds is not a valid choice."""

    def to_python(self, value):
        if value not in self.empty_values and _by_integer_key(self) and not is_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Choices by id, each refused by name when it is not an id a database holds."""

    def _check_values(self, value):
        if _by_integer_key(self):
            for item in value:
                if not is_id(item):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                    )
        return super()._check_values(value)


class _SelectedIdsOnly:
    """An autocomplete widget asks the database for the options already chosen: a value
    sent back that is no id (``abc``, or past any integer) is left out of that question,
    and the form says the choice is not valid."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [item for item in value if item in (None, "") or is_id(item)], attr)


class SafeAutocompleteSelect(_SelectedIdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_SelectedIdsOnly, AutocompleteSelectMultiple):
    pass


def _with_safe_autocomplete(field):
    """``field`` with its autocomplete widget (inside the related-object links' wrapper, if
    any) one that asks only for ids."""
    if field is None:
        return field
    holder = field.widget if isinstance(field.widget, RelatedFieldWidgetWrapper) else field
    widget = holder.widget
    for plain, safe in ((AutocompleteSelectMultiple, SafeAutocompleteSelectMultiple), (AutocompleteSelect, SafeAutocompleteSelect)):
        if type(widget) is plain:
            holder.widget = safe(widget.field, widget.admin_site, attrs=widget.attrs, choices=widget.choices, using=widget.db)
            break
    return field


class HostileInputSafeAdmin:
    """The admin's forms and add pages take ids and values from the person's request: an id
    that names nothing or is not an integer, or a prefill (``?supersedes=abc``,
    ``?retrieved_at=zz``) that is not a value of its field, is refused on the form or left
    out of it; never a 500."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedModelChoiceField)
        return _with_safe_autocomplete(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return _with_safe_autocomplete(super().formfield_for_manytomany(db_field, request, **kwargs))

    def get_changeform_initial_data(self, request):
        """The query string's prefill, each value kept only if its field takes it."""
        kept = {}
        for name, value in super().get_changeform_initial_data(request).items():
            try:
                model_field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                kept[name] = value  # a form's own field: its form checks it
                continue
            if model_field.many_to_many:
                ids = [item for item in (value if isinstance(value, list) else str(value).split(",")) if is_id(item)]
                if ids:
                    kept[name] = ids
            elif model_field.is_relation:
                if is_id(value):
                    kept[name] = value
            else:
                try:
                    kept[name] = model_field.to_python(value)
                except ValidationError:
                    pass
        return kept


class ServiceHistoryAdmin(HostileInputSafeAdmin, LenientChangeListMixin, SimpleHistoryAdmin):
    """History pages whose "Revert" goes through the services.

    django-simple-history's history form saves the old version with the model form, which
    would bypass every rule the services hold (the freeze of a published claim, re-anchoring,
    version bumps), and it accepts the POST from anyone who may merely view history. Here a
    POST needs the change permission, and the version is restored by ``restore_version``,
    which subclasses implement with the services. A refusal is shown as a message.
    """

    # Subclasses whose objects cannot be restored meaningfully set this to False.
    restorable = True
    # Fields too large to read for each row of the history list or to ask a rule (a
    # source's text): read only on the page of one version. The list's changes leave them
    # out; a smaller field tells theirs (a text's length and hash).
    large_fields: tuple[str, ...] = ()

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return super().get_history_queryset(request, history_manager, pk_name, object_id).defer(*self.large_fields)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # As django-simple-history's, with ``large_fields`` excluded from the comparison; and
        # each record named as its object was then, without them (``history_label``).
        previous = None
        for current in historical_records:
            current.history_label = self.history_label(current)
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=self.large_fields, foreign_keys_are_objs=foreign_keys_are_objs
                )
                for name in self.large_fields:
                    if (change := self.large_field_change(name, current, previous)) is not None:
                        delta.changes.append(change)
                        delta.changed_fields.append(name)
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryValues(self.model, historical_record)

    def restore_version(self, request: HttpRequest, obj: Any, version: Any) -> str:
        """Bring ``obj`` back to the values of ``version`` through the services; return a
        message for the person. Raise ``DomainError`` to refuse. Records without a service
        that restores them are refused, with a message, rather than saved behind the services."""
        raise NotAllowed(f"A {self.opts.verbose_name} cannot be restored from its history.", code="not_restorable")

    def large_field_change(self, name: str, older: Any, newer: Any) -> ModelChange | None:
        """The change of the large field ``name`` between two history records, told by
        smaller fields (``large_fields``); None when it did not change."""
        return None

    def history_label(self, record: Any) -> str:
        """What the object was called in ``record``: its ``__str__`` of an instance built
        without ``large_fields`` (django-simple-history's ``history_object`` reads them all)."""
        if not self.large_fields:
            return str(record.history_object)
        kept = {field.attname for field in record._meta.concrete_fields} - {
            self.model._meta.get_field(name).attname for name in self.large_fields
        }
        fields = [field.attname for field in self.model._meta.concrete_fields if field.attname in kept]
        return str(self.model(**{name: getattr(record, name) for name in fields}))

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.restorable:
            return True
        if obj is not None:
            # The version page hands over the old instance; whether the object may change
            # now is a question for the live one (a claim published since is frozen).
            obj = self.model._default_manager.defer(*self.large_fields).filter(pk=obj.pk).first() or obj
        return super().revert_disabled(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        if id_or_none(object_id) is None:
            raise Http404(f"No {self.opts.verbose_name} with id {object_id!r}.")
        return super().history_view(request, object_id, extra_context)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        if getattr(request, "_cb_old_version", False) and not getattr(request, "_cb_listing_fields", False):
            # An old version is read, not edited: "Revert" restores it as it was. Without
            # declared fieldsets, listing the fields builds the form, which asks for the
            # read-only fields again: meanwhile they are the declared ones.
            request._cb_listing_fields = True
            try:
                return flatten_fieldsets(self.get_fieldsets(request, obj))
            finally:
                request._cb_listing_fields = False
        return super().get_readonly_fields(request, obj)

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None):
        if getattr(request, "_cb_old_version", False):
            return {}  # nothing is typed on a read-only page
        return super().get_prepopulated_fields(request, obj)

    def is_current_version(self, obj: Any, version: Any) -> bool:
        """Whether ``version`` holds what ``obj`` holds now (restoring it would change
        nothing); subclasses that can tell say so."""
        return False

    def get_inline_instances(self, request: HttpRequest, obj: Any = None):
        if getattr(request, "_cb_old_version", False):
            return []
        return super().get_inline_instances(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if id_or_none(object_id) is None or id_or_none(version_id) is None:
            raise Http404(f"No {self.opts.verbose_name} version at this address.")
        if request.method != "POST":
            request._cb_old_version = True
            # django-simple-history hands the ``prepopulated_fields`` attribute to the page,
            # not the hook's answer: a read-only page reads them from a copy that has none
            # (its fields are not form fields: the slug of an entity was a 500).
            reader = copy.copy(self)
            reader.prepopulated_fields = self.get_prepopulated_fields(request)
            return super(ServiceHistoryAdmin, reader).history_form_view(request, object_id, version_id, extra_context)
        history_model = self.model.history.model
        version = get_object_or_404(
            history_model, **{self.model._meta.pk.attname: object_id, "history_id": version_id}
        )
        # The model-level permission: whether this object may change now is the services'
        # call, so that a frozen claim is refused with the freeze rule's own reason.
        if not self.restorable:
            # Said as what it is, not as a permission the person lacks (the 403 page sends
            # them to ask for a group they are in).
            messages.error(request, f"A {self.opts.verbose_name} is not restored from its history.")
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_history", args=[object_id])
            )
        if not self.has_change_permission(request):
            raise PermissionDenied
        obj = self.model._default_manager.filter(pk=object_id).first()
        history_url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_history",
            args=[object_id],
        )
        if obj is None:
            messages.error(request, "This object was deleted; an old version cannot be restored.")
            return HttpResponseRedirect(history_url)
        if self.is_current_version(obj, version):
            messages.info(request, f"Nothing to restore: the version of {version.history_date:%Y-%m-%d %H:%M} is the current one.")
            return HttpResponseRedirect(history_url)
        try:
            message = self.restore_version(request, obj, version)
        except DomainError as error:
            message_domain_error(request, error)
            return HttpResponseRedirect(history_url)
        self.log_change(request, obj, f"Restored the version of {version.history_date:%Y-%m-%d %H:%M}.")
        messages.success(request, message)
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[object_id],
            )
        )


class _UnknownRevision:
    """The revision of a save whose page did not say which one it was loaded at (the field
    missing, empty or unreadable: a page from before the field existed, or a script). It
    equals no revision: such a save is shown again like a stale one, never let through."""

    def __eq__(self, other) -> bool:
        return False

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return "UNKNOWN_REVISION"


UNKNOWN_REVISION = _UnknownRevision()


class RevisionCheckedForm(forms.BaseForm):
    """A change form refused when the object changed after the page was loaded: shown
    again with what the person typed, the saved values that differ from it above. Mixed
    in by ``RevisionCheckedAdmin.get_form``, which sets the attributes below for the
    request. The check here only keeps the typing: the service checks again, under the
    row's lock, and refuses what raced past it."""

    # The object's revision when the form was made, before the form's values are copied
    # onto it: the page carries it, and a save from that page is checked against it.
    revision: Any = None
    # The revision the page that posted was loaded at (``UNKNOWN_REVISION`` when it did not
    # say); None for a form that was not posted.
    expected_revision: Any = None
    # How a person reads a revision ("version 3"), or None when it means nothing to them.
    revision_label: Callable[[Any], str | None] = staticmethod(lambda revision: None)
    # Why the object may no longer be changed at all since the page was loaded (a claim
    # submitted meanwhile): the service's own refusal; saving again would not help.
    edit_refusal: DomainError | None = None
    # Set by a refused save: the saved values that differ from the typing, when they were
    # saved, and the saved revision as a person reads it.
    saved_version: list[dict] | None = None
    saved_at: Any = None
    saved_label: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # A field with a callable default (an entity's aliases) compares the typing with
            # a copy of the loaded value the page posts back: what differs from the saved
            # value is what the revision check is about, and what saving again replaces.
            field.show_hidden_initial = False

    def clean(self):
        cleaned = super().clean()
        if self.edit_refusal is not None:
            raise forms.ValidationError(
                f"Not saved: {self.edit_refusal.message} Your edits are below, as you typed them.",
                code=self.edit_refusal.code,
            )
        if self.expected_revision is not None and self.revision != self.expected_revision:
            # Read before the form's values are copied onto the instance.
            self.saved_version = [saved_value(self, name) for name in self.changed_data]
            self.saved_at = getattr(self.instance, "updated_at", None)
            self.saved_label = self.revision_label(self.revision)
            name = self.instance._meta.verbose_name
            if self.expected_revision is UNKNOWN_REVISION:
                raise forms.ValidationError(
                    f"Not saved: this page did not say which version of the {name} it was opened at, so "
                    "whether someone saved it since cannot be told. Your edits are below, not saved; "
                    "where the saved version differs from them is shown above. Save again to replace it with yours.",
                    code="unknown_version",
                )
            opened = self.revision_label(self.expected_revision)
            raise forms.ValidationError(
                f"Someone saved this {name}"
                f"{f' (now {self.saved_label})' if self.saved_label else ''} after you opened it"
                f"{f' at {opened}' if opened else ''}. Your edits are below, not saved; where the "
                "saved version differs from them is shown above. Save again to replace it with yours.",
                code="stale_version",
            )
        return cleaned


def saved_value(form: forms.BaseForm, name: str) -> dict:
    """A field's saved value (the instance's, before the form's are copied onto it) as the
    conflict box shows it: choices by label, related objects by name, nothing as "—",
    long text folded."""
    instance = form.instance
    label = form.fields[name].label or name
    try:
        model_field = instance._meta.get_field(name)
    except FieldDoesNotExist:  # a form field of no model field
        return {"label": label, "value": "—", "long": False}
    if model_field.many_to_many:
        value = ", ".join(str(related) for related in getattr(instance, name).all())
    elif model_field.is_relation:
        value = getattr(instance, name)
    elif model_field.choices:
        value = instance._get_FIELD_display(model_field)
    else:
        value = getattr(instance, model_field.attname)
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(item) for item in value)
    value = "—" if value is None or value == "" else str(value)
    return {"label": label, "value": value, "long": len(value) > 300 or "\n" in value}


class RevisionCheckedAdmin:
    """Mixin for ModelAdmins whose saves a newer edit must not be overwritten by: the
    change page carries the revision it was loaded at (``object_revision``: a claim's
    version, a source's or an entity's content digest, what the service compares) in
    ``REVISION_FIELD``; a save from a page loaded before someone else's edit shows the
    form again with the typing and the saved values, and the subclass hands
    ``expected_revision`` to its service, which refuses such a save under the row's lock,
    where the form could not see it."""

    REVISION_FIELD = "_revision"

    def object_revision(self, obj: Any) -> Any:
        raise NotImplementedError

    def parse_revision(self, value: str) -> Any:
        """A revision as posted, as ``object_revision`` answers it; None when it is none.
        Each admin says, as for ``object_revision``: a claim's is a version number, a
        source's or an entity's a digest (``sources.admin.ContentRevisionCheckedAdmin``)."""
        raise NotImplementedError

    def revision_label(self, revision: Any) -> str | None:
        """A revision as a person reads it ("version 3"); None for a digest."""
        return None

    def expected_revision(self, request: HttpRequest) -> Any:
        """The revision the page that posted was loaded at: ``UNKNOWN_REVISION`` when it
        did not say (missing, empty, unreadable), None for a request that is not a POST."""
        if request.method != "POST":
            return None
        revision = self.parse_revision(request.POST.get(self.REVISION_FIELD, ""))
        return UNKNOWN_REVISION if revision is None else revision

    def edit_refused_since_loaded(self, request: HttpRequest, obj: Any) -> DomainError | None:
        """The service's refusal of any change to ``obj`` by this person, when it began
        after the posted page was loaded: the form says it and keeps the typing."""
        return None

    def is_current_version(self, obj: Any, version: Any) -> bool:
        return self.object_revision(obj) == self.object_revision(version)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            return form
        expected = self.expected_revision(request)
        attributes = {
            "revision": self.object_revision(obj),
            "expected_revision": expected,
            "revision_label": staticmethod(self.revision_label),
            "edit_refusal": self.edit_refused_since_loaded(request, obj) if expected is not None else None,
        }
        return type(form.__name__, (RevisionCheckedForm, form), attributes)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "revision_field": self.REVISION_FIELD}
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # A form shown again with errors has had the typing copied onto ``obj``: the page's
        # heading, breadcrumb and the object's own panels name the saved object, not the
        # typing (which the form holds).
        form = context.get("adminform").form if context.get("adminform") else None
        if change and obj is not None and form is not None and form.is_bound and form.errors:
            saved = type(obj)._default_manager.filter(pk=obj.pk).first()
            if saved is not None:
                context.update(original=saved, subtitle=str(saved))
                obj = saved
        return super().render_change_form(request, context, add, change, form_url, obj)


class DomainErrorsAsMessages:
    """Mixin for ModelAdmins whose saves call services: a refusal is said on the form.

    The admin wraps the change form in a transaction; when a service refuses a save, that
    transaction rolls back and the form is shown again with what the person typed and the
    reason at its top (a second pass over the same POST, whose form the refusal makes
    invalid: nothing is saved twice). A redirect had shown the saved values, and what was
    typed was lost. Anything else refused (a GET) is a message on the page.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            if request.method == "POST" and getattr(request, "_claimbase_refusal", None) is None:
                request._claimbase_refusal = error
                self.forget_request_state(request)
                return self.changeform_view(request, object_id, form_url, extra_context)
            message_domain_error(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def forget_request_state(self, request) -> None:
        """Drop what this admin keeps on the request (an object read once a request): the
        refused pass changed it as the form was applied to it."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_claimbase_refusal", None)
        if refusal is None:
            return form

        class Refused(form):
            def clean(self):
                cleaned = super().clean()
                self.add_error(None, refusal.message)
                return cleaned

        Refused.__name__ = form.__name__
        return Refused

    def delete_refusal(self, request, obj) -> str | None:
        """Why a rule of the domain keeps ``obj`` from being deleted (a published claim, a
        source with spans), or None. Admins whose services refuse some deletes say why here:
        ``has_delete_permission`` hides the button, and the delete page answers with the
        reason instead of a 403 that would send the person to ask for another group."""
        return None

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if level == messages.SUCCESS and getattr(request, "_claimbase_reported", False):
            return  # ``run_each`` told what was done, and what was not
        super().message_user(request, message, level, *args, **kwargs)

    def get_actions(self, request):
        """The bulk delete, when offered, first says which of the selected objects a rule
        keeps (Django's own page blamed a missing permission: "your account doesn't have
        permission to delete source, span")."""
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (self._delete_selected_refusing_first(func), name, description)
        return actions

    def _delete_selected_refusing_first(self, delete_selected):
        def delete_selected_refusing_first(modeladmin, request, queryset):
            refusals = [reason for obj in queryset if (reason := self.delete_refusal(request, obj))]
            if refusals:
                for reason in refusals[:10]:
                    messages.error(request, reason)
                if len(refusals) > 10:
                    messages.error(request, f"And {len(refusals) - 10:,} more cannot be deleted.")
                messages.info(request, "Nothing was deleted: select only what can be, and try again.")
                return None
            return delete_selected(modeladmin, request, queryset)

        return delete_selected_refusing_first

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if id_or_none(unquote(object_id)) else None
        if obj is not None and self.has_delete_permission(request) and (reason := self.delete_refusal(request, obj)):
            messages.error(request, reason)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            message_domain_error(request, error)
            return HttpResponseRedirect(request.get_full_path())


def run_each(
    request: HttpRequest, objects, operation: Callable[[Any], Any], done: str
) -> tuple[int, int]:
    """Apply a service ``operation`` to each object; refusals become messages and the others
    go on. Returns ``(succeeded, failed)`` and reports the count as ``done``."""
    succeeded = failed = 0
    for obj in objects:
        try:
            operation(obj)
        except DomainError as error:
            failed += 1
            messages.error(request, f"{obj}: {error.message}")
        else:
            succeeded += 1
    if succeeded:
        messages.success(request, done.format(count=succeeded))
    # What was done is reported: a caller's own count (Django's bulk delete says it deleted
    # them all, refused ones too) is not (``DomainErrorsAsMessages.message_user``).
    request._claimbase_reported = True
    return succeeded, failed


def safe_next(request: HttpRequest) -> str:
    """The request's ``next`` (POST, then GET) when it points at this site, else "".

    A ``next`` ends up in a redirect or in a link's ``href``: an off-site one is an open
    redirect, a ``javascript:`` one runs script in the person's session when clicked."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def redirect_back(request: HttpRequest, fallback: str, *, anchor: str | None = None) -> HttpResponse:
    """Back to a same-site ``next`` when given (at ``#anchor`` instead of its own fragment,
    if given), else to ``fallback``."""
    target = safe_next(request)
    if target and anchor:
        target = f"{target.split('#', 1)[0]}#{anchor}"
    return HttpResponseRedirect(target or fallback)


__all__ = [
    "DomainErrorsAsMessages",
    "EstimatedCountPaginator",
    "LenientChangeListMixin",
    "RevisionCheckedAdmin",
    "ServiceHistoryAdmin",
    "badge",
    "id_or_none",
    "object_or_404",
    "message_domain_error",
    "redirect_back",
    "safe_next",
    "run_each",
]
