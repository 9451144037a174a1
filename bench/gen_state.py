#!/usr/bin/env python3
"""Writes the webhook benchmark's inputs into OUTDIR (not a test):

    bench/gen_state.py OUTDIR [--projects 1000] [--apps 20000]

OUTDIR/state/       AppProjects and Applications as the API server would list
                    them (kind List, JSON), for `gitops-webhook serve --state`
OUTDIR/bodies/      three AdmissionReviews, the requests the benchmark sends
                    in rotation, and what the webhook must answer to each:
    deployment-update.json  a ~6 KB UPDATE of an Argo CD-managed Deployment by
                            a person (a new image tag): judged by every policy,
                            allowed
    application-sync.json   an UPDATE of an Application that starts a manual
                            sync (a new .operation): judged against the
                            project's sync windows, allowed
    pvc-delete.json         a DELETE of a managed PersistentVolumeClaim marked
                            Prune=false: denied by deletion-protection
OUTDIR/expected     "<body> <allow|deny>" lines, for the driver's check

The decisions do not depend on the time of day: the projects' deny windows
all carry manualSync: true, and the bodies are manual changes, so the windows
are evaluated (cron, time zone) on every request but never block.

Python standard library only; deterministic output (no randomness).
"""

import argparse
import json
import os
import sys

NS = "argocd"
SERVER = "https://kubernetes.default.svc"
CONTROLLER = "system:serviceaccount:argocd:argocd-application-controller"
USER = {"username": "jane@example.com", "uid": "5b2f3c1e-6d0a-4c55-9a43-2f1e5d7c8b90",
        "groups": ["platform-team", "oidc:engineering", "system:authenticated"]}


def project(p):
    team = "team-%03d" % p
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
        "metadata": {"name": "proj-%04d" % p, "namespace": NS,
                     "uid": "0a1b2c3d-0000-4000-8000-%012d" % p,
                     "resourceVersion": str(1000 + p), "generation": 3,
                     "creationTimestamp": "2025-11-02T09:00:00Z",
                     "labels": {"team": team}},
        "spec": {
            "description": "Applications of %s" % team,
            "sourceRepos": ["https://git.example.com/%s/*" % team,
                            "https://git.example.com/platform/charts.git",
                            "!https://git.example.com/%s/scratch-*" % team],
            "destinations": [{"server": SERVER, "namespace": "%s-*" % team},
                             {"server": SERVER, "namespace": "!kube-*"},
                             {"name": "staging-%d" % (p % 4), "namespace": "%s-*" % team}],
            "sourceNamespaces": [NS],
            "clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}],
            "namespaceResourceBlacklist": [{"group": "", "kind": "ResourceQuota"},
                                           {"group": "", "kind": "LimitRange"},
                                           {"group": "networking.k8s.io",
                                            "kind": "NetworkPolicy"}],
            "orphanedResources": {"warn": False},
            "roles": [{"name": "deployer", "description": "CI deploys",
                       "policies": ["p, proj:proj-%04d:deployer, applications, sync, "
                                    "proj-%04d/*, allow" % (p, p)],
                       "groups": ["%s-deployers" % team]}],
            "syncWindows": [
                {"kind": "deny", "schedule": "0 22 * * *", "duration": "8h",
                 "applications": ["*"], "manualSync": True, "timeZone": "Europe/Berlin"},
                {"kind": "deny", "schedule": "0 6 * * 6", "duration": "24h",
                 "namespaces": ["%s-prod-*" % team], "manualSync": True},
            ],
        },
        "status": {"jwtTokensByRole": {}},
    }


def app_resources(i, dest_ns):
    name = "svc-%05d" % i
    out = []
    for g, k in (("", "ConfigMap"), ("", "Service"), ("apps", "Deployment"),
                 ("", "PersistentVolumeClaim"), ("networking.k8s.io", "Ingress")):
        r = {"group": g, "version": "v1", "kind": k, "namespace": dest_ns, "name": name,
             "status": "Synced"}
        if k in ("Deployment", "PersistentVolumeClaim", "Ingress", "Service"):
            r["health"] = {"status": "Healthy"}
        out.append(r)
    return out


def app_names(i):
    p = i % 1000
    team = "team-%03d" % p
    return {"name": "app-%05d" % i, "project": "proj-%04d" % p, "team": team,
            "dest_ns": "%s-svc-%02d" % (team, i % 20),
            "repo": "https://git.example.com/%s/app-%05d.git" % (team, i)}


