"""The import graph of the first-party code: no cycle between files, and imports only point down the layers.

The layers are those of shared/ARCHITECTURE.md ("Layers"), from the top:

    tools     deploy/, bench/, the tests, manage.py: may import anything, but only tests and the benches
              import test code (deploy/ ships in the image, the tests do not)
    project   duelarena's settings, urls, API root, wsgi, health, admin site and checks: wires the apps
    apps      games/ (service, selectors, store, API, admin, turns, leaderboard, ...), accounts/, llm/;
              among themselves in one direction only: games -> accounts -> llm
    core      pure and Django-free, inside games/: the rules, the built-in bots, ratings, the vocabulary;
              imports nothing first-party outside the core (and neither Django nor boto3)
    platform  the rest of duelarena/: the DynamoDB adapter, errors, middleware, logs, audit, the admin base

Every import counts, at module level or inside a function (a function-level import is a dependency all
the same, it only runs later), except those under ``if TYPE_CHECKING:``, which never run. The walk reads
the files with ``ast``: nothing is imported, so the test needs no Django and no DynamoDB.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP_LEVEL = ("accounts", "bench", "deploy", "duelarena", "games", "llm", "tests")

# The project level inside the duelarena package (the rest of it is the platform).
PROJECT = {
    "duelarena",
    "duelarena.admin",
    "duelarena.api",
    "duelarena.api_urls",
    "duelarena.apps",
    "duelarena.checks",
    "duelarena.health",
    "duelarena.settings",
    "duelarena.urls",
    "duelarena.wsgi",
}
# The Django-free core inside games (packages include their submodules).
CORE = ("games.bots", "games.engine", "games.ratings", "games.rules", "games.vocabulary")
# The apps, from the top: each may import those after it, never one before it.
APPS = ("games", "accounts", "llm")
# Imports allowed against the rules above, each with its reason. Keep it empty if you can.
ALLOWED: dict[tuple[str, str], str] = {}

RANK = {"platform": 0, "core": 1, "apps": 2, "project": 3, "tools": 4}
FORBIDDEN_IN_CORE = ("django", "boto3", "botocore", "ninja")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def first_party_modules() -> dict[str, Path]:
    found = {"manage": ROOT / "manage.py", "conftest": ROOT / "conftest.py"}
    for top in TOP_LEVEL:
        for path in (ROOT / top).rglob("*.py"):
            found[_module_name(path)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from (n for child in node.orelse for n in _imports_of(child))
            continue
        yield from _imports_of(node)


def _imports_of(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node)


def imported_names(module: str, path: Path) -> list[tuple[str, str | None]]:
    """What ``module`` imports, as (dotted name, imported attribute): ``import a.b`` is ``("a.b", None)``,
    ``from a import b`` is ``("a", "b")`` (``b`` may be a module or a name defined in ``a``)."""
    names: list[tuple[str, str | None]] = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in _imports(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.extend((alias.name, None) for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            base = ".".join([*parent, *([node.module] if node.module else [])])
        names.extend((base, alias.name) for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the first-party modules it imports (a name resolves to the longest module it names)."""
    modules = first_party_modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for base, attribute in imported_names(module, path):
            full = f"{base}.{attribute}" if attribute else base
            targets.add(full if full in modules else resolve(base))
        graph[module] = {t for t in targets if t and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def is_test(module: str) -> bool:
    parts = module.split(".")
    return parts[0] in ("tests", "conftest") or "tests" in parts[1:]


def layer(module: str) -> str:
    top = module.split(".")[0]
    if is_test(module) or top in ("deploy", "bench", "manage"):
        return "tools"
    if top == "duelarena":
        return "project" if module in PROJECT else "platform"
    if any(_within(module, core) for core in CORE):
        return "core"
    return "apps"


def violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        mine = layer(module)
        for target in sorted(targets):
            if (module, target) in ALLOWED:
                continue
            theirs = layer(target)
            if is_test(target) and not (is_test(module) or _within(module, "bench")):
                found.append(f"{module} -> {target}: only tests and benches import test code")
            elif mine == "core" and theirs != "core":
                found.append(f"{module} -> {target}: the core imports only the core")
            elif RANK[theirs] > RANK[mine]:
                found.append(f"{module} ({mine}) -> {target} ({theirs}): an import up the layers")
            elif mine == theirs == "apps":
                a, b = APPS.index(module.split(".")[0]), APPS.index(target.split(".")[0])
                if b < a:
                    found.append(f"{module} -> {target}: apps import in the order {' -> '.join(APPS)}")
    return found


def test_no_import_cycle_between_files():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_imports_point_down_the_layers():
    found = violations(import_graph())
    assert not found, "\n".join(found)


def test_the_core_imports_neither_django_nor_aws():
    modules = first_party_modules()
    found = []
    for module, path in sorted(modules.items()):
        if layer(module) != "core":
            continue
        for name, _ in imported_names(module, path):
            if name.split(".")[0] in FORBIDDEN_IN_CORE:
                found.append(f"{module} imports {name}")
    assert not found, "\n".join(found)


def test_the_checks_find_what_they_look_for():
    """The walker itself: a function-level import is seen, a cycle is found, an upward import is named."""
    tree = ast.parse("def f():\n    from games import service\n")
    assert [n.module for n in _imports(tree)] == ["games"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert violations({"games.rules.chess_rules": {"games.store"}, "games.store": set()}) == [
        "games.rules.chess_rules -> games.store: the core imports only the core"
    ]
    assert violations({"duelarena.dynamo.items": {"games.store"}, "games.store": set()}) == [
        "duelarena.dynamo.items (platform) -> games.store (apps): an import up the layers"
    ]
    assert violations({"llm.harness": {"games.service"}, "games.service": set()}) == [
        "llm.harness -> games.service: apps import in the order games -> accounts -> llm"
    ]
    assert violations({"deploy.container_check": {"tests.http"}, "tests.http": set()}) == [
        "deploy.container_check -> tests.http: only tests and benches import test code"
    ]


def test_every_aws_client_comes_from_the_one_factory():
    """Only ``duelarena.aws`` imports boto3, makes a botocore session or builds a botocore Config (the
    benches, which compare against a bare boto3 client on purpose, and the tests excepted): endpoint,
    region, retries and timeouts are set in one place. Catching ``botocore.exceptions`` or using boto3's
    DynamoDB conditions is fine anywhere: they build no client."""
    found = []
    for module, path in sorted(first_party_modules().items()):
        if module == "duelarena.aws" or is_test(module) or _within(module, "bench"):
            continue
        for name, attribute in imported_names(module, path):
            if name in ("boto3", "boto3.session", "botocore.session") or (name, attribute) == (
                "botocore.config",
                "Config",
            ):
                found.append(f"{module} imports {name}{'.' + attribute if attribute else ''}")
    assert not found, "\n".join(found)


# The games services: they raise domain errors (``duelarena.domain``), never the HTTP-shaped ones.
SERVICES = (
    "games.access",
    "games.autoplay",
    "games.leaderboard",
    "games.legacy_import",
    "games.moderation",
    "games.results",
    "games.scheduling",
    "games.selectors",
    "games.service",
    "games.store",
    "games.tasks",
    "games.turns",
)
HTTP_ERRORS = {"ApiError", "BadRequest", "Conflict", "Forbidden", "NotFound", "ServiceUnavailable", "TooManyRequests"}


def test_services_raise_domain_errors_not_http_ones():
    modules = first_party_modules()
    found = [
        f"{module} imports duelarena.errors.{attribute}"
        for module in SERVICES
        for name, attribute in imported_names(module, modules[module])
        if name == "duelarena.errors" and attribute in HTTP_ERRORS
    ]
    assert not found, "\n".join(found)


# Key prefixes spelled outside duelarena/dynamo/keys.py, each with its reason. Keep it short.
KEYS_SPELLED_ELSEWHERE = {
    # The single-item entities become dynamorm models declared with their keys (issue 14, part 4, in
    # progress on another branch): their keys move to keys.py with them.
    "duelarena.audit": "audit entries (dynamorm model)",
    "games.legacy_import": "the import ledger (dynamorm model)",
    "games.management.commands.tournament": "the tournament item (dynamorm model)",
}
_KEY_PREFIX = re.compile(r"^[A-Z][A-Z_]{2,}#")


def test_item_keys_are_spelled_in_one_module():
    """No string (or f-string) that starts like a key (``GAME#``, ``SPEND#``...) outside keys.py."""
    found = []
    for module, path in sorted(first_party_modules().items()):
        if module == "duelarena.dynamo.keys" or is_test(module) or module in KEYS_SPELLED_ELSEWHERE:
            continue
        if module.split(".")[0] in ("bench", "deploy"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                text = node.values[0].value
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            if isinstance(text, str) and _KEY_PREFIX.match(text):
                found.append(f"{module}:{node.lineno}: {text!r}")
    assert not found, "\n".join(sorted(set(found)))


def test_no_script_folder_module_shadows_the_standard_library():
    """deploy/ and bench/ scripts run as ``python deploy/x.py``: their folder comes first on sys.path, so a
    ``deploy/http.py`` would replace the standard library's ``http`` for every script there."""
    import sys

    found = [
        module
        for module in first_party_modules()
        if module.split(".")[0] in ("deploy", "bench") and module.split(".")[-1] in sys.stdlib_module_names
    ]
    assert not found, found
