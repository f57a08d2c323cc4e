"""The reusable DynamoDB admin base and the audit log: no ORM touchpoints, audit items and their feed."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import RequestFactory

from accounts import users
from accounts.models import ArenaUser
from duelarena import audit
from duelarena.dynadmin import DynamoModelAdmin, admin_url_for, micro_dollars
from duelarena.dynamo import items
from duelarena.dynamo.schema import __doc__ as schema_doc
from duelarena.tests.fresh_process import last_line, loaded_after
from games.models import Game as GameShim


@pytest.fixture
def actor(dynamo):
    return users.create("root@example.com", roles=["admin", "player"])[0]


def test_audit_history_and_recent_feed_are_newest_first_and_paged(actor):
    for n in range(5):
        audit.record(audit.new(actor, "flag", "game", "g1", before={"n": n}, after={"n": n + 1}))
    audit.record(audit.new(actor, "ban", "user", "u1", object_repr="u@example.com"))
    history = audit.history("game", "g1", limit=3)
    assert [e.before["n"] for e in history.entries] == [4, 3, 2] and history.next_cursor
    rest = audit.history("game", "g1", limit=3, cursor=history.next_cursor)
    assert [e.before["n"] for e in rest.entries] == [1, 0]
    recent = audit.recent(limit=2).entries
    assert [(e.action, e.object_kind) for e in recent] == [("ban", "user"), ("flag", "game")]
    assert recent[1].summary == "n: 4 -> 5" and recent[1].actor_email == "root@example.com"


def test_audit_feed_shares_gsi6_without_colliding(actor):
    audit.record(audit.new(actor, "ban", "user", actor.id))
    assert [u.id for u in map(users.from_item, users.list_page().items)] == [actor.id]
    assert len(audit.recent().entries) == 1
    (item,) = items.query(audit.object_partition("user", actor.id)).items
    assert item["gsi6pk"] == "AUDIT" and item["kind"] == "audit"
    assert not {"gsi1pk", "gsi2pk", "gsi3pk", "gsi4pk", "gsi5pk", "gsi7pk"} & set(item)


def test_audit_values_round_trip_any_shape(actor):
    entry = audit.record(audit.new(actor, "change", "game", "g2", before={"roles": ["a"], "x": None}, after=None))
    (found,) = audit.history("game", "g2").entries
    assert found == entry and found.summary == "roles: ['a'] -> None; x: None -> None"


def test_the_schema_documents_the_audit_access_patterns():
    assert "pk = AUDIT#<kind>#<id>" in schema_doc and "gsi6pk = AUDIT" in schema_doc


@pytest.fixture(autouse=True)
def model_admins():
    """The model admins, discovered as the first admin request discovers them (duelarena/admin_urls.py)."""
    import duelarena.admin_urls  # noqa: F401


def test_the_base_has_no_orm_paths(actor):
    model_admin = admin.site.get_model_admin(GameShim)
    assert isinstance(model_admin, DynamoModelAdmin)
    request = RequestFactory().get("/admin/games/game/")
    request.user = ArenaUser.from_user(actor)
    with pytest.raises(ImproperlyConfigured):
        model_admin.get_queryset(request)
    for writer in (model_admin.save_model, model_admin.delete_model):
        with pytest.raises(ImproperlyConfigured):
            writer(request, None, *([None, False] if writer == model_admin.save_model else []))
    assert model_admin.get_actions(request) == {} and not model_admin.has_add_permission(request)
    shim = ArenaUser.from_user(actor)
    with pytest.raises(RuntimeError):
        shim.save()


def test_django_log_hooks_write_audit_items_not_log_entries(actor):
    user_admin = admin.site.get_model_admin(ArenaUser)
    request = RequestFactory().post("/admin/")
    request.user = ArenaUser.from_user(actor)
    target = ArenaUser.from_user(users.create("p@example.com")[0])
    user_admin.log_addition(request, target, "created")
    user_admin.log_change(request, target, [{"changed": {"fields": ["name"]}}])
    user_admin.log_deletions(request, [target])
    entries = audit.history("user", target.pk).entries
    assert [e.action for e in entries] == ["delete", "change", "add"]
    assert entries[-1].after == {"message": "created"} and entries[0].object_repr == "p@example.com"


def test_an_anonymous_request_writes_no_audit_item(actor):
    user_admin = admin.site.get_model_admin(ArenaUser)
    request = RequestFactory().post("/admin/")
    request.user = AnonymousUser()
    target = ArenaUser.from_user(users.create("p@example.com")[0])
    with pytest.raises(PermissionDenied):
        user_admin.log_change(request, target, "changed")
    assert audit.history("user", target.pk).entries == []


def test_admin_urls_for_audited_kinds():
    assert admin_url_for("game", "abc") == "/admin/games/game/abc/change/"
    assert admin_url_for("user", "u1") == "/admin/accounts/arenauser/u1/change/"
    assert admin_url_for("nothing", "x") is None


def test_a_subclass_must_name_its_audit_kind():
    class Nameless(DynamoModelAdmin):
        pass

    with pytest.raises(ImproperlyConfigured):
        Nameless(GameShim, admin.AdminSite(name="other"))


@pytest.mark.parametrize(
    ("micros", "shown"),
    [
        (0, "$0.00"),
        (1, "$0.000001"),
        (1234, "$0.001234"),
        (2_000_000, "$2.00"),
        (1_234_500_000, "$1,234.50"),
        (-50, "-$0.00005"),
        (None, "-"),
    ],
)
def test_micro_dollars(micros, shown):
    assert micro_dollars(micros) == shown


def test_shim_models_are_unmanaged():
    for model in (GameShim, ArenaUser):
        assert model._meta.managed is False


def test_start_up_discovers_no_model_admin_and_the_admin_loads_no_rule_engine():
    """Django's start-up (every cold start) loads no app's admin module: they are discovered with the
    admin's URLs. Those leave chess and the game service for the functions that use them."""
    admins = ("duelarena.admin", "accounts.admin", "games.admin", "duelarena.dynadmin")
    assert loaded_after("duelarena.wsgi", admins) == []
    heavy = ("chess", "games.records", "games.store", "games.service", "games.moderation", "openai", "anthropic")
    assert loaded_after("duelarena.wsgi, duelarena.admin_urls", heavy) == []
    assert loaded_after("duelarena.wsgi, duelarena.admin_urls", ("games.admin",)) == ["games.admin"]


def test_the_system_checks_still_check_the_model_admins():
    """``manage.py check`` in a fresh process: the admin checks discover the model admins (they are not
    loaded at start-up any more) and check them; an admin with a broken option is reported."""
    code = (
        "import django, json, sys; django.setup()\n"
        "from django.core import checks\n"
        "clean = checks.run_checks(tags=['admin'])\n"
        "from django.contrib import admin\n"
        "from games.models import Game\n"
        "admin.site.get_model_admin(Game).list_per_page = 'many'\n"
        "broken = checks.run_checks(tags=['admin'])\n"
        "print(json.dumps([len(clean), 'games.admin' in sys.modules, sorted({e.id for e in broken})]))"
    )
    assert json.loads(last_line(code)) == [0, True, ["admin.E118"]]