def application(i, with_status=True):
    n = app_names(i)
    rev = "%040x" % (i * 2654435761 % (1 << 160))
    app = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": n["name"], "namespace": NS,
                     "uid": "7e3f9a10-0000-4000-8000-%012d" % i,
                     "resourceVersion": str(500000 + i), "generation": 42,
                     "creationTimestamp": "2025-12-01T10:00:00Z",
                     "labels": {"team": n["team"], "tier": ("backend", "frontend")[i % 2]},
                     "annotations": {"notifications.argoproj.io/subscribe.on-sync-failed.slack":
                                     "%s-alerts" % n["team"]},
                     "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
        "spec": {
            "project": n["project"],
            "source": {"repoURL": n["repo"], "path": "deploy/overlays/prod",
                       "targetRevision": "main"},
            "destination": {"server": SERVER, "namespace": n["dest_ns"]},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True},
                           "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                           "retry": {"limit": 5, "backoff": {"duration": "5s", "factor": 2,
                                                             "maxDuration": "3m"}}},
            "revisionHistoryLimit": 3,
        },
    }
    if with_status:
        app["status"] = {
            "sync": {"status": "Synced", "revision": rev,
                     "comparedTo": {"source": app["spec"]["source"],
                                    "destination": app["spec"]["destination"]}},
            "health": {"status": "Healthy", "lastTransitionTime": "2026-01-10T08:00:00Z"},
            "resources": app_resources(i, n["dest_ns"]),
            "summary": {"images": ["registry.example.com/%s/svc:%d.4.%d" % (n["team"], i % 7,
                                                                            i % 13)]},
            "reconciledAt": "2026-01-12T10:00:00Z",
            "sourceType": "Kustomize",
            "history": [{"id": 17, "revision": rev, "deployedAt": "2026-01-11T15:30:00Z",
                         "deployStartedAt": "2026-01-11T15:29:50Z",
                         "source": app["spec"]["source"]}],
            "operationState": {"phase": "Succeeded", "message": "successfully synced "
                               "(all tasks run)", "startedAt": "2026-01-11T15:29:50Z",
                               "finishedAt": "2026-01-11T15:30:00Z",
                               "operation": {"sync": {"revision": rev},
                                             "initiatedBy": {"automated": True}},
                               "syncResult": {"revision": rev,
                                              "source": app["spec"]["source"]}},
            "controllerNamespace": NS,
        }
    return app


def tracking_id(app, group, kind, ns, name):
    return "%s:%s/%s:%s/%s" % (app, group, kind, ns, name)


def deployment(i, image_tag, rv):
    n = app_names(i)
    name, ns = "svc-%05d" % i, n["dest_ns"]
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": n["team"],
              "app.kubernetes.io/version": image_tag}
    env = [{"name": "LOG_LEVEL", "value": "info"},
           {"name": "DB_HOST", "value": "postgres.%s.svc.cluster.local" % ns},
           {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "%s-db" % name,
                                                                  "key": "password"}}}]
    container = {
        "name": "app", "image": "registry.example.com/%s/svc:%s" % (n["team"], image_tag),
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                  {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
        "env": env,
        "resources": {"requests": {"cpu": "250m", "memory": "256Mi"},
                      "limits": {"memory": "512Mi"}},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http", "scheme": "HTTP"},
                           "periodSeconds": 5, "timeoutSeconds": 1, "failureThreshold": 3},
        "volumeMounts": [{"name": "data", "mountPath": "/var/lib/app"}],
        "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {
            "name": name, "namespace": ns, "uid": "c0ffee00-0000-4000-8000-%012d" % i,
            "resourceVersion": rv, "generation": 12,
            "creationTimestamp": "2025-12-01T10:05:00Z",
            "labels": dict(labels, **{"app.kubernetes.io/managed-by": "argocd"}),
            "annotations": {
                "argocd.argoproj.io/tracking-id": tracking_id(n["name"], "apps", "Deployment",
                                                              ns, name),
                "argocd.argoproj.io/sync-options": "ServerSideApply=true",
                "deployment.kubernetes.io/revision": "11",
            },
            "managedFields": [
                {"manager": "argocd-controller", "operation": "Apply",
                 "apiVersion": "apps/v1", "time": "2026-01-11T15:30:00Z",
                 "fieldsType": "FieldsV1",
                 "fieldsV1": {"f:metadata": {"f:annotations": {
                     "f:argocd.argoproj.io/tracking-id": {},
                     "f:argocd.argoproj.io/sync-options": {}},
                     "f:labels": {"f:app.kubernetes.io/name": {},
                                  "f:app.kubernetes.io/part-of": {}}},
                     "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {
                         "f:metadata": {"f:labels": {}},
                         "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {
                             ".": {}, "f:env": {}, "f:image": {}, "f:name": {},
                             "f:ports": {}, "f:resources": {}}}}}}}}],
        },
        "spec": {
            "replicas": 3, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": labels,
                             "annotations": {"prometheus.io/scrape": "true",
                                             "prometheus.io/port": "9090"}},
                "spec": {"containers": [container],
                         "volumes": [{"name": "data",
                                      "persistentVolumeClaim": {"claimName": name}}],
                         "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                         "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                         "serviceAccountName": name,
                         "securityContext": {"fsGroup": 1000}}},
        },
        "status": {"observedGeneration": 12, "replicas": 3, "updatedReplicas": 3,
                   "readyReplicas": 3, "availableReplicas": 3},
    }


