#!/usr/bin/env python3
"""Benchmark (not a test): a simulator holding 2,000 Applications among
20,000 objects; times LISTs of the 2,000 Applications over HTTPS.

    tests/kubesim/bench.py [--apps 2000] [--objects 20000] [--rounds 5]

Prints one line per figure; the target for the Application LIST is < 0.5 s.
"""

import argparse
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from taplib import Sim  # noqa: E402


def app(i):
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "app-%04d" % i, "namespace": "argocd",
                         "labels": {"team": "t%d" % (i % 10)},
                         "annotations": {"note": "bench object %d" % i}},
            "spec": {"project": "default",
                     "source": {"repoURL": "https://git.example.com/org/repo-%d.git" % (i % 50),
                                "path": "apps/app-%04d" % i, "targetRevision": "main"},
                     "destination": {"server": "https://kubernetes.default.svc",
                                     "namespace": "ns-%d" % (i % 100)},
                     "syncPolicy": {"automated": {"prune": True, "selfHeal": True},
                                    "syncOptions": ["CreateNamespace=true"]}},
            "status": {"sync": {"status": "Synced", "revision": "%040x" % i},
                       "health": {"status": "Healthy"},
                       "resources": [{"kind": "Deployment", "name": "app-%04d" % i, "namespace": "ns-%d" % (i % 100),
                                      "status": "Synced", "health": {"status": "Healthy"}}]}}


def other(i):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cm-%05d" % i, "namespace": "ns-%d" % (i % 100), "labels": {"bench": "yes"}},
            "data": {"key": "value %d" % i, "more": "x" * 64}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--apps", type=int, default=2000)
    ap.add_argument("--objects", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kubesim-bench-")
    state = os.path.join(tmp, "state.json")
    objs = [app(i) for i in range(args.apps)] + [other(i) for i in range(args.objects - args.apps)]
    with open(state, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": objs}, f)
    t0 = time.time()
    sim = Sim("--state", state, timeout=120)
    print("startup with %d objects: %.2f s" % (args.objects, time.time() - t0))
    try:
        path = "/apis/argoproj.io/v1alpha1/applications"
        best = None
        for _ in range(args.rounds):
            t0 = time.time()
            code, body, _ = sim.request("GET", path)
            dt = time.time() - t0
            assert code == 200 and len(body["items"]) == args.apps, (code, len(body.get("items", [])))
            best = dt if best is None else min(best, dt)
        print("LIST %d Applications (JSON, all namespaces): best %.3f s of %d (target < 0.5 s)"
              % (args.apps, best, args.rounds))
        t0 = time.time()
        code, body, _ = sim.request("GET", "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications",
                                    headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
        print("LIST %d Applications as a Table: %.3f s" % (len(body["rows"]), time.time() - t0))
        t0 = time.time()
        code, body, _ = sim.request("GET", path + "?labelSelector=team%3Dt3")
        print("LIST with a label selector (%d items): %.3f s" % (len(body["items"]), time.time() - t0))
        t0 = time.time()
        rc, out, err = sim.kubectl("get", "applications.argoproj.io", "-A", "--no-headers")
        print("kubectl get apps -A (%d lines, includes process start): %.3f s"
              % (len(out.splitlines()), time.time() - t0))
    finally:
        sim.close()
        os.unlink(state)
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
