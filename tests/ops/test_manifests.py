"""deploy/k8s renders with kustomize, validates strictly against a current Kubernetes, and
holds the production conventions the platform promises."""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.launcher import PROCESSES
from tests.ops.tools import K8S, RULES, run

OVERLAYS = ("small-district", "large-district")
KUBERNETES = ("1.33.0", "1.37.0")
SECRETS = K8S / "secrets" / "secrets.yaml"
Doc = dict[str, Any]


@functools.cache
def rendered(overlay: str) -> str:
    done = run("kubectl", "kustomize", str(K8S / "overlays" / overlay))
    assert done.returncode == 0, done.stderr
    return done.stdout


def documents(overlay: str) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(rendered(overlay)) if doc]


def of_kind(overlay: str, *kinds: str) -> list[Doc]:
    return [doc for doc in documents(overlay) if doc["kind"] in kinds]


def pod_specs(overlay: str) -> Iterator[tuple[str, Doc]]:
    for doc in of_kind(overlay, "Deployment", "StatefulSet", "Job"):
        yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


def strict_validation_output(path: Path, version: str) -> str:
    done = run("kubernetes-validate", "--strict", "--quiet", "-k", version, str(path))
    return (done.stdout + done.stderr).strip() + ("" if done.returncode == 0 else f"\nexit {done.returncode}")


@pytest.mark.parametrize("version", KUBERNETES)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_passes_strict_validation_with_no_output_at_all(
    overlay: str, version: str, tmp_path: Path
) -> None:
    manifest = tmp_path / f"{overlay}.yaml"
    manifest.write_text(rendered(overlay))
    assert strict_validation_output(manifest, version) == ""


def test_the_secret_manifests_pass_strict_validation_and_hold_no_values() -> None:
    assert strict_validation_output(SECRETS, KUBERNETES[-1]) == ""
    secrets = [doc for doc in yaml.safe_load_all(SECRETS.read_text()) if doc]
    assert {doc["kind"] for doc in secrets} == {"Secret"}
    assert [(doc["metadata"]["name"], key) for doc in secrets for key, value in doc["stringData"].items()
            if value] == []
    assert "EVENT_HMAC_KEYS" in SECRETS.read_text()


