#!/usr/bin/env python3
"""The state of the rollout benchmark (bench/rollout.sh, issue 6
"Performance"): one namespace holding, by default, 200 Rollouts, 10
ReplicaSets for each (2,000, owned by the Rollout's uid, with its selector
labels and a rollouts-pod-template-hash), 10,000 Pods owned by the
ReplicaSets that have replicas, and 2 AnalysisRuns for each Rollout.  The
objects have the size of real ones: Pods with three containers, env,
probes, a projected token volume and a full status (about 4 KB of JSON).

    bench/gen_rollouts.py OUT.json [--namespace bench] [--rollouts 200]
        [--revisions 10] [--pods 10000] [--analysisruns 2]

Every tenth Rollout (svc-000 first) is a canary paused at step 2 of 5 with
its pods split between the stable and the canary ReplicaSet; the others are
Healthy.  The uids and creation times are fixed in the file, so ownership
holds only if the simulator keeps them (bench/rollout.sh sees to that).
The output is the same on every run.  Prints what it wrote, one line per
kind with the average object size.
"""

import argparse
import hashlib
import json
import sys
import time
import uuid

HASH_CHARS = "bcdfghjklmnpqrstvwxz2456789"
BASE = 1795000000       # creation times count back from here (2026-11)
DAY = 86400


def ts(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def uid(*parts):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "bench-rollouts/" + "/".join(map(str, parts))))


def token(n, *parts):
    """A name suffix as the controllers make them: n chars of HASH_CHARS."""
    d = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return "".join(HASH_CHARS[b % len(HASH_CHARS)] for b in d[:n])


def sha(*parts):
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


def owner(api, kind, name, owner_uid):
    return [{"apiVersion": api, "kind": kind, "name": name, "uid": owner_uid,
             "controller": True, "blockOwnerDeletion": True}]


def containers(app, rev):
    env = [{"name": k, "value": v} for k, v in (
        ("APP_NAME", app), ("APP_ENV", "production"), ("LOG_LEVEL", "info"),
        ("DB_HOST", "postgres.%s-db.svc.cluster.local" % app))]
    env += [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                            "fieldPath": "metadata.name"}}},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": app + "-db",
                                                                   "key": "password"}}}]
    probe = {"httpGet": {"path": "/ready", "port": 8080, "scheme": "HTTP"},
             "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1,
             "failureThreshold": 3}
    return [
        {"name": app, "image": "registry.example.com/shop/%s:1.%d.0" % (app, rev),
         "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                   {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
         "env": env,
         "resources": {"limits": {"cpu": "1", "memory": "512Mi"},
                       "requests": {"cpu": "250m", "memory": "256Mi"}},
         "readinessProbe": probe,
         "volumeMounts": [{"name": "config", "mountPath": "/etc/%s" % app, "readOnly": True}],
         "terminationMessagePath": "/dev/termination-log",
         "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"},
        {"name": "envoy", "image": "envoyproxy/envoy:v1.31.2",
         "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
         "volumeMounts": [{"name": "envoy", "mountPath": "/etc/envoy", "readOnly": True}],
         "terminationMessagePath": "/dev/termination-log",
         "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"},
        {"name": "log-shipper", "image": "fluent/fluent-bit:3.1.9",
         "terminationMessagePath": "/dev/termination-log",
         "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"},
    ]


def pod_spec(app, rev):
    return {"containers": containers(app, rev),
            "volumes": [{"name": "config", "configMap": {"name": app + "-config",
                                                          "defaultMode": 420}},
                        {"name": "envoy", "configMap": {"name": "envoy-sidecar",
                                                         "defaultMode": 420}}],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst", "serviceAccountName": app,
            "serviceAccount": app, "securityContext": {"fsGroup": 2000},
            "schedulerName": "default-scheduler"}


def template(app, rev, hsh):
    labels = {"app": app, "team": "shop"}
    if hsh:
        labels["rollouts-pod-template-hash"] = hsh
    return {"metadata": {"labels": labels,
                         "annotations": {"prometheus.io/scrape": "true",
                                         "prometheus.io/port": "9090"}},
            "spec": pod_spec(app, rev)}


