"""An import-linter contract that the stock ones do not offer: no import circle between
modules (the ``acyclic_siblings`` contract works on packages, which is stricter than this
project's rule: two folders of one layer may use each other, two modules may not).

Used by ``make lint`` (``lint-imports``); configured in pyproject.toml. Installed with the project
(it matches ``governance*``) so the command finds it from any directory; only linting imports it.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class AcyclicModulesContract(Contract):
    """No module under ``packages`` reaches itself again through direct imports.

    ``ignore_imports`` lists ``importer -> imported`` patterns (shell wildcards) that may close
    a circle because they run late, inside a function: a task importing the service that queues
    it, a spawned process importing what it runs once Django is set up.
    """

    packages = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        ignored = [tuple(part.strip() for part in rule.split("->")) for rule in self.ignore_imports]
        modules = sorted(
            m for package in self.packages for m in ({package} | graph.find_descendants(package))
        )
        inside = set(modules)

        def edges(module: str) -> list[str]:
            return sorted(
                target
                for target in graph.find_modules_directly_imported_by(module)
                if target in inside
                and not any(fnmatchcase(module, a) and fnmatchcase(target, b) for a, b in ignored)
            )

        cycles = [scc for scc in _strongly_connected(modules, edges) if len(scc) > 1]
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error("Modules that import each other, directly or in a circle:")
            for module in cycle:
                output.indent_cursor()
                output.print_error(f"- {module}")
            output.new_line()


def _strongly_connected(nodes, edges) -> list[list[str]]:
    """Tarjan's algorithm, iterative (a deep import chain must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges(root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges(child))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return found
