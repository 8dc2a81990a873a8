"""The alerts services are organised by noun (alerts/services/): each module keeps its private
helpers to itself, every request is made by ``request_create`` and every new status comes from
the transition table (``alerts.transitions.MOVES``)."""

import ast
from pathlib import Path

import alerts.services

SERVICES = Path(alerts.services.__file__).parent
MODULES = sorted(SERVICES.glob("*.py"))


def _tree(path):
    return ast.parse(path.read_text(), filename=str(path))


def test_no_services_module_imports_another_modules_private_names():
    private = [
        (path.name, node.module, alias.name)
        for path in MODULES
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert private == []


def test_only_request_create_builds_a_request():
    """``Request(...)`` or ``Request.objects.create(...)`` elsewhere would skip the audit entry,
    the timeline line and delivery."""
    builders = []
    for path in MODULES:
        for fn in ast.walk(_tree(path)):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for node in ast.walk(fn):
                if not isinstance(node, ast.Call):
                    continue
                text = ast.unparse(node.func)
                if text in ("Request", "Request.objects.create", "Request.objects.bulk_create"):
                    builders.append((path.name, fn.name))
    assert builders == [("requests.py", "request_create")]


def test_no_service_sets_a_literal_status_on_a_request():
    """A request's new status is ``move_to(req, move)``, the transition table's target."""
    literal = [
        (path.name, node.lineno)
        for path in [*MODULES, SERVICES.parent / "delivery.py"]
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute) and target.attr == "status" and ast.unparse(target.value) == "req"
    ]
    assert literal == []


def test_every_public_service_is_exported_from_the_package():
    """Callers import from ``alerts.services``; a service added to a module is exported too."""
    import importlib

    missing = []
    for path in MODULES:
        if path.stem == "__init__":
            continue
        module = importlib.import_module("alerts.services." + path.stem)
        for name in dir(module):
            obj = getattr(module, name)
            if (callable(obj) and getattr(obj, "__module__", "") == module.__name__ and not name.startswith("_")
                    and name not in alerts.services.__all__):
                missing.append((path.stem, name))
    assert missing == []
