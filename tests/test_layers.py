"""The packages' import rules, as each package's __init__ states them: web -> actions ->
rules and documents -> models. Read from the source, so a new import that breaks a rule fails
here before anyone has to find the cycle it makes."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = [
    "accounts",
    "questionnaires",
    "attestations",
    "review",
    "platform_audits",
    "integrations",
]
WEB = ("assessments.views", "assessments.forms", "assessments.urls", "assessments.admin")
WEB += ("assessments.templatetags", "assessments.management", "assessments.middleware")
PURE = ["questionnaires.scoring", "questionnaires.frameworks.schema", "attestations.canonical"]
PORTAL = {*DOMAINS, "assessments", "compliance_portal"}


def modules(package: str) -> dict[str, set[str]]:
    """Each module of the package, with every portal module it imports."""
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
        found[name] = {m for m in imported if m.split(".")[0] in PORTAL}
    return found


def is_api(module: str) -> bool:
    return module == "integrations.api" or module.startswith("integrations.api.")


def test_every_package_says_what_it_owns_and_may_import():
    for package in [*DOMAINS, "assessments"]:
        doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text()))
        assert doc and "May import" in doc, package


@pytest.mark.parametrize("package", [*DOMAINS, "assessments"])
def test_rules_never_reach_up_into_the_web_layer(package):
    reaching = {
        (module, imported)
        for module, imports in modules(package).items()
        # The API is itself web; a workbook is answers typed elsewhere, checked by the
        # questionnaire's own form as the page's and the API's are (used by web code only).
        if not is_api(module) and not module.startswith((*WEB, "assessments.workbooks"))
        for imported in imports
        if imported.startswith(WEB)
    }
    assert reaching == set()


def test_only_the_urls_and_error_pages_use_the_api_package():
    users = {
        module
        for package in [*DOMAINS, "assessments", "compliance_portal"]
        for module, imports in modules(package).items()
        if not is_api(module) and any(is_api(i) for i in imports)
    }
    # The error pages answer API paths in the API's one error shape.
    assert users == {"assessments.views.errors"}


def test_accounts_rest_on_models_and_the_audit_trail_alone():
    allowed = ("assessments.models", "assessments.emails", "assessments.errors")
    allowed += ("assessments.lifecycle", "attestations.audit", "accounts")
    outside = {
        (module, imported)
        for module, imports in modules("accounts").items()
        for imported in imports
        if not imported.startswith(allowed) and imported not in {"attestations", "assessments"}
    }
    assert outside == set()


@pytest.mark.parametrize("pure", PURE)
def test_pure_rules_import_nothing_of_the_portal_but_their_own_package(pure):
    package = pure.split(".")[0]
    imports = modules(package)[pure]
    assert {i for i in imports if not i.startswith(package)} == set()


def test_the_tables_rest_on_the_pure_questionnaire_schema_alone():
    outside = {
        (module, imported)
        for module, imports in modules("assessments").items()
        if module.startswith("assessments.models")
        for imported in imports
        if not imported.startswith(("assessments.models", "questionnaires.frameworks.schema"))
    }
    assert outside == set()