def review(uid, kind, resource, op, ns, name, obj, old, options):
    group, version, k = kind
    req = {"uid": uid, "kind": {"group": group, "version": version, "kind": k},
           "resource": {"group": group, "version": version, "resource": resource},
           "requestKind": {"group": group, "version": version, "kind": k},
           "requestResource": {"group": group, "version": version, "resource": resource},
           "name": name, "namespace": ns, "operation": op, "userInfo": USER,
           "object": obj, "oldObject": old, "dryRun": False, "options": options}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}


def deployment_update(i):
    old = deployment(i, "2.4.0", "48211")
    new = deployment(i, "2.4.1-hotfix", "48211")
    new["metadata"]["generation"] = 13
    return review("b1d3c9e0-1111-4a2b-9c3d-000000000001", ("apps", "v1", "Deployment"),
                  "deployments", "UPDATE", new["metadata"]["namespace"],
                  new["metadata"]["name"], new, old,
                  {"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1",
                   "fieldManager": "kubectl-edit", "fieldValidation": "Strict"})


def application_sync(i):
    old = application(i)
    new = application(i)
    new["operation"] = {"initiatedBy": {"username": USER["username"]},
                        "info": [{"name": "Reason", "value": "hotfix INC-4711"}],
                        "retry": {"limit": 5},
                        "sync": {"revision": "main", "prune": True,
                                 "syncStrategy": {"hook": {}},
                                 "syncOptions": ["CreateNamespace=true",
                                                 "ServerSideApply=true"]}}
    return review("b1d3c9e0-2222-4a2b-9c3d-000000000002",
                  ("argoproj.io", "v1alpha1", "Application"), "applications", "UPDATE", NS,
                  new["metadata"]["name"], new, old,
                  {"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1",
                   "fieldManager": "argocd-server"})


def pvc_delete(i):
    n = app_names(i)
    name, ns = "svc-%05d" % i, n["dest_ns"]
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
           "metadata": {"name": name, "namespace": ns,
                        "uid": "d15c0000-0000-4000-8000-%012d" % i,
                        "resourceVersion": "30177", "creationTimestamp": "2025-12-01T10:05:00Z",
                        "labels": {"app.kubernetes.io/name": name},
                        "annotations": {
                            "argocd.argoproj.io/tracking-id": tracking_id(
                                n["name"], "", "PersistentVolumeClaim", ns, name),
                            "argocd.argoproj.io/sync-options": "Prune=false",
                            "pv.kubernetes.io/bind-completed": "yes",
                            "volume.kubernetes.io/storage-provisioner": "ebs.csi.aws.com"},
                        "finalizers": ["kubernetes.io/pvc-protection"]},
           "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                    "resources": {"requests": {"storage": "20Gi"}},
                    "volumeMode": "Filesystem", "volumeName": "pvc-%08d" % i},
           "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"],
                      "capacity": {"storage": "20Gi"}}}
    return review("b1d3c9e0-3333-4a2b-9c3d-000000000003",
                  ("", "v1", "PersistentVolumeClaim"), "persistentvolumeclaims", "DELETE", ns,
                  name, None, pvc,
                  {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1",
                   "propagationPolicy": "Background"})


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    return os.path.getsize(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--apps", type=int, default=20000)
    ap.add_argument("--files", type=int, default=4, help="split the Applications over N files")
    args = ap.parse_args()
    if args.projects < 1000 and args.apps > args.projects * 20:
        ap.error("--apps: at most 20 Applications per project")
    state, bodies = os.path.join(args.outdir, "state"), os.path.join(args.outdir, "bodies")
    os.makedirs(state, exist_ok=True)
    os.makedirs(bodies, exist_ok=True)
    total = dump(os.path.join(state, "projects.json"),
                 {"apiVersion": "v1", "kind": "List",
                  "items": [project(p) for p in range(args.projects)]})
    per = (args.apps + args.files - 1) // args.files
    app_bytes = 0
    for f in range(args.files):
        items = [application(i) for i in range(f * per, min(args.apps, (f + 1) * per))]
        app_bytes += dump(os.path.join(state, "applications-%d.json" % f),
                          {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationList",
                           "items": items})
    total += app_bytes
    # The subject of every body is an app in the middle of the state.
    i = min(args.apps - 1, 12345)
    sizes = {}
    for name, body in (("deployment-update", deployment_update(i)),
                       ("application-sync", application_sync(i)),
                       ("pvc-delete", pvc_delete(i))):
        sizes[name] = dump(os.path.join(bodies, name + ".json"), body)
    with open(os.path.join(args.outdir, "expected"), "w") as f:
        f.write("deployment-update allow\napplication-sync allow\npvc-delete deny\n")
    print("state: %d AppProjects, %d Applications, %.1f MiB of JSON (%d bytes per Application)"
          % (args.projects, args.apps, total / 1048576.0, app_bytes // max(1, args.apps)))
    print("bodies: " + ", ".join("%s %d bytes" % kv for kv in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
