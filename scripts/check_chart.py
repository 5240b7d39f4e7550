"""Lint and render the Helm chart, validate every manifest against the Kubernetes schemas, check its policy.

Run by `make helm-check`. Helm comes from scripts/helm.sh; the schemas from the kubernetes-validate
package (offline). Besides schema validity it checks what the chart promises: probes, the restrictive
security context on every pod, resources, the migration hook and one Forbid CronJob per DST job.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "deploy" / "helm" / "dst"
HELM = [str(ROOT / "scripts" / "helm.sh")]
VALUES = sorted((CHART / "ci").glob("*-values.yaml"))
# The oldest release the chart supports (Chart.yaml kubeVersion) and the newest the schemas know.
KUBE_VERSIONS = ["1.27.0", kubernetes_validate.latest_version()]
JOB_SCHEDULES = {
    "load-facilities": "0 5 * * *",
    "load-seoc": "0 2 * * *",
    "cdw-mappings": "0 2 * * *",
    "cdw-wait-times": "0 2 * * 0",
    "purge": "0 2 * * *",
}
ALWAYS = {"ConfigMap", "Service", "Deployment", "PodDisruptionBudget", "Job", "CronJob"}
# What each CI values file switches on (present) or off (absent).
OPTIONAL_KINDS = {
    "minimal-values.yaml": ({"HorizontalPodAutoscaler", "Secret", "ServiceAccount"}, {"Ingress"}),
    "full-values.yaml": ({"Ingress"}, {"HorizontalPodAutoscaler", "Secret", "ServiceAccount"}),
}


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HELM, *args], capture_output=True, text=True, check=False)  # noqa: S603


def render(values: Path, kube_version: str) -> list[dict[str, Any]]:
    done = helm("template", "dst", str(CHART), "-f", str(values), "--kube-version", kube_version)
    if done.returncode != 0:
        raise SystemExit(f"helm template with {values.name} failed:\n{done.stderr}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def pod_specs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    kind, spec = doc["kind"], doc.get("spec", {})
    if kind in {"Deployment", "Job"}:
        return [spec["template"]["spec"]]
    if kind == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    return []


def check_pod(name: str, pod: dict[str, Any], problems: list[str]) -> None:
    security = pod.get("securityContext", {})
    if security.get("runAsNonRoot") is not True:
        problems.append(f"{name}: pod must set runAsNonRoot")
    if security.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append(f"{name}: pod must use the RuntimeDefault seccomp profile")
    if pod.get("automountServiceAccountToken") is not False:
        problems.append(f"{name}: DST calls no Kubernetes API; do not mount a token")
    tmp_volumes = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
    for container in pod["containers"]:
        where = f"{name}/{container['name']}"
        context = container.get("securityContext", {})
        if context.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{where}: root filesystem must be read-only")
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: privilege escalation must be off")
        if context.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{where}: must drop ALL capabilities")
        resources = container.get("resources", {})
        for part in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(resources.get(part, {})):
                problems.append(f"{where}: needs cpu and memory {part}")
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        if mounts.get("/tmp") not in tmp_volumes:  # noqa: S108 - the path checked, not a file used
            problems.append(f"{where}: /tmp must be a writable emptyDir")


def check_web(deployment: dict[str, Any], problems: list[str]) -> None:
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    if container.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/health/live":
        problems.append("Deployment: liveness probe must call /health/live")
    if container.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/health/ready":
        problems.append("Deployment: readiness probe must call /health/ready")
    args = container.get("args", [])
    if args[:5] != ["serve", "--host", "0.0.0.0", "--port", "8000"] or args[5:6] != ["--workers"]:  # noqa: S104
        problems.append("Deployment: must run `dst serve --host 0.0.0.0 --port 8000 --workers N`")
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    if not env.get("DST_TRUSTED_PROXIES") or not env.get("DST_REPLICAS", "").isdigit():
        problems.append("Deployment: must set DST_TRUSTED_PROXIES and DST_REPLICAS")


def check_jobs(docs: list[dict[str, Any]], problems: list[str]) -> None:
    cron = {d["metadata"]["labels"]["dst.va.gov/job"]: d for d in docs if d["kind"] == "CronJob"}
    if set(cron) != set(JOB_SCHEDULES):
        problems.append(f"CronJobs {sorted(cron)} differ from the DST jobs {sorted(JOB_SCHEDULES)}")
    for job, doc in cron.items():
        spec = doc["spec"]
        if spec["schedule"] != JOB_SCHEDULES.get(job):
            problems.append(
                f"CronJob {job}: schedule {spec['schedule']!r}, expected {JOB_SCHEDULES.get(job)!r}"
            )
        if spec.get("concurrencyPolicy") != "Forbid":
            problems.append(f"CronJob {job}: concurrencyPolicy must be Forbid")
        args = spec["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"]
        if args != ["jobs", "run", job]:
            problems.append(f"CronJob {job}: must run `dst jobs run {job}`, not {args}")
    migrations = [d for d in docs if d["kind"] == "Job"]
    if len(migrations) != 1:
        problems.append(f"expected one migration Job, found {len(migrations)}")
        return
    hooks = migrations[0]["metadata"].get("annotations", {}).get("helm.sh/hook", "")
    if set(hooks.split(",")) != {"pre-install", "pre-upgrade"}:
        problems.append("migration Job must be a pre-install,pre-upgrade hook")
    if migrations[0]["spec"]["template"]["spec"]["containers"][0]["args"] != ["db", "upgrade"]:
        problems.append("migration Job must run `dst db upgrade`")


def check_policy(values: Path, docs: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    kinds = {d["kind"] for d in docs}
    if missing := ALWAYS - kinds:
        problems.append(f"{values.name}: missing {sorted(missing)}")
    present, absent = OPTIONAL_KINDS.get(values.name, (set(), set()))
    if missing := present - kinds:
        problems.append(f"{values.name}: missing {sorted(missing)}")
    if extra := absent & kinds:
        problems.append(f"{values.name}: should not render {sorted(extra)}")
    for doc in docs:
        for pod in pod_specs(doc):
            check_pod(f"{doc['kind']} {doc['metadata']['name']}", pod, problems)
        if doc["kind"] == "Deployment":
            check_web(doc, problems)
    check_jobs(docs, problems)
    owner_secret = ((yaml.safe_load(values.read_text()) or {}).get("secrets") or {}).get(
        "existingMigrationSecret"
    )
    check_owner_stays_in_the_migration(docs, problems, {owner_secret} if owner_secret else set())
    return problems


def check_owner_stays_in_the_migration(
    docs: list[dict[str, Any]], problems: list[str], owner_secrets: set[str]
) -> None:
    """The tables' owner (DST_MIGRATION_DATABASE_URL) reaches the migration Job and nothing else."""
    hook_secrets = owner_secrets | {
        d["metadata"]["name"]
        for d in docs
        if d["kind"] == "Secret" and "DST_MIGRATION_DATABASE_URL" in (d.get("data") or {})
    }
    for doc in docs:
        hooked = "helm.sh/hook" in (doc["metadata"].get("annotations") or {})
        if doc["kind"] == "Secret" and doc["metadata"]["name"] in hook_secrets and not hooked:
            problems.append(f"Secret {doc['metadata']['name']}: the owner's URL outside the hook")
        migration = doc["kind"] == "Job"
        for pod in pod_specs(doc):
            for container in pod["containers"]:
                refs = {e["secretRef"]["name"] for e in container.get("envFrom", []) if "secretRef" in e}
                if not migration and refs & hook_secrets:
                    problems.append(f"{doc['kind']} {doc['metadata']['name']} sees the tables' owner")
                if migration and owner_secrets and not owner_secrets <= refs:
                    problems.append(f"Job {doc['metadata']['name']} lacks the owner's Secret")


def check_required_secrets() -> list[str]:
    """Without credentials the chart must refuse to render and say which value is missing."""
    done = helm("template", "dst", str(CHART))
    if done.returncode == 0 or "secrets.databaseUrl is required" not in done.stderr:
        return ["rendering without secrets must fail and name secrets.databaseUrl"]
    return []


def main() -> int:
    problems = check_required_secrets()
    validated = 0
    for values in VALUES:
        lint = helm("lint", "--strict", str(CHART), "-f", str(values))
        if lint.returncode != 0:
            problems.append(f"helm lint with {values.name}:\n{lint.stdout}{lint.stderr}")
        for version in KUBE_VERSIONS:
            docs = render(values, version)
            for doc in docs:
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                except kubernetes_validate.ValidationError as error:
                    problems.append(f"{values.name} k8s {version} {doc['kind']}: {error.message}")
                validated += 1
            problems.extend(check_policy(values, docs))
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    names = ", ".join(v.name for v in VALUES)
    versions = ", ".join(KUBE_VERSIONS)
    print(f"helm-check: {validated} manifests ({names}) for Kubernetes {versions}: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
