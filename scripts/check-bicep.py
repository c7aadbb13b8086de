#!/usr/bin/env python3
"""Syntax and policy check of the Bicep in infra/ (no Bicep compiler can run
here, so pycep-parser parses it offline).

Fails when a .bicep file does not parse, when a privacy setting of P12 is
off (Log Analytics retention 30 days with immediate purge, every
Application Insights table at 30 days, IP masking on), when the region
default is not West Europe (P2), when a parameter file sets an undeclared
parameter, when the Cosmos containers differ from
handlers/store/containers.rs (names and partition key paths), when an app
setting that the handler requires with the Azure stores
(`vars::AZURE_APP_SETTINGS` in handlers/config.rs) is not set on the
Function App, when the Function App uses a setting Flex Consumption does
not support or a maximum instance count below 40, when the blob
trigger's storage roles are missing, or when the web app is not hosted by
the Function App as the README says.

    check-bicep.py [--infra DIR]    check infra/ (or a copy of it)
    check-bicep.py --self-test      prove that the checks fail on broken copies
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pycep import BicepParser

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
CONTAINERS_RS = ROOT / "handlers" / "store" / "containers.rs"
CONFIG_RS = ROOT / "handlers" / "config.rs"
EXPECTED_LOCATION = "westeurope"
EXPECTED_RETENTION_DAYS = 30
# Azure Monitor, "Manage data retention in a Log Analytics workspace": these
# tables keep 90 days by default, whatever the workspace's retention is.
APP_INSIGHTS_TABLES = {
    "AppAvailabilityResults", "AppBrowserTimings", "AppDependencies", "AppEvents",
    "AppExceptions", "AppMetrics", "AppPageViews", "AppPerformanceCounters",
    "AppRequests", "AppSystemEvents", "AppTraces",
}
FLEX_MIN_MAXIMUM_INSTANCES = 40
# Site properties that Flex Consumption does not support.
FLEX_UNSUPPORTED_SITE_CONFIG = {"ftpsState", "http20Enabled"}
# Functions reference, "Connecting to host storage with an identity": the
# roles a blob trigger needs.
BLOB_TRIGGER_ROLES = {
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
    "17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
}

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


def rust_required_settings() -> list[str]:
    """The variables of `vars::AZURE_APP_SETTINGS` in handlers/config.rs."""
    text = CONFIG_RS.read_text()
    listed = re.search(r"pub const AZURE_APP_SETTINGS: &\[&str\] = &\[(.*?)\];", text, re.S)
    if not listed:
        sys.exit(f"{CONFIG_RS}: no `pub const AZURE_APP_SETTINGS: &[&str]` found")
    names = []
    for const in re.findall(r"[A-Z_0-9]+", listed.group(1)):
        value = re.search(rf'pub const {const}: &str = "([^"]+)";', text)
        if not value:
            sys.exit(f"{CONFIG_RS}: constant {const} in AZURE_APP_SETTINGS is not defined")
        names.append(value.group(1))
    return names


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


def check_file(rel: Path, doc: dict, found_containers: dict[str, list], found: dict) -> None:
    for symbol, rtype, config, loop in resources(doc):
        props = config.get("properties", {}) if isinstance(config, dict) else {}
        kind = rtype.lower()
        if kind == "microsoft.operationalinsights/workspaces":
            days = props.get("retentionInDays")
            if days != EXPECTED_RETENTION_DAYS:
                fail(f"{rel}: workspace {symbol} retentionInDays is {days!r}, P12 requires 30")
            if props.get("features", {}).get("immediatePurgeDataOn30Days") is not True:
                fail(f"{rel}: workspace {symbol} must set features.immediatePurgeDataOn30Days: true "
                     "(else data may stay 31 days, P12)")
        if kind == "microsoft.operationalinsights/workspaces/tables":
            scopes = loop_items(loop, doc)
            if not scopes:
                fail(f"{rel}: cannot resolve the loop of table resource {symbol}")
            for scope in scopes:
                name = evaluate(config.get("name"), doc, scope)
                for key in ("retentionInDays", "totalRetentionInDays"):
                    days = evaluate(props.get(key), doc, scope)
                    if days != EXPECTED_RETENTION_DAYS:
                        fail(f"{rel}: table {name} {key} is {days!r}, P12 requires 30")
                found["tables"].add(name)
        if kind == "microsoft.web/sites":
            site_config = props.get("siteConfig", {})
            for key in sorted(FLEX_UNSUPPORTED_SITE_CONFIG & set(site_config)):
                fail(f"{rel}: site {symbol} sets {key}, which Flex Consumption does not support")
            for setting in site_config.get("appSettings", []):
                if isinstance(setting, dict) and setting.get("value") not in (None, ""):
                    found["app_settings"].add(setting.get("name"))
        if kind == "microsoft.authorization/roleassignments":
            # roleDefinitionId names a role id directly or through the
            # `roles` variable (roles.<key>).
            text = json.dumps(props.get("roleDefinitionId"))
            role_vars = evaluate("roles", doc, {})
            for key, role_id in (role_vars.items() if isinstance(role_vars, dict) else []):
                if f'"{key}"' in text:
                    found["roles"].add(role_id)
            for role_id in BLOB_TRIGGER_ROLES:
                if role_id in text:
                    found["roles"].add(role_id)
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


def check_parameter_files(infra: Path, main_doc: dict) -> None:
    declared = set(main_doc.get("parameters", {}))
    files = sorted(infra.glob("*.parameters.json"))
    if not files:
        fail("infra/: no *.parameters.json parameter files")
    for path in files:
        rel = path.relative_to(infra.parent)
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
        instances = params.get("maximumInstanceCount", {}).get("value", FLEX_MIN_MAXIMUM_INSTANCES)
        if instances < FLEX_MIN_MAXIMUM_INSTANCES:
            fail(f"{rel}: maximumInstanceCount {instances} is below Flex Consumption's lowest maximum (40)")


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


def min_value(param: dict):
    for d in param.get("decorators", []):
        if d.get("type") == "min_value":
            return d.get("argument")
    return None


def check(infra: Path) -> int:
    """Check the Bicep under `infra`; 0 when it keeps every rule."""
    errors.clear()
    parser = BicepParser()
    docs = {}
    bicep_files = sorted(infra.rglob("*.bicep"))
    if not bicep_files:
        sys.exit(f"{infra}: no .bicep files")
    for path in bicep_files:
        try:
            docs[path] = parser.parse(text=path.read_text())
        except Exception as e:  # any parse failure is a finding, with its reason
            fail(f"{path.relative_to(infra.parent)}: does not parse: {e}")

    main_doc = docs.get(infra / "main.bicep")
    if main_doc is None:
        fail("infra/main.bicep is missing or does not parse")
    else:
        default = main_doc.get("parameters", {}).get("location", {}).get("default")
        if default != EXPECTED_LOCATION:
            fail(f"infra/main.bicep: param location defaults to {default!r}, not 'westeurope'")
        check_parameter_files(infra, main_doc)

    found_containers: dict[str, list] = {}
    found = {"tables": set(), "app_settings": set(), "roles": set()}
    for path, doc in docs.items():
        rel = path.relative_to(infra.parent)
        check_file(rel, doc, found_containers, found)
        for name, param in doc.get("parameters", {}).items():
            if name == "maximumInstanceCount" and (min_value(param) or 0) < FLEX_MIN_MAXIMUM_INSTANCES:
                fail(f"{rel}: param maximumInstanceCount needs @minValue(40) (Flex Consumption's lowest maximum)")

    kinds = {rtype.lower() for doc in docs.values() for _, rtype, _, _ in resources(doc)}
    if "microsoft.operationalinsights/workspaces" not in kinds:
        fail("infra/: no Log Analytics workspace")
    if "microsoft.insights/components" not in kinds:
        fail("infra/: no Application Insights component")
    for table in sorted(APP_INSIGHTS_TABLES - found["tables"]):
        fail(f"infra/: table {table} keeps its 90-day default; P12 requires 30 days")
    for setting in rust_required_settings():
        if setting not in found["app_settings"]:
            fail(f"infra/: the Function App lacks app setting {setting}, which the handler "
                 "requires with the Azure stores (vars::AZURE_APP_SETTINGS)")
    for role_id, role in BLOB_TRIGGER_ROLES.items():
        if role_id not in found["roles"]:
            fail(f"infra/: no {role} role assignment; the blob trigger needs it")

    for name, pk in rust_containers().items():
        if name not in found_containers:
            fail(f"container {name!r} of handlers/store/containers.rs is missing in infra/")
            continue
        for rel, paths, ttl in found_containers[name]:
            if paths != [pk]:
                fail(f"{rel}: container {name!r} has partition key paths {paths!r}, code uses {pk!r}")
            if ttl != -1:
                fail(f"{rel}: container {name!r} has defaultTtl {ttl!r}; -1 turns per-item TTL on")
    extra = sorted(set(found_containers) - set(rust_containers()))
    for name in extra:
        fail(f"container {name!r} in infra/ is not in handlers/store/containers.rs ALL")

    check_web_hosting(docs)

    if errors:
        print(f"check-bicep: FAILED ({infra})", file=sys.stderr)
        for e in errors:
            print(f"  - {e}", file=sys.stderr)
        return 1
    print(f"check-bicep: {len(bicep_files)} Bicep files parse; privacy settings, "
          f"{len(found['tables'])} Application Insights tables, required app settings, "
          f"roles and {len(found_containers)} Cosmos containers match the code")
    return 0


# Each breakage the checks must catch: (what, file, old text, new text).
# `old` must occur in the file, so a refactoring of the Bicep that makes a
# breakage impossible to apply fails the self-test instead of passing it.
BREAKAGES = [
    ("one Application Insights table at 90 days", "modules/monitoring.bicep",
     "resource appInsights 'Microsoft.Insights/components@2020-02-02' = {",
     "resource tracesLonger 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = {\n"
     "  parent: workspace\n  name: 'AppTraces'\n"
     "  properties: {\n    retentionInDays: 90\n    totalRetentionInDays: 90\n  }\n}\n\n"
     "resource appInsights 'Microsoft.Insights/components@2020-02-02' = {"),
    ("immediatePurgeDataOn30Days removed", "modules/monitoring.bicep",
     "      immediatePurgeDataOn30Days: true\n", ""),
    ("a required app setting (LMS_SMTP_HOST) removed", "modules/functionapp.bicep",
     "        {\n          name: 'LMS_SMTP_HOST'\n          value: smtpHost\n        }\n", ""),
    ("a required app setting (LMS_APP_URL) removed", "modules/functionapp.bicep",
     "          name: 'LMS_APP_URL'", "          name: 'LMS_APP_URL_UNUSED'"),
    ("Storage Account Contributor removed", "modules/roles.bicep",
     "  storageAccountContributor: '17d1049b-9a84-46fb-8f53-869881c3d3ab'\n",
     "  storageAccountContributor: '00000000-0000-0000-0000-000000000000'\n"),
    ("ftpsState set again", "modules/functionapp.bicep",
     "      minTlsVersion: '1.2'\n", "      minTlsVersion: '1.2'\n      ftpsState: 'Disabled'\n"),
    ("maximumInstanceCount allowed below 40", "modules/functionapp.bicep",
     "@minValue(40)", "@minValue(1)"),
]


def self_test() -> int:
    """Apply each breakage to a fresh copy of infra/ and require a failure."""
    failures = []
    for what, rel, old, new in BREAKAGES:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "infra"
            shutil.copytree(INFRA, copy)
            target = copy / rel
            text = target.read_text()
            if old not in text:
                failures.append(f"{what}: {rel} no longer contains the text to break")
                continue
            target.write_text(text.replace(old, new, 1))
            result = subprocess.run(
                [sys.executable, __file__, "--infra", str(copy)],
                capture_output=True, text=True,
            )
            if result.returncode == 0:
                failures.append(f"{what}: the check passed")
            else:
                reason = result.stderr.strip().splitlines()[1:2]
                print(f"check-bicep self-test: {what}: fails as it must {reason}")
    for f in failures:
        print(f"check-bicep self-test: FAILED: {f}", file=sys.stderr)
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    if argv == ["--self-test"]:
        return self_test()
    if len(argv) == 2 and argv[0] == "--infra":
        return check(Path(argv[1]).resolve())
    if argv:
        sys.exit(__doc__)
    return check(INFRA)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