def rollout(ns, i, revs, replicas, paused, hashes):
    app = "svc-%03d" % i
    cur, stable = hashes[revs], hashes[revs - 1 if paused else revs]
    canary_n = replicas // 5 if paused else replicas
    steps = [{"setWeight": 20}, {"pause": {}}, {"setWeight": 50},
             {"analysis": {"templates": [{"templateName": "success-rate"}],
                           "args": [{"name": "service-name", "value": app}]}},
             {"setWeight": 100}]
    t_upd = BASE - 3600
    conds = [
        {"type": "Available", "status": "True", "reason": "AvailableReason",
         "message": "Rollout has minimum availability"},
        {"type": "Completed", "status": "False" if paused else "True",
         "reason": "RolloutCompleted",
         "message": "Rollout completed update to revision %d (%s): Initial deploy"
                    % (revs, cur)},
        {"type": "Progressing", "status": "True",
         "reason": "RolloutPaused" if paused else "NewReplicaSetAvailable",
         "message": "Rollout is paused" if paused
                    else 'ReplicaSet "%s-%s" has successfully progressed.' % (app, cur)},
        {"type": "Healthy", "status": "False" if paused else "True",
         "reason": "RolloutHealthy", "message": "Rollout is healthy"},
    ]
    for c in conds:
        c["lastTransitionTime"] = c["lastUpdateTime"] = ts(t_upd)
    status = {
        "observedGeneration": "%d" % (revs + 1), "phase": "Paused" if paused else "Healthy",
        "message": "CanaryPauseStep" if paused else "",
        "currentPodHash": cur, "stableRS": stable,
        "currentStepIndex": 1 if paused else len(steps),
        "currentStepHash": token(10, app, "steps"),
        "replicas": replicas, "updatedReplicas": canary_n, "readyReplicas": replicas,
        "availableReplicas": replicas, "HPAReplicas": replicas,
        "selector": "app=%s" % app, "conditions": conds,
        "canary": {"weights": {
            "canary": {"podTemplateHash": cur, "weight": 20 if paused else 100,
                       "serviceName": app + "-canary"},
            "stable": {"podTemplateHash": stable, "weight": 80 if paused else 100,
                       "serviceName": app + "-stable"}}},
    }
    if paused:
        status["pauseConditions"] = [{"reason": "CanaryPauseStep", "startTime": ts(t_upd)}]
        status["controllerPause"] = True
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": app, "namespace": ns, "uid": uid(ns, "rollout", app),
                     "creationTimestamp": ts(BASE - (revs + 1) * DAY),
                     "labels": {"app": app, "team": "shop",
                                "app.kubernetes.io/instance": app},
                     "annotations": {"rollout.argoproj.io/revision": str(revs),
                                     "argocd.argoproj.io/tracking-id":
                                         "%s:argoproj.io/Rollout:%s/%s" % (app, ns, app)}},
        "spec": {"replicas": replicas, "revisionHistoryLimit": revs,
                 "selector": {"matchLabels": {"app": app}},
                 "template": template(app, revs, None),
                 "strategy": {"canary": {"canaryService": app + "-canary",
                                         "stableService": app + "-stable",
                                         "maxSurge": "25%", "maxUnavailable": 0,
                                         "steps": steps}}},
        "status": status,
    }


def replicaset(ns, ro, rev, hsh, replicas):
    app = ro["metadata"]["name"]
    name = "%s-%s" % (app, hsh)
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": ns, "uid": uid(ns, "rs", name),
                     "creationTimestamp": ts(BASE - (ro["spec"]["revisionHistoryLimit"] - rev + 1)
                                             * DAY),
                     "generation": 2,
                     "labels": {"app": app, "team": "shop", "rollouts-pod-template-hash": hsh},
                     "annotations": {"rollout.argoproj.io/desired-replicas":
                                         str(ro["spec"]["replicas"]),
                                     "rollout.argoproj.io/revision": str(rev),
                                     "rollout.argoproj.io/ephemeral-metadata-injected": "false"},
                     "ownerReferences": owner("argoproj.io/v1alpha1", "Rollout", app,
                                              ro["metadata"]["uid"])},
        "spec": {"replicas": replicas, "minReadySeconds": 0,
                 "selector": {"matchLabels": {"app": app, "rollouts-pod-template-hash": hsh}},
                 "template": template(app, rev, hsh)},
        "status": {"replicas": replicas, "fullyLabeledReplicas": replicas,
                   "readyReplicas": replicas, "availableReplicas": replicas,
                   "observedGeneration": 2},
    }


