#!/usr/bin/env python3
"""Syntax and policy check of the Bicep in infra/ (no Bicep compiler can run
here, so pycep-parser parses it offline).

Fails when a .bicep file does not parse, when a privacy setting of P12 is
off (Log Analytics retention 30 days, Application Insights IP masking on),
when the region default is not West Europe (P2), when a parameter file sets
an undeclared parameter, or when the Cosmos containers differ from
handlers/store/containers.rs (names and partition key paths).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from pycep import BicepParser

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
CONTAINERS_RS = ROOT / "handlers" / "store" / "containers.rs"
EXPECTED_LOCATION = "westeurope"
EXPECTED_RETENTION_DAYS = 30

errors: list[str] = []


def fail(message: str) -> None:
    errors.append(message)


def rust_containers() -> dict[str, str]:
    """Name -> partition key path of every container listed in `ALL`."""
    text = CONTAINERS_RS.read_text()
    all_list = re.search(r"pub const ALL: &\[Container\] = &\[(.*?)\];", text, re.S)
    if not all_list:
        sys.exit(f"{CONTAINERS_RS}: no `pub const ALL: &[Container]` found")
    result = {}
    for const in re.findall(r"[A-Z_]+", all_list.group(1)):
        body = re.search(
            rf"pub const {const}: Container = Container \{{(.*?)\n\}};", text, re.S
        )
        if not body:
            sys.exit(f"{CONTAINERS_RS}: constant {const} in ALL is not defined")
        name = re.search(r'name: "([^"]+)"', body.group(1))
        pk = re.search(r'partition_key: "([^"]+)"', body.group(1))
        if not name or not pk:
            sys.exit(f"{CONTAINERS_RS}: {const} lacks a name or partition_key")
        result[name.group(1)] = "/" + pk.group(1)
    return result


def evaluate(expr, doc: dict, scope: dict):
    """Value of a pycep expression as far as a static check can know it:
    literals, loop items, their properties, variables and negation."""
    if isinstance(expr, str):
        if expr in scope:
            return scope[expr]
        if expr in doc.get("variables", {}):
            return evaluate(doc["variables"][expr]["value"], doc, scope)
        return expr
    if isinstance(expr, list):
        return [evaluate(e, doc, scope) for e in expr]
    if isinstance(expr, dict) and "operator" in expr:
        op = expr["operator"]
        operands = op["operands"]
        if op["type"] == "property_accessor":
            base = evaluate(operands["operand_1"], doc, scope)
            if isinstance(base, dict):
                return evaluate(base.get(operands["operand_2"]), doc, scope)
        if op["type"] == "minus" and "integer_value" in operands:
            return -int(operands["integer_value"])
        return None
    return expr


def resources(doc: dict):
    """(symbolic name, type, config, loop) of every resource a file declares
    (references to `existing` resources are not declarations)."""
    for symbol, res in doc.get("resources", {}).items():
        if res.get("existing"):
            continue
        config = res["config"]
        loop = None
        if "loop_type" in config:
            loop = config["loop_type"]
            config = config["config"]
        elif "condition" in config and "config" in config:
            config = config["config"]
        yield symbol, res["type"], config, loop


def loop_items(loop, doc: dict) -> list[dict]:
    """Scopes (item name -> item) of an array loop; one empty scope without loop."""
    if loop is None:
        return [{}]
    detail = loop.get("detail", {})
    items = evaluate(detail.get("array_name"), doc, {})
    if loop.get("type") != "array" or not isinstance(items, list):
        return []
    return [{detail["item_name"]: item} for item in items]


def check_file(path: Path, doc: dict, found_containers: dict[str, list]) -> None:
    rel = path.relative_to(ROOT)
    for symbol, rtype, config, loop in resources(doc):
        props = config.get("properties", {}) if isinstance(config, dict) else {}
        kind = rtype.lower()
        if kind == "microsoft.operationalinsights/workspaces":
            days = props.get("retentionInDays")
            if days != EXPECTED_RETENTION_DAYS:
                fail(f"{rel}: workspace {symbol} retentionInDays is {days!r}, P12 requires 30")
        if kind == "microsoft.insights/components":
            if props.get("DisableIpMasking") is not False:
                fail(f"{rel}: component {symbol} must set DisableIpMasking: false (P12)")
            if "WorkspaceResourceId" not in props:
                fail(f"{rel}: component {symbol} must be workspace-based (WorkspaceResourceId)")
        if kind == "microsoft.documentdb/databaseaccounts/sqldatabases/containers":
            scopes = loop_items(loop, doc)
            if not scopes:
                fail(f"{rel}: cannot resolve the loop of container resource {symbol}")
            for scope in scopes:
                resource = props.get("resource", {})
                name = evaluate(config.get("name"), doc, scope)
                paths = evaluate(resource.get("partitionKey", {}).get("paths"), doc, scope)
                ttl = evaluate(resource.get("defaultTtl"), doc, scope)
                found_containers.setdefault(name, []).append((rel, paths, ttl))


def check_parameter_files(main_doc: dict) -> None:
    declared = set(main_doc.get("parameters", {}))
    files = sorted(INFRA.glob("*.parameters.json"))
    if not files:
        fail("infra/: no *.parameters.json parameter files")
    for path in files:
        rel = path.relative_to(ROOT)
        try:
            params = json.loads(path.read_text())["parameters"]
        except (ValueError, KeyError) as e:
            fail(f"{rel}: not a deployment parameter file: {e}")
            continue
        for name in sorted(set(params) - declared):
            fail(f"{rel}: parameter {name} is not declared in infra/main.bicep")
        location = params.get("location", {}).get("value", EXPECTED_LOCATION)
        if location != EXPECTED_LOCATION:
            fail(f"{rel}: location is {location!r}; P2/P12 promise West Europe")


def app_settings(config: dict) -> dict:
    """name -> value of a Microsoft.Web/sites resource's siteConfig.appSettings."""
    props = config.get("properties", {}) if isinstance(config, dict) else {}
    settings = props.get("siteConfig", {}).get("appSettings", [])
    return {s.get("name"): s.get("value") for s in settings if isinstance(s, dict)}


