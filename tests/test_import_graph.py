"""The package's import graph, read from its source with ``ast``: no import cycle among
thred_django's modules (imports inside functions count too: hiding a cycle behind a
function-level import still couples the modules both ways), and nothing imported from
Django's private modules or under a private name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import thred_django

PACKAGE = Path(thred_django.__file__).resolve().parent

# Django modules that are implementation, not API: the backends' internals (compilers,
# operations, schema editors), the SQL layer under the ORM, and its constants
# (OnConflict is what bulk_create(update_conflicts=True) is for).
PRIVATE_DJANGO = ("django.db.backends", "django.db.models.sql", "django.db.models.constants")
PUBLIC_DJANGO = ("django.db.backends.signals",)
# Private state of Django's connection and its operations that code reached for.
PRIVATE_ATTRIBUTES = ("run_on_commit", "on_conflict_suffix_sql", "savepoint_ids")


def modules(root: Path) -> dict[str, Path]:
    """Dotted name → file of every module of the package at ``root``."""
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names imported from it, line) of every import in the file, at any depth
    (module level, functions, ``if TYPE_CHECKING`` blocks), relative ones resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.append((base, [alias.name for alias in node.names], node.lineno))
    return found


def graph(root: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports. ``from pkg import sub`` is an edge
    to ``pkg.sub``; to ``pkg`` itself only when a name is not a submodule."""
    mods = modules(root)
    edges: dict[str, set[str]] = {name: set() for name in mods}
    for name, path in mods.items():
        for module, names, _ in imported(name, path):
            subs = [f"{module}.{n}" for n in names if f"{module}.{n}" in mods]
            targets = subs + ([module] if len(subs) < len(names) or not names else [])
            edges[name] |= {t for t in targets if t in mods and t != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def describe(component: list[str], edges: dict[str, set[str]]) -> str:
    inside = set(component)
    return "; ".join(f"{a} → {b}" for a in component for b in sorted(edges[a] & inside))


def test_no_import_cycle_among_the_package_modules() -> None:
    edges = graph(PACKAGE)
    assert len(edges) > 100 and any(edges.values())  # the package was read
    found = cycles(edges)
    assert not found, "import cycles (function-level imports count):\n" + "\n".join(
        describe(c, edges) for c in found
    )


def test_a_cycle_behind_a_function_level_import_is_found(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import c\n")
    (pkg / "c.py").write_text("def g():\n    import pkg.a\n")
    (pkg / "d.py").write_text("from pkg import a, c\n")
    edges = graph(pkg)
    assert edges["pkg.d"] == {"pkg.a", "pkg.c"}
    assert cycles(edges) == [["pkg.a", "pkg.c", "pkg.sub.b"]]


def test_nothing_private_of_django_is_used() -> None:
    problems = []
    for name, path in modules(PACKAGE).items():
        for module, names, line in imported(name, path):
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            if module.split(".")[0] != "django":
                continue
            private_module = any(part.startswith("_") for part in module.split(".")) or (
                module.startswith(PRIVATE_DJANGO) and not module.startswith(PUBLIC_DJANGO)
            )
            if private_module:
                problems.append(f"{where}: imports Django's private module {module}")
            problems += [
                f"{where}: imports the private name {n} from {module}"
                for n in names
                if n.startswith("_")
            ]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
                where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                problems.append(f"{where}: reads Django's private {node.attr}")
    assert not problems, "\n".join(problems)


# --- a report, for reading the structure (not a test) ----------------------------------

# Top-level modules that wire the package together (app start-up, tasks, checks); the
# other top-level modules are its core (settings, outbox, mappings, names, money).
GLUE = ("apps", "tasks", "debug", "checks", "mapping_checks", "throughput_checks")


def layer(module: str, root: Path = PACKAGE) -> str:
    """The part of the package a module belongs to: its subpackage, ``glue`` or ``core``."""
    parts = module.split(".")
    if len(parts) > 1 and (root / parts[1]).is_dir():
        return parts[1]
    return "glue" if len(parts) > 1 and parts[1] in GLUE else "core"


def report(root: Path, largest: int = 12) -> str:
    """Modules, cycles, imports between the package's parts and the largest modules of
    the package at ``root``, as plain text."""
    edges = graph(root)
    mods = modules(root)
    between: dict[tuple[str, str], int] = {}
    for a, targets in edges.items():
        for b in targets:
            pair = (layer(a, root), layer(b, root))
            if pair[0] != pair[1]:
                between[pair] = between.get(pair, 0) + 1
    found = cycles(edges)
    sizes = sorted(
        ((len(p.read_text().splitlines()), p.relative_to(root.parent)) for p in mods.values()),
        reverse=True,
    )
    lines = [
        f"{len(mods)} modules, {sum(map(len, edges.values()))} imports between them",
        f"cycles: {len(found)}",
        *(f"  {describe(c, edges)}" for c in found),
        "imports between parts (module pairs):",
        *(f"  {a} -> {b}: {n}" for (a, b), n in sorted(between.items())),
        "largest modules (lines):",
        *(f"  {n:5d} {path}" for n, path in sizes[:largest]),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    # python tests/test_import_graph.py [PACKAGE_DIR]: the report for this checkout's
    # package, or for another checkout's (git worktree add /tmp/old REV).
    import sys

    print(report(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else PACKAGE))