def pod(ns, rs, rev, k):
    app = rs["metadata"]["labels"]["app"]
    hsh = rs["metadata"]["labels"]["rollouts-pod-template-hash"]
    name = "%s-%s" % (rs["metadata"]["name"], token(5, rs["metadata"]["name"], k))
    created = BASE - DAY + k * 7
    spec = pod_spec(app, rev)
    spec["volumes"].append({"name": "kube-api-access-" + token(5, name, "vol"), "projected": {
        "defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt",
                           "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}})
    node = "node-%02d" % (int(sha(name)[:4], 16) % 40)
    spec.update({"nodeName": node, "priority": 0, "enableServiceLinks": True,
                 "preemptionPolicy": "PreemptLowerPriority",
                 "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                  "effect": "NoExecute", "tolerationSeconds": 300},
                                 {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                  "effect": "NoExecute", "tolerationSeconds": 300}]})
    ip = "10.%d.%d.%d" % (int(sha(name)[4:6], 16) % 64, int(sha(name)[6:8], 16),
                          int(sha(name)[8:10], 16) % 254 + 1)
    host = "192.168.%d.%d" % (int(sha(node)[:2], 16) % 4, int(sha(node)[2:4], 16) % 254 + 1)
    conds = [{"type": t, "status": "True", "lastProbeTime": None,
              "lastTransitionTime": ts(created + s)}
             for t, s in (("PodReadyToStartContainers", 3), ("Initialized", 1), ("Ready", 14),
                          ("ContainersReady", 14), ("PodScheduled", 0))]
    statuses = [{"name": c["name"], "state": {"running": {"startedAt": ts(created + 4)}},
                 "lastState": {}, "ready": True, "restartCount": 0, "image": c["image"],
                 "imageID": "%s@sha256:%s" % (c["image"].rsplit(":", 1)[0], sha(c["image"])),
                 "containerID": "containerd://" + sha(name, c["name"]), "started": True}
                for c in spec["containers"]]
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "generateName": rs["metadata"]["name"] + "-",
                     "namespace": ns, "uid": uid(ns, "pod", name),
                     "creationTimestamp": ts(created),
                     "labels": {"app": app, "team": "shop", "rollouts-pod-template-hash": hsh},
                     "annotations": dict(rs["spec"]["template"]["metadata"]["annotations"]),
                     "ownerReferences": owner("apps/v1", "ReplicaSet", rs["metadata"]["name"],
                                              rs["metadata"]["uid"])},
        "spec": spec,
        "status": {"phase": "Running", "conditions": conds, "hostIP": host,
                   "hostIPs": [{"ip": host}], "podIP": ip, "podIPs": [{"ip": ip}],
                   "startTime": ts(created + 1), "containerStatuses": statuses,
                   "qosClass": "Burstable"},
    }


