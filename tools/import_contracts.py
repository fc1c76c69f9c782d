"""A custom import-linter contract: no app imports another app's page modules.

An app's page modules are its HTTP and admin boundary — `views`, `views_*`, `forms`, `forms_*`,
`urls`, `urls_*`, `templatetags` and `admin` (and everything below them). Only the app itself
and the top-level modules (`kaisai.urls`, `kaisai.settings`, `kaisai.cli`, …) may import them;
another app uses the app's selectors and services instead (docs/architecture.md).

import-linter's wildcards match whole module names only (`*.views_*` is not an expression), so
this contract reads the names itself. It is registered in pyproject.toml under
[tool.importlinter] contract_types; `lint-imports` runs from the repository root, which it puts
on sys.path, so `tools.import_contracts` is importable there.
"""

from __future__ import annotations

from typing import Any, cast

from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils

PAGE_MODULES = ("views", "forms", "urls", "templatetags", "admin")


def is_page_module(name: str, container: str) -> bool:
    """Whether `name` (a module of an app in `container`) is, or is inside, a page module."""
    parts = name.split(".")[len(container.split(".")) + 1 :]
    prefixes = tuple(f"{page}_" for page in PAGE_MODULES)
    return any(part in PAGE_MODULES or part.startswith(prefixes) for part in parts)


def app_of(name: str, container: str, packages: set[str]) -> str | None:
    """The app a module of `container` belongs to; None for a top-level module such as
    `kaisai.urls` (a module directly in the container that is not a package)."""
    parts = name.split(".")[len(container.split(".")) :]
    if not parts or (len(parts) == 1 and name not in packages):
        return None
    return parts[0]


class AppPagesContract(Contract):
    """No module of one app imports another app's views, forms, urls, template tags or admin."""

    type_name = "app_pages"

    container = fields.StringField()
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        container = str(self.container)
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=cast(list, self.ignore_imports),
            unmatched_alerting=contract_utils.AlertLevel.ERROR,
        )
        inside = {m for m in graph.modules if m.startswith(container + ".")}
        packages = {m for m in inside if graph.find_children(m)}
        invalid = []
        for importer in sorted(inside):
            source_app = app_of(importer, container, packages)
            if source_app is None:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer) & inside):
                target_app = app_of(imported, container, packages)
                if target_app is None or target_app == source_app:
                    continue
                if not is_page_module(imported, container):
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = sorted(d["line_number"] for d in details)
                invalid.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(
            kept=not invalid,
            metadata={"invalid": invalid},
            warnings=list(removal.warnings),
            ignored_import_count=len(removal.removed_imports),
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["invalid"]:
            lines = ", ".join(f"l.{n}" for n in item["lines"])
            output.print_error(
                f"{item['importer']} is not allowed to import {item['imported']} ({lines}):",
            )
            output.new_line()
