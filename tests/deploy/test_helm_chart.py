"""The Helm chart in helm/ledgerbridge: rendered offline with real Helm, every manifest checked against
the Kubernetes schemas, and values.schema.json checked to accept good values and reject bad ones.

Helm comes from the ``helm-python-sdk`` dev dependency (Helm v4's Go SDK built into a shared library,
bound with ctypes; no helm binary, no network). The Kubernetes schemas come from ``kubernetes-validate``,
which ships them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

CHART = Path(__file__).resolve().parents[2] / "helm" / "ledgerbridge"
KUBE_VERSION = "1.30"
MASTER_KEY = "q2l0c2wqm7Bv3xYQ0mJ3kYh2b7g4m9x1c8a5d6e7f0A="  # 32 bytes, base64 (a test value)
EXTERNAL = {"secrets": {"masterKey": MASTER_KEY}, "redis": {"url": "redis://redis.example:6379/0"}}

try:
    import helm_python as helm

    helm.helm_sdk_version()
    HELM_MISSING = ""
except Exception as exc:  # the shared library may not load on an unsupported platform
    HELM_MISSING = f"helm-python-sdk unavailable ({exc!r}); only values.schema.json is checked"

needs_helm = pytest.mark.skipif(bool(HELM_MISSING), reason=HELM_MISSING or "helm available")


def merged(*overrides: dict[str, Any]) -> dict[str, Any]:
    """The chart's values.yaml with ``overrides`` deep-merged in (a stand-in for Helm's coalescing)."""
    values = yaml.safe_load((CHART / "values.yaml").read_text())

    def merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                merge(into[key], value)
            else:
                into[key] = copy.deepcopy(value)

    for override in overrides:
        merge(values, override)
    return values


def render(values: dict[str, Any]) -> list[dict[str, Any]]:
    chart = helm.Chart.load(CHART)
    chart.validate_schema(values)
    rendered = chart.render(values, name="lb", namespace="billing", is_install=True)
    docs = []
    for path, text in sorted(rendered.items()):
        if not path.endswith(".yaml"):
            continue
        docs.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return docs


def by_kind(docs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        kinds.setdefault(doc["kind"], []).append(doc)
    return kinds


def validate_manifest(doc: dict[str, Any]) -> None:
    """Check one manifest against the strict (no unknown fields) Kubernetes schema of KUBE_VERSION."""
    import kubernetes_validate

    if doc["apiVersion"].startswith("monitoring.coreos.com/"):
        # a CRD: kubernetes-validate has no schema for it; check the shape the Prometheus Operator needs
        assert doc["kind"] == "ServiceMonitor"
        assert doc["spec"]["selector"]["matchLabels"]
        assert doc["spec"]["endpoints"][0]["port"] == "http"
        assert doc["spec"]["endpoints"][0]["path"] == "/metrics"
        return
    kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)


SCENARIOS = {
    "default-external-redis": EXTERNAL,
    "builtin-redis": {"secrets": {"masterKey": MASTER_KEY}, "redis": {"builtin": {"enabled": True}}},
    "ingress-hpa-monitor": merged(
        EXTERNAL,
        {
            "ingress": {
                "enabled": True,
                "className": "nginx",
                "tls": [{"secretName": "lb-tls", "hosts": ["ledgerbridge.example.com"]}],
            },
            "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 12},
            "serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}},
            "config": {"publicUrl": "https://ledgerbridge.example.com", "webhookConcurrency": 64},
            "secrets": {"adminToken": "a" * 32},
        },
    ),
    "existing-secret": {"secrets": {"existingSecret": "ledgerbridge-prod"}},
}


@needs_helm
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_manifest_is_valid_kubernetes(scenario: str) -> None:
    docs = render(merged(SCENARIOS[scenario]))
    assert docs
    for doc in docs:
        validate_manifest(doc)


@needs_helm
def test_default_gateway_deployment_is_hardened() -> None:
    kinds = by_kind(render(merged(EXTERNAL)))
    assert set(kinds) == {
        "ConfigMap",
        "Deployment",
        "PodDisruptionBudget",
        "Secret",
        "Service",
        "ServiceAccount",
    }
    (deploy,) = kinds["Deployment"]
    pod = deploy["spec"]["template"]["spec"]
    assert deploy["spec"]["replicas"] == 2
    assert pod["terminationGracePeriodSeconds"] == 30
    assert pod["securityContext"]["runAsNonRoot"] is True
    (gateway,) = pod["containers"]
    assert gateway["args"] == ["serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "1"]
    assert gateway["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert gateway["resources"]["requests"]
    assert gateway["resources"]["limits"]
    security = gateway["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert {"name": "tmp", "mountPath": "/tmp"} in gateway["volumeMounts"]
    assert {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}} in pod["volumes"]
    env = {item["name"]: item["valueFrom"]["secretKeyRef"] for item in gateway["env"]}
    assert env["LEDGERBRIDGE_MASTER_KEY"] == {"name": "lb-ledgerbridge", "key": "master-key"}
    assert env["REDIS_URL"] == {"name": "lb-ledgerbridge", "key": "redis-url"}
    assert env["LEDGERBRIDGE_ADMIN_TOKEN"]["optional"] is True
    (secret,) = kinds["Secret"]
    assert secret["stringData"] == {"master-key": MASTER_KEY, "redis-url": "redis://redis.example:6379/0"}
    (config,) = kinds["ConfigMap"]
    assert config["data"] == {
        "LEDGERBRIDGE_MODE": "production",
        "LEDGERBRIDGE_LOG_LEVEL": "info",
        "LEDGERBRIDGE_LOG_FORMAT": "json",
    }
    assert not any(key in config["data"] for key in ("REDIS_URL", "LEDGERBRIDGE_MASTER_KEY"))


@needs_helm
def test_config_values_become_the_gateways_environment_variables() -> None:
    from gateway.settings import VARIABLES, Settings

    values = merged(
        EXTERNAL,
        {
            "config": {
                "publicUrl": "https://lb.example",
                "webhookTimeout": 2.5,
                "webhooksAllowPrivateTargets": False,
            }
        },
    )
    (config,) = by_kind(render(values))["ConfigMap"]
    known = {var.env for var in VARIABLES}
    assert set(config["data"]) <= known
    assert config["data"]["LEDGERBRIDGE_PUBLIC_URL"] == "https://lb.example"
    settings = Settings.from_env({**config["data"], "LEDGERBRIDGE_MASTER_KEY": MASTER_KEY})
    assert settings.public_url == "https://lb.example"
    assert settings.webhook_timeout == 2.5
    assert settings.webhooks_allow_private_targets is False


@needs_helm
def test_every_non_secret_setting_has_a_config_value() -> None:
    from gateway.settings import VARIABLES

    values = merged(EXTERNAL)
    schema = json.loads((CHART / "values.schema.json").read_text())
    configurable = set(schema["properties"]["config"]["properties"])
    assert configurable == set(values["config"])
    secret_envs = {
        "REDIS_URL",
        "LEDGERBRIDGE_MASTER_KEY",
        "LEDGERBRIDGE_MASTER_KEYS_OLD",
        "LEDGERBRIDGE_ADMIN_TOKEN",
    }
    template = (CHART / "templates" / "configmap.yaml").read_text()
    for var in VARIABLES:
        if var.env not in secret_envs:
            assert f'"{var.env}"' in template, var.env


@needs_helm
def test_builtin_redis_is_a_statefulset_with_aof_and_a_volume() -> None:
    kinds = by_kind(render(merged(SCENARIOS["builtin-redis"])))
    (redis,) = kinds["StatefulSet"]
    container = redis["spec"]["template"]["spec"]["containers"][0]
    args = container["args"]
    assert args[args.index("--appendonly") + 1] == "yes"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    (claim,) = redis["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "data"
    assert claim["spec"]["resources"]["requests"]["storage"] == "8Gi"
    services = {svc["metadata"]["name"]: svc for svc in kinds["Service"]}
    assert services["lb-ledgerbridge-redis"]["spec"]["ports"][0]["port"] == 6379
    (config,) = kinds["ConfigMap"]
    assert config["data"]["REDIS_URL"] == "redis://lb-ledgerbridge-redis:6379/0"
    (secret,) = kinds["Secret"]
    assert "redis-url" not in secret["stringData"]
    (deploy,) = kinds["Deployment"]
    env_names = {item["name"] for item in deploy["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "REDIS_URL" not in env_names


@needs_helm
def test_ingress_and_autoscaler() -> None:
    kinds = by_kind(render(merged(SCENARIOS["ingress-hpa-monitor"])))
    (ingress,) = kinds["Ingress"]
    assert ingress["spec"]["ingressClassName"] == "nginx"
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "ledgerbridge.example.com"
    assert rule["http"]["paths"][0]["backend"]["service"] == {
        "name": "lb-ledgerbridge",
        "port": {"name": "http"},
    }
    (hpa,) = kinds["HorizontalPodAutoscaler"]
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 12)
    (deploy,) = kinds["Deployment"]
    assert "replicas" not in deploy["spec"], "the HPA owns the replica count"
    (monitor,) = kinds["ServiceMonitor"]
    assert monitor["metadata"]["labels"]["release"] == "prometheus"


@needs_helm
def test_existing_secret_is_referenced_and_none_is_created() -> None:
    kinds = by_kind(render(merged(SCENARIOS["existing-secret"])))
    assert "Secret" not in kinds
    (deploy,) = kinds["Deployment"]
    refs = {
        item["valueFrom"]["secretKeyRef"]["name"]
        for item in deploy["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert refs == {"ledgerbridge-prod"}


@needs_helm
@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"redis": {"url": "redis://r:6379/0"}}, "secrets.masterKey is required"),
        ({"secrets": {"masterKey": MASTER_KEY}}, "redis.url is required"),
        (
            {
                "secrets": {"masterKey": MASTER_KEY},
                "redis": {"url": "redis://r/0", "builtin": {"enabled": True}},
            },
            "not both",
        ),
    ],
)
def test_inconsistent_values_fail_to_render(override: dict[str, Any], message: str) -> None:
    with pytest.raises(helm.HelmError, match=message):
        render(merged(override))


@needs_helm
def test_notes_explain_how_to_create_the_first_tenant() -> None:
    rendered = helm.Chart.load(CHART).render(merged(EXTERNAL), name="lb", namespace="billing")
    notes = next(text for path, text in rendered.items() if path.endswith("NOTES.txt"))
    assert "kubectl -n billing exec deploy/lb-ledgerbridge -- ledgerbridge tenants create NAME" in notes


BAD_VALUES = {
    "negative replicas": {"replicaCount": -1},
    "replicas as a string": {"replicaCount": "two"},
    "unknown top-level key": {"replicas": 3},
    "unknown config key": {"config": {"logLevl": "debug"}},
    "bad log level": {"config": {"logLevel": "verbose"}},
    "workers zero": {"workers": 0},
    "short admin token": {"secrets": {"adminToken": "short"}},
    "redis url scheme": {"redis": {"url": "http://redis:6379"}},
    "builtin flag as string": {"redis": {"builtin": {"enabled": "yes"}}},
    "bad appendfsync": {"redis": {"builtin": {"appendfsync": "sometimes"}}},
    "service port out of range": {"service": {"port": 70000}},
    "bad resource quantity": {"resources": {"limits": {"memory": "lots"}}},
    "ingress path without slash": {
        "ingress": {"hosts": [{"host": "a.example", "paths": [{"path": "api", "pathType": "Prefix"}]}]}
    },
    "grace period negative": {"terminationGracePeriodSeconds": -5},
}


def schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((CHART / "values.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize("override", [{}, *SCENARIOS.values()], ids=["plain", *SCENARIOS])
def test_schema_accepts_the_defaults_and_the_scenarios(override: dict[str, Any]) -> None:
    schema_validator().validate(merged(override))


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_schema_rejects_bad_values(name: str) -> None:
    with pytest.raises(jsonschema.ValidationError):
        schema_validator().validate(merged(EXTERNAL, BAD_VALUES[name]))


@needs_helm
@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_helm_rejects_bad_values_with_the_schema(name: str) -> None:
    with pytest.raises(helm.HelmValuesError):
        helm.Chart.load(CHART).validate_schema(merged(EXTERNAL, BAD_VALUES[name]))


@needs_helm
def test_helm_lint_is_clean() -> None:
    report = helm.lint(CHART, merged(EXTERNAL), strict=True, kube_version="v1.30.0")
    assert report["errors"] == [], report
    assert [m for m in report["messages"] if m["severity"] >= 2] == [], report