def check_web_hosting(docs: dict) -> None:
    """The web app is served by the Function App itself (README "Deploy"):
    its app settings turn the host's home page off and name the packaged
    build, host.json leaves the route prefix empty so that / reaches the
    catch-all web-app function, and no Static Web App is deployed beside."""
    sites = [
        app_settings(config)
        for doc in docs.values()
        for _, rtype, config, _ in resources(doc)
        if rtype.lower() == "microsoft.web/sites"
    ]
    if not sites:
        fail("infra/: no Function App (Microsoft.Web/sites)")
    for settings in sites:
        if settings.get("AzureWebJobsDisableHomepage") != "true":
            fail("Function App: app setting AzureWebJobsDisableHomepage must be 'true' (it serves the web app at /)")
        if settings.get("LMS_WEB_DIR") != "web/dist":
            fail("Function App: app setting LMS_WEB_DIR must be 'web/dist' (where `insite-lms package` puts the build)")
    kinds = {rtype.lower() for doc in docs.values() for _, rtype, _, _ in resources(doc)}
    if "microsoft.web/staticsites" in kinds:
        fail("infra/: a Static Web App is deployed, but the Function App serves the web app itself")
    host = json.loads((ROOT / "host.json").read_text())
    if host.get("extensions", {}).get("http", {}).get("routePrefix") != "":
        fail('host.json: extensions.http.routePrefix must be "" so that / reaches the web-app function')
    if not (ROOT / "function-configs" / "web-app" / "function.json").is_file():
        fail("function-configs/web-app/function.json is missing (cargo run -- generate-function-configs)")


def main() -> int:
    parser = BicepParser()
    docs = {}
    bicep_files = sorted(INFRA.rglob("*.bicep"))
    if not bicep_files:
        sys.exit("infra/: no .bicep files")
    for path in bicep_files:
        try:
            docs[path] = parser.parse(text=path.read_text())
        except Exception as e:  # any parse failure is a finding, with its reason
            fail(f"{path.relative_to(ROOT)}: does not parse: {e}")

    main_doc = docs.get(INFRA / "main.bicep")
    if main_doc is None:
        fail("infra/main.bicep is missing or does not parse")
    else:
        default = main_doc.get("parameters", {}).get("location", {}).get("default")
        if default != EXPECTED_LOCATION:
            fail(f"infra/main.bicep: param location defaults to {default!r}, not 'westeurope'")
        check_parameter_files(main_doc)

    found: dict[str, list] = {}
    for path, doc in docs.items():
        check_file(path, doc, found)

    kinds = {rtype.lower() for doc in docs.values() for _, rtype, _, _ in resources(doc)}
    if "microsoft.operationalinsights/workspaces" not in kinds:
        fail("infra/: no Log Analytics workspace")
    if "microsoft.insights/components" not in kinds:
        fail("infra/: no Application Insights component")

    for name, pk in rust_containers().items():
        if name not in found:
            fail(f"container {name!r} of handlers/store/containers.rs is missing in infra/")
            continue
        for rel, paths, ttl in found[name]:
            if paths != [pk]:
                fail(f"{rel}: container {name!r} has partition key paths {paths!r}, code uses {pk!r}")
            if ttl != -1:
                fail(f"{rel}: container {name!r} has defaultTtl {ttl!r}; -1 turns per-item TTL on")
    extra = sorted(set(found) - set(rust_containers()))
    for name in extra:
        fail(f"container {name!r} in infra/ is not in handlers/store/containers.rs ALL")

    check_web_hosting(docs)

    if errors:
        print("check-bicep: FAILED", file=sys.stderr)
        for e in errors:
            print(f"  - {e}", file=sys.stderr)
        return 1
    print(f"check-bicep: {len(bicep_files)} Bicep files parse; privacy settings and "
          f"{len(found)} Cosmos containers match the code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