def analysisrun(ns, ro, rev, hsh, step, running):
    app = ro["metadata"]["name"]
    name = "%s-%s-%d-%d" % (app, hsh, rev, step)
    start = BASE - (ro["spec"]["revisionHistoryLimit"] - rev + 1) * DAY + 600
    count = 5
    measurements = [{"phase": "Successful", "startedAt": ts(start + 60 * m),
                     "finishedAt": ts(start + 60 * m + 1), "value": "[0.99%d]" % (m % 10)}
                    for m in range(2 if running else count)]
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": name, "namespace": ns, "uid": uid(ns, "ar", name),
                     "creationTimestamp": ts(start), "generation": 1,
                     "labels": {"rollout-type": "Step", "rollouts-pod-template-hash": hsh,
                                "step-index": str(step)},
                     "annotations": {"rollout.argoproj.io/revision": str(rev)},
                     "ownerReferences": owner("argoproj.io/v1alpha1", "Rollout", app,
                                              ro["metadata"]["uid"])},
        "spec": {"args": [{"name": "service-name", "value": app}],
                 "metrics": [{"name": "success-rate", "interval": "1m", "count": count,
                              "failureLimit": 1,
                              "successCondition": "result[0] >= 0.95",
                              "provider": {"prometheus": {
                                  "address": "http://prometheus.monitoring.svc:9090",
                                  "query": 'sum(irate(istio_requests_total{reporter="source",'
                                           'destination_service=~"%s",response_code!~"5.*"}[5m]))'
                                           ' / sum(irate(istio_requests_total{reporter="source",'
                                           'destination_service=~"%s"}[5m]))' % (app, app)}}}]},
        "status": {"phase": "Running" if running else "Successful", "startedAt": ts(start),
                   "message": "" if running else "Metric assessed Successful",
                   "metricResults": [{"name": "success-rate",
                                      "phase": "Running" if running else "Successful",
                                      "count": len(measurements),
                                      "successful": len(measurements),
                                      "measurements": measurements}],
                   "runSummary": {"count": 1, "successful": 0 if running else 1}},
    }


def generate(args):
    replicas = args.pods // args.rollouts
    kinds = {"Namespace": [{"apiVersion": "v1", "kind": "Namespace",
                            "metadata": {"name": args.namespace}}],
             "Rollout": [], "ReplicaSet": [], "Pod": [], "AnalysisRun": []}
    for i in range(args.rollouts):
        paused = i % 10 == 0
        app = "svc-%03d" % i
        hashes = {rev: token(10, args.namespace, app, rev) for rev in range(1, args.revisions + 1)}
        ro = rollout(args.namespace, i, args.revisions, replicas, paused, hashes)
        kinds["Rollout"].append(ro)
        for rev in range(1, args.revisions + 1):
            if paused:
                n = replicas // 5 if rev == args.revisions else \
                    replicas - replicas // 5 if rev == args.revisions - 1 else 0
            else:
                n = replicas if rev == args.revisions else 0
            rs = replicaset(args.namespace, ro, rev, hashes[rev], n)
            kinds["ReplicaSet"].append(rs)
            kinds["Pod"].extend(pod(args.namespace, rs, rev, k) for k in range(n))
        for a in range(args.analysisruns):
            rev = args.revisions - a
            running = paused and a == 0
            kinds["AnalysisRun"].append(
                analysisrun(args.namespace, ro, rev, hashes[rev], 3, running))
    return kinds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the state file to write (a JSON List)")
    ap.add_argument("--namespace", default="bench")
    ap.add_argument("--rollouts", type=int, default=200)
    ap.add_argument("--revisions", type=int, default=10, help="ReplicaSets per Rollout")
    ap.add_argument("--pods", type=int, default=10000, help="in all, spread over the Rollouts")
    ap.add_argument("--analysisruns", type=int, default=2, help="per Rollout")
    args = ap.parse_args()
    if args.rollouts < 1 or args.revisions < 2 or args.pods < args.rollouts:
        ap.error("need at least 1 rollout, 2 revisions and a pod per rollout")
    kinds = generate(args)
    items = [o for objs in kinds.values() for o in objs]
    with open(args.out, "w") as f:
        # json.dumps, unlike json.dump, runs the C encoder: 5x faster here
        f.write(json.dumps({"apiVersion": "v1", "kind": "List", "items": items},
                           separators=(",", ":")))
    for kind, objs in kinds.items():
        if kind == "Namespace":
            continue
        sizes = [len(json.dumps(o, separators=(",", ":"))) for o in objs]
        print("%6d %-12s %5.1f KB each on average, %6.1f MB in all"
              % (len(objs), kind + "s", sum(sizes) / max(len(sizes), 1) / 1000,
                 sum(sizes) / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
