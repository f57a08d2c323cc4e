"""``DynamoModelAdmin``: Django's admin (look, login, permissions, actions, messages) over DynamoDB.

The admin's ORM paths are replaced, not patched: the changelist, detail, history, delete and action
views are this class's own, rendering templates that extend the admin's (``admin/base_site.html``,
the ``#changelist`` structure and CSS). Nothing here runs an ORM query, opens a transaction, writes a
``LogEntry``, looks up a ``ContentType`` or checks uniqueness: ``get_queryset`` and the ORM writers
raise, and ``log_*`` write the DynamoDB audit log (``duelarena.audit``) instead.

Lists page by cursor: each page is ONE Query (a subclass's ``fetch_page``), "Next" carries the
adapter's signed cursor (bound to the query, so it cannot be replayed on another filter), "First"
drops it. There are no totals and no page numbers: DynamoDB has neither without reading everything.

A subclass provides:

- ``audit_kind``: the object kind in the audit log (history pages, recent actions);
- ``columns`` (changelist) and ``detail_fields`` (detail page): ``Column``s over its records;
- ``list_filters``: ``ChoiceFilter``s; ``fetch_page`` maps the cleaned values onto one Query;
- ``get_record``, ``record_id``, ``to_shim`` and ``search`` (the search box: an id or an email leads
  to one object or one filtered list);
- actions: methods decorated with ``@record_action(...)`` and named in ``record_actions``. Each names
  the permission it needs (``flag`` -> ``<app>.flag_<model>``, checked with ``user.has_perm``: 403
  without it); the service it calls checks authorization again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import update_wrapper
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.generic import RedirectView

from duelarena import audit
from duelarena.domain import DomainError, ErrorKind
from duelarena.dynamo.errors import InvalidCursor
from duelarena.errors import ApiError, Forbidden

EMPTY = "-"
CURSOR_PARAM, SEARCH_PARAM = "cursor", "q"
MAX_SELECTED = 100

# audit kind -> the ModelAdmin that shows such objects (links from history and recent actions).
_ADMIN_BY_KIND: dict[str, DynamoModelAdmin] = {}


def micro_dollars(value: Any) -> str:
    """Money kept as integer micro-dollars, for people: 1234 -> "$0.001234", 2000000 -> "$2.00"."""
    if value is None or value == "":
        return EMPTY
    micros = int(value)
    sign = "-" if micros < 0 else ""
    whole, fraction = divmod(abs(micros), 1_000_000)
    digits = f"{fraction:06d}".rstrip("0").ljust(2, "0")
    return f"{sign}${whole:,}.{digits}"


def boolean_icon(value: bool | None) -> str:
    name = {True: "yes", False: "no", None: "unknown"}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), str(value))


@dataclass(frozen=True)
class Column:
    """A value shown for a record: ``value(record)``; HTML only if it returns a SafeString."""

    name: str
    label: str
    value: Callable[[Any], Any]
    boolean: bool = False

    def render(self, record: Any) -> Any:
        found = self.value(record)
        if self.boolean:
            return boolean_icon(None if found is None else bool(found))
        return EMPTY if found is None or found == "" else found


@dataclass(frozen=True)
class ChoiceFilter:
    """A list filter. ``choices`` (value, label) are the accepted values - or a function returning them,
    so that defining an admin imports nothing heavy; with ``choices=None`` any value that ``accepts``
    is taken (e.g. an owner id, reached from a link or the search box).
    ``serves`` says which index or FilterExpression serves it (shown as the filter's tooltip)."""

    param: str
    title: str
    choices: Sequence[tuple[str, str]] | Callable[[], Sequence[tuple[str, str]]] | None
    serves: str = ""
    accepts: Callable[[str], bool] | None = None

    def options(self) -> Sequence[tuple[str, str]] | None:
        return self.choices() if callable(self.choices) else self.choices

    def clean(self, raw: str) -> str:
        options = self.options()
        if options is not None:
            if raw not in {value for value, _ in options}:
                raise ValueError(raw)
        elif self.accepts is None or not self.accepts(raw):
            raise ValueError(raw)
        return raw


@dataclass(frozen=True)
class Page:
    records: list[Any]
    next_cursor: str | None


def acting_user(request: HttpRequest) -> audit.Actor:
    """The record of the signed-in admin (the user shim's ``record``) who acts in an admin view. The
    admin site lets in only signed-in staff, so an anonymous user here is refused."""
    user = request.user
    if isinstance(user, AnonymousUser):
        raise PermissionDenied("sign in to the admin first")
    return user.record


@dataclass(frozen=True)
class RecordAction:
    name: str
    label: str
    permission: str
    run: Callable[[HttpRequest, Any], str]
    bulk: bool = True
    confirm: str = ""
    danger: bool = False
    applies: Callable[[Any], bool] = field(default=lambda record: True)
    input_name: str = ""
    input_label: str = ""
    after: str = "detail"  # where to go when done: "detail" or "changelist" (the record is gone)


def record_action(
    *,
    label: str,
    permission: str,
    bulk: bool = True,
    confirm: str = "",
    danger: bool = False,
    applies: Callable[[Any], bool] | None = None,
    input_name: str = "",
    input_label: str = "",
    after: str = "detail",
) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Mark a ModelAdmin method ``(self, request, record) -> success message`` as an action.

    ``confirm`` (a question) puts a confirmation page before it; ``input_name`` adds one text input to
    its form (read from ``request.POST``); ``applies(record)`` decides whether its button is shown."""

    def mark(method: Callable[..., str]) -> Callable[..., str]:
        method.record_action_options = {  # type: ignore[attr-defined]
            "label": label,
            "permission": permission,
            "bulk": bulk,
            "confirm": confirm,
            "danger": danger,
            "applies": applies or (lambda record: True),
            "input_name": input_name,
            "input_label": input_label,
            "after": after,
        }
        return method

    return mark


class DynamoModelAdmin(admin.ModelAdmin):
    audit_kind: str = ""
    columns: Sequence[Column] = ()
    detail_fields: Sequence[Column] = ()
    list_filters: Sequence[ChoiceFilter] = ()
    record_actions: Sequence[str] = ()
    delete_action: str = ""  # the record action behind the standard ``<id>/delete/`` page
    search_help_text = ""
    list_per_page = 50
    actions = ()
    change_list_template = "admin/dynadmin/change_list.html"
    change_form_template = "admin/dynadmin/change_form.html"
    object_history_template = "admin/dynadmin/object_history.html"
    confirmation_template = "admin/dynadmin/confirm_action.html"

    def __init__(self, model: Any, admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        if not self.audit_kind:
            raise ImproperlyConfigured(f"{type(self).__name__} must set audit_kind")
        _ADMIN_BY_KIND[self.audit_kind] = self

    # --------------------------------------------------------------------------- what subclasses give

    def fetch_page(self, request: HttpRequest, filters: dict[str, str], cursor: str | None, limit: int) -> Page:
        """One page of records for these cleaned filter values: exactly ONE Query."""
        raise NotImplementedError

    def get_record(self, request: HttpRequest, object_id: str) -> Any | None:
        raise NotImplementedError

    def record_id(self, record: Any) -> str:
        return str(record.id)

    def to_shim(self, record: Any) -> Any:
        raise NotImplementedError

    def search(self, request: HttpRequest, term: str) -> str | None:
        """Where the search box leads for ``term`` (a URL), or None when nothing matches."""
        return None

    def detail_context(self, request: HttpRequest, record: Any) -> dict[str, Any]:
        """What the detail template shows besides ``detail_fields``."""
        return {}

    def load_detail(self, request: HttpRequest, object_id: str) -> tuple[Any, dict[str, Any]] | None:
        """The record and its detail context; override to read both at once (e.g. one Query)."""
        record = self.get_record(request, object_id)
        return None if record is None else (record, self.detail_context(request, record))

    # ------------------------------------------------------------------------- no ORM, no LogEntry

    def get_queryset(self, request: HttpRequest) -> Any:
        raise ImproperlyConfigured(f"{self.opts.label} lives in DynamoDB: there is no queryset")

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        record = self.get_record(request, object_id)
        return None if record is None else self.to_shim(record)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}  # Django's queryset actions (delete_selected) are replaced by record actions

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        raise ImproperlyConfigured(f"{self.opts.label} is changed through its service, not saved")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise ImproperlyConfigured(f"{self.opts.label} is deleted through its service")

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        raise ImproperlyConfigured(f"{self.opts.label} is deleted through its service")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _audit(self, request: HttpRequest, obj: Any, action: str, after: Any) -> audit.Entry:
        entry = audit.new(acting_user(request), action, self.audit_kind, str(obj.pk), object_repr=str(obj), after=after)
        return audit.record(entry)

    # Django's admin logs to its LogEntry model (the ORM); these write the DynamoDB audit log instead,
    # so they return its entries where django-stubs expects LogEntry rows.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> audit.Entry:  # type: ignore[override]
        return self._audit(request, obj, "add", {"message": str(message)})

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> audit.Entry:  # type: ignore[override]
        return self._audit(request, obj, "change", {"message": str(message)})

    def log_deletion(self, request: HttpRequest, obj: Any, object_repr: str) -> audit.Entry:
        return self._audit(request, obj, "delete", None)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> list[audit.Entry]:  # type: ignore[override]
        return [self._audit(request, obj, "delete", None) for obj in queryset]

    # ---------------------------------------------------------------------------------------- urls

    def get_urls(self) -> list[Any]:
        def wrap(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
            def wrapper(*args: Any, **kwargs: Any) -> HttpResponseBase:
                return self.admin_site.admin_view(view)(*args, **kwargs)

            wrapper.model_admin = self  # type: ignore[attr-defined]
            return update_wrapper(wrapper, view)

        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("", wrap(self.changelist_view), name=f"{prefix}_changelist"),
            path("add/", wrap(self.add_view), name=f"{prefix}_add"),
            path("<str:object_id>/history/", wrap(self.history_view), name=f"{prefix}_history"),
            path("<str:object_id>/delete/", wrap(self.delete_view), name=f"{prefix}_delete"),
            path("<str:object_id>/actions/<str:action>/", wrap(self.record_action_view), name=f"{prefix}_action"),
            path("<str:object_id>/change/", wrap(self.change_view), name=f"{prefix}_change"),
            path(
                "<str:object_id>/",
                wrap(RedirectView.as_view(pattern_name=f"{self.admin_site.name}:{prefix}_change")),
            ),
        ]

    def _url(self, name: str, *args: Any) -> str:
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{name}", args=args)

    def detail_url(self, object_id: str) -> str:
        return self._url("change", object_id)

    def changelist_url(self, **params: str) -> str:
        query = QueryDict(mutable=True)
        query.update({k: v for k, v in params.items() if v})
        return self._url("changelist") + (f"?{query.urlencode()}" if query else "")

    # ------------------------------------------------------------------------------------- actions

    def get_record_actions(self) -> list[RecordAction]:
        found = []
        for name in self.record_actions:
            method = getattr(self, name)
            options = method.record_action_options
            found.append(RecordAction(name=name, run=method, **options))
        return found

    def _action(self, name: str) -> RecordAction | None:
        return next((a for a in self.get_record_actions() if a.name == name), None)

    def has_action_permission(self, request: HttpRequest, action: RecordAction) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.{action.permission}_{self.opts.model_name}")

    def _allowed_actions(self, request: HttpRequest) -> list[RecordAction]:
        return [a for a in self.get_record_actions() if self.has_action_permission(request, a)]

    def _run(self, request: HttpRequest, action: RecordAction, record: Any) -> tuple[bool, str]:
        """Run one action on one record: (done, message). The service's 403 becomes the view's 403."""
        try:
            return True, action.run(request, record)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            if exc.kind == ErrorKind.NOT_ALLOWED:
                raise PermissionDenied(exc.message) from exc
            return False, exc.message
        except ApiError as exc:
            return False, exc.message

    def _missing(self, request: HttpRequest, object_id: str) -> HttpResponse:
        name = str(self.opts.verbose_name).capitalize()
        self.message_user(request, f'{name} with ID "{object_id}" does not exist.', messages.WARNING)
        return redirect(self._url("changelist"))

    def record_action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        found = self._action(action)
        if found is None:
            raise Http404("no such action")
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not self.has_action_permission(request, found):
            raise PermissionDenied
        record = self.get_record(request, object_id)
        if record is None:
            return self._missing(request, object_id)
        if request.method == "GET" or (found.confirm and request.POST.get("confirmed") != "yes"):
            if not found.confirm:
                return HttpResponseNotAllowed(["POST"])
            return self.render_confirmation(request, found, [record])
        done, message = self._run(request, found, record)
        self.message_user(request, message, messages.SUCCESS if done else messages.ERROR)
        if done and found.after == "changelist":
            return redirect(self._url("changelist"))
        return redirect(self.detail_url(self.record_id(record)))

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        if not self.delete_action:
            raise PermissionDenied
        return self.record_action_view(request, object_id, self.delete_action)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        raise PermissionDenied  # objects are created by the application, not in the admin

    def render_confirmation(self, request: HttpRequest, action: RecordAction, records: list[Any]) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Are you sure?",
            "action": action,
            "objects": [(self.record_id(r), str(self.to_shim(r)), self.detail_url(self.record_id(r))) for r in records],
            "bulk": request.method == "POST" and "_selected_action" in request.POST,
            "cancel_url": self.detail_url(self.record_id(records[0])) if len(records) == 1 else self._url("changelist"),
        }
        return TemplateResponse(request, self.confirmation_template, context)

    def _bulk_action(self, request: HttpRequest) -> HttpResponse:
        back = request.get_full_path()
        found = self._action(request.POST.get("action", ""))
        if found is None or not found.bulk:
            self.message_user(request, "No action selected.", messages.WARNING)
            return HttpResponseRedirect(back)
        if not self.has_action_permission(request, found):
            raise PermissionDenied
        ids = list(dict.fromkeys(request.POST.getlist("_selected_action")))[:MAX_SELECTED]
        if not ids:
            self.message_user(
                request,
                "Items must be selected in order to perform actions on them. No items have been changed.",
                messages.WARNING,
            )
            return HttpResponseRedirect(back)
        records = [r for r in (self.get_record(request, i) for i in ids) if r is not None]
        if found.confirm and request.POST.get("confirmed") != "yes":
            return self.render_confirmation(request, found, records)
        done, failed = 0, []
        for record in records:
            ok, message = self._run(request, found, record)
            if ok:
                done += 1
            else:
                failed.append(f"{self.to_shim(record)}: {message}")
        missing = len(ids) - len(records)
        self.message_user(request, f"{found.label}: done for {done} of {len(ids)} selected.", messages.SUCCESS)
        for problem in failed + ([f"{missing} selected no longer exist."] if missing else []):
            self.message_user(request, problem, messages.ERROR)
        return HttpResponseRedirect(back)

    # ---------------------------------------------------------------------------------- changelist

    def _clean_filters(self, request: HttpRequest) -> dict[str, str]:
        cleaned = {}
        for spec in self.list_filters:
            raw = request.GET.get(spec.param, "")
            if not raw:
                continue
            try:
                cleaned[spec.param] = spec.clean(raw)
            except ValueError:
                self.message_user(request, f"Ignored the filter {spec.title} = {raw!r}.", messages.WARNING)
        return cleaned

    @staticmethod
    def _query(params: dict[str, str], **changes: str | None) -> str:
        query = QueryDict(mutable=True)
        merged = {**params, **changes}
        query.update({k: v for k, v in merged.items() if v})
        return f"?{query.urlencode()}" if query else "?"

    def _filter_specs(self, filters: dict[str, str]) -> list[dict[str, Any]]:
        specs = []
        for spec in self.list_filters:
            current = filters.get(spec.param)
            choices = [
                {
                    "display": "All",
                    "query_string": self._query(filters, **{spec.param: None}),
                    "selected": current is None,
                }
            ]
            options = spec.options()
            values = options if options is not None else ([(current, current)] if current else [])
            for value, label in values:
                choices.append(
                    {
                        "display": label,
                        "query_string": self._query(filters, **{spec.param: value}),
                        "selected": current == value,
                    }
                )
            specs.append({"title": spec.title, "param": spec.param, "serves": spec.serves, "choices": choices})
        return specs

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._bulk_action(request)
        term = request.GET.get(SEARCH_PARAM, "").strip()[:254]
        if term:
            target = self.search(request, term)
            if target:
                return redirect(target)
            self.message_user(request, f'Nothing matches "{term}".', messages.WARNING)
        filters = self._clean_filters(request)
        cursor = request.GET.get(CURSOR_PARAM) or None
        try:
            page = self.fetch_page(request, filters, cursor, self.list_per_page)
        except InvalidCursor as exc:
            self.message_user(
                request, f"That page link is not valid here ({exc}); this is the first page.", messages.WARNING
            )
            cursor = None
            page = self.fetch_page(request, filters, None, self.list_per_page)
        rows = [
            {
                "id": self.record_id(record),
                "url": self.detail_url(self.record_id(record)),
                "cells": [(column.name, column.render(record)) for column in self.columns],
            }
            for record in page.records
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Select {self.opts.verbose_name} to view",
            "subtitle": None,
            "columns": self.columns,
            "rows": rows,
            "filter_specs": self._filter_specs(filters),
            "has_active_filters": bool(filters),
            "clear_filters_url": "?",
            "search_term": term,
            "search_help_text": self.search_help_text,
            "filters": filters,
            "bulk_actions": [a for a in self._allowed_actions(request) if a.bulk],
            "next_url": self._query(filters, cursor=page.next_cursor) if page.next_cursor else None,
            "first_url": self._query(filters) if cursor else None,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.change_list_template, context)

    # -------------------------------------------------------------------------------------- detail

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])  # changes go through the action URLs
        found = self.load_detail(request, object_id)
        if found is None:
            return self._missing(request, object_id)
        record, detail = found
        shim = self.to_shim(record)
        actions = [
            {"action": a, "url": self._url("action", object_id, a.name)}
            for a in self._allowed_actions(request)
            if a.applies(record)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"View {self.opts.verbose_name}",
            "subtitle": str(shim),
            "object": shim,
            "original": shim,
            "record": record,
            "object_id": object_id,
            "fields": [(column.label, column.render(record)) for column in self.detail_fields],
            "record_actions": actions,
            "history_url": self._url("history", object_id),
            **detail,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.change_form_template, context)

    # ------------------------------------------------------------------------------------- history

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        """The object's audit entries, newest first, by cursor. Works for deleted objects too."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        cursor = request.GET.get(CURSOR_PARAM) or None
        try:
            page = audit.history(self.audit_kind, object_id, cursor=cursor, limit=self.list_per_page)
        except InvalidCursor:
            cursor = None
            page = audit.history(self.audit_kind, object_id, limit=self.list_per_page)
        label = page.entries[0].object_repr if page.entries else object_id
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Change history: {label}",
            "subtitle": None,
            "object_label": label,
            "object_id": object_id,
            "entries": page.entries,
            "detail_url": self.detail_url(object_id),
            "next_url": self._query({}, cursor=page.next_cursor) if page.next_cursor else None,
            "first_url": "?" if cursor else None,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)


def admin_url_for(object_kind: str, object_id: str) -> str | None:
    """The detail page of an audited object, if an admin shows that kind."""
    model_admin = _ADMIN_BY_KIND.get(object_kind)
    return model_admin.detail_url(object_id) if model_admin else None