def test_strict_validation_catches_a_misspelt_field(tmp_path: Path) -> None:
    manifest = tmp_path / "typo.yaml"
    misspelt = rendered("small-district").replace("readOnlyRootFilesystem:", "readOnlyRootFileSystem:", 1)
    manifest.write_text(misspelt)
    assert "readOnlyRootFileSystem" in strict_validation_output(manifest, KUBERNETES[-1])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_runs_non_root_read_only_without_privileges_and_with_resource_limits(overlay: str) -> None:
    for name, spec in pod_specs(overlay):
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        for container in spec.get("initContainers", []) + spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, (name, container["name"])
            assert context["allowPrivilegeEscalation"] is False, (name, container["name"])
            assert context["capabilities"]["drop"] == ["ALL"], (name, container["name"])
            assert set(container["resources"]) == {"requests", "limits"}, (name, container["name"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_long_running_container_has_liveness_and_readiness_probes(overlay: str) -> None:
    for doc in of_kind(overlay, "Deployment", "StatefulSet"):
        for container in doc["spec"]["template"]["spec"]["containers"]:
            assert {"livenessProbe", "readinessProbe"} <= set(container), doc["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_anbei_process_runs_from_the_one_image_with_its_name_as_argument(overlay: str) -> None:
    images = {}
    for doc in of_kind(overlay, "Deployment"):
        container = doc["spec"]["template"]["spec"]["containers"][0]
        if container["image"].startswith("anbei:"):
            images[doc["metadata"]["name"]] = (container["image"], container["args"])
    assert images == {name: ("anbei:0.1.0", [name]) for name in PROCESSES}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_an_autoscaler_and_a_disruption_budget(overlay: str) -> None:
    workloads = {doc["metadata"]["name"] for doc in of_kind(overlay, "Deployment") if doc["metadata"]["name"]
                 in PROCESSES}
    scaled = {doc["spec"]["scaleTargetRef"]["name"] for doc in of_kind(overlay, "HorizontalPodAutoscaler")}
    budgeted = {doc["metadata"]["name"] for doc in of_kind(overlay, "PodDisruptionBudget")}
    assert workloads == set(PROCESSES)
    assert workloads <= scaled
    assert workloads | {"mongodb", "rabbitmq"} <= budgeted


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_mongodb_and_rabbitmq_run_three_members_with_quorum_queues(overlay: str) -> None:
    replicas = {doc["metadata"]["name"]: doc["spec"]["replicas"] for doc in of_kind(overlay, "StatefulSet")}
    assert replicas == {"mongodb": 3, "rabbitmq": 3}
    rabbitmq_conf = next(doc["data"]["rabbitmq.conf"] for doc in of_kind(overlay, "ConfigMap")
                         if doc["metadata"]["name"].startswith("rabbitmq-config"))
    assert re.search(r"^default_queue_type = quorum$", rabbitmq_conf, re.MULTILINE)
    assert "--replSet" in str(of_kind(overlay, "StatefulSet"))


def ingress_sources(policy: Doc) -> list[Any]:
    return [rule.get("from") for rule in policy["spec"].get("ingress", [])]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_gateway_accepts_traffic_from_outside_and_services_reach_only_the_broker_and_store(
    overlay: str,
) -> None:
    policies = {doc["metadata"]["name"]: doc for doc in of_kind(overlay, "NetworkPolicy")}
    assert policies["default-deny"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    open_to_all = sorted(name for name, policy in policies.items() if None in ingress_sources(policy))
    assert open_to_all == ["gateway"]
    for name in ("services", "gateway"):  # the gateway keeps its token book in MongoDB
        reached = [rule["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
                   for rule in policies[name]["spec"]["egress"]]
        assert reached == ["rabbitmq", "mongodb"], name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_setting_the_manifests_give_an_anbei_process_is_one_the_code_reads(overlay: str) -> None:
    """A variable no code reads is a setting an operator fills for nothing (as the gateway's
    token list once was, while its tokens lived in its event store)."""
    root = Path(__file__).resolve().parents[2]
    code = "\n".join(path.read_text() for folder in ("shared", "services")
                     for path in (root / folder).rglob("*.py"))
    config = next(doc for doc in of_kind(overlay, "ConfigMap")
                  if doc["metadata"]["name"].startswith("anbei-config"))
    names = set(config["data"])
    for doc in of_kind(overlay, "Deployment"):
        if doc["metadata"]["name"] in PROCESSES:
            for container in doc["spec"]["template"]["spec"]["containers"]:
                names |= {variable["name"] for variable in container.get("env", [])}
    unread = sorted(name for name in names if f'"{name}"' not in code)
    assert unread == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_anbei_process_has_its_event_store_and_the_key_ring(overlay: str) -> None:
    for doc in of_kind(overlay, "Deployment"):
        if doc["metadata"]["name"] in PROCESSES:
            env = {variable["name"]: variable for container in doc["spec"]["template"]["spec"]["containers"]
                   for variable in container.get("env", [])}
            assert {"AMQP_URI", "EVENT_STORE_URL", "EVENT_HMAC_KEYS"} <= set(env), doc["metadata"]["name"]
            store = env["EVENT_STORE_URL"]["valueFrom"]["secretKeyRef"]
            assert (store["name"], store["key"]) == ("anbei-event-stores", doc["metadata"]["name"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_cluster_prometheus_loads_the_same_rule_file_as_the_local_one(overlay: str) -> None:
    rules = next(doc for doc in of_kind(overlay, "ConfigMap")
                 if doc["metadata"]["name"].startswith("prometheus-rules"))
    assert rules["data"]["rules.yml"] == RULES.read_text()
    prometheus = next(doc for doc in of_kind(overlay, "Deployment")
                      if doc["metadata"]["name"] == "prometheus")
    volumes = {volume["name"]: volume for volume in prometheus["spec"]["template"]["spec"]["volumes"]}
    assert volumes["rules"]["configMap"]["name"] == rules["metadata"]["name"]


def test_the_image_entrypoint_names_exactly_the_four_processes_and_refuses_others() -> None:
    script = K8S / "entrypoint.sh"
    names = re.search(r"^\s*([a-z|]+)\) exec", script.read_text(), re.MULTILINE)
    assert names is not None and names.group(1).split("|") == list(PROCESSES)
    refused = subprocess.run(["sh", str(script), "warehouse"], capture_output=True, text=True, check=False)
    assert refused.returncode == 64
    assert "usage: anbei inventory|teams|incidents|gateway" in refused.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_runs_two_pods_rolled_one_at_a_time_each_with_its_own_read_models(overlay: str) -> None:
    services = [name for name in PROCESSES if name != "gateway"]
    deployments = {doc["metadata"]["name"]: doc for doc in of_kind(overlay, "Deployment")}
    autoscalers = {doc["spec"]["scaleTargetRef"]["name"]: doc["spec"]
                   for doc in of_kind(overlay, "HorizontalPodAutoscaler")}
    budgets = {doc["metadata"]["name"]: doc["spec"] for doc in of_kind(overlay, "PodDisruptionBudget")}
    for name in services:
        spec = deployments[name]["spec"]
        assert spec["replicas"] == 2, name
        assert spec["strategy"] == {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}, name
        assert (autoscalers[name]["minReplicas"], autoscalers[name]["maxReplicas"]) == (2, 6), name
        assert budgets[name]["minAvailable"] == 1 and "maxUnavailable" not in budgets[name], name
        pod = spec["template"]["spec"]
        container = pod["containers"][0]
        env = {item["name"]: item for item in container["env"]}
        assert env["REPLICA_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name", name
        assert "secretKeyRef" in env["EVENT_STORE_URL"]["valueFrom"], name  # the one shared store
        assert "VIEW_STORE_PATH" not in env, name  # $DATA_DIR/<service>-views.db, in the pod's emptyDir
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        data = next(mount for mount in container["volumeMounts"] if mount["mountPath"] == "/var/lib/anbei")
        assert "emptyDir" in volumes[data["name"]], name
