#!/usr/bin/env python3
"""The simulator's API as kubectl and raw HTTP clients see it: discovery,
CRUD and error shapes, patches, selectors, paging, watch, finalizers,
namespace deletion, dry run, apply, wait, delete, auth."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taplib import Sim, Tap  # noqa: E402

t = Tap()
setup = tempfile.mkdtemp(prefix="kubesim-api-")
with open(os.path.join(setup, "users.yaml"), "w") as f:
    f.write("tokens:\n  alice-token: {username: alice, groups: [dev]}\n"
            "certs:\n  kubesim-cert-user: {username: mapped-cert-user, groups: [ops]}\n")
with open(os.path.join(setup, "state.yaml"), "w") as f:
    f.write("""# initial objects
apiVersion: v1
kind: ConfigMap
metadata:
  name: seeded
  namespace: preloaded
data:
  text: |
    hello
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: default, namespace: argocd}
spec: {sourceRepos: ['*']}
""")
sim = Sim("--bookmark-interval", "0.3", "--history", "50",
          "--users", os.path.join(setup, "users.yaml"), "--state", os.path.join(setup, "state.yaml"))

APP = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
  namespace: argocd
  labels: {team: blue}
spec:
  project: default
  source: {repoURL: 'https://git.example.com/repo.git', path: guestbook, targetRevision: HEAD}
  destination: {server: 'https://kubernetes.default.svc', namespace: guestbook}
"""

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        env: [{name: A, value: "1"}]
        ports: [{containerPort: 80}]
      - name: side
        image: busybox
"""


def k(*args, **kw):
    return sim.kubectl(*args, **kw)


def cm(name, ns="default", labels=None, data=None, **meta):
    m = {"name": name, "namespace": ns}
    if labels:
        m["labels"] = labels
    m.update(meta)
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": m, "data": data or {}}


def discovery():
    code, v, _ = sim.request("GET", "/version", token=False)
    t.ok(code == 200 and v["gitVersion"].startswith("v1.32."), "/version is anonymous and reports v1.32")
    _, apis, _ = sim.request("GET", "/apis")
    names = [g["name"] for g in apis["groups"]]
    t.ok("argoproj.io" in names and "apps" in names, "/apis lists apps and argoproj.io")
    _, lst, _ = sim.request("GET", "/apis/argoproj.io/v1alpha1")
    by = {r["name"]: r for r in lst["resources"]}
    t.is_eq(by["applications"]["shortNames"], ["app", "apps"], "applications short names from the CRD")
    t.ok("rollouts/status" in by and by["rollouts/scale"]["kind"] == "Scale",
         "rollouts/status and rollouts/scale subresources are discovered")
    t.ok("applications/status" not in by, "applications have no status subresource (CRD has none)")
    t.is_eq(by["clusteranalysistemplates"]["namespaced"], False, "cluster-scoped CRD is not namespaced")
    code, _, _ = sim.request("GET", "/apis/nope.example.com/v1")
    t.is_eq(code, 404, "unknown group/version is 404")
    rc, out, err = k("api-resources")
    t.ok(rc == 0 and "rollouts" in out and "argoproj.io/v1alpha1" in out and "deployments" in out,
         "kubectl api-resources lists built-ins and CRDs")
    rc, out, _ = k("api-resources", "--api-group=argoproj.io", "-o", "name")
    t.ok("applications.argoproj.io" in out.split(), "kubectl api-resources --api-group")
    code, _, _ = sim.request("GET", "/openapi/v2")
    t.is_eq(code, 404, "/openapi/v2 answers 404 (kubectl falls back)")
    code, root, _ = sim.request("GET", "/openapi/v3")
    t.ok(code == 200 and "apis/argoproj.io/v1alpha1" in root["paths"], "/openapi/v3 lists group versions")


def apply_and_get():
    rc, out, err = k("create", "namespace", "team-a")
    t.ok(rc == 0 and "namespace/team-a created" in out, "kubectl create namespace (protobuf body)")
    rc, out, err = k("create", "configmap", "gen", "-n", "team-a", "--from-literal=k=v")
    _, o, _ = sim.request("GET", "/api/v1/namespaces/team-a/configmaps/gen")
    t.is_eq(o.get("data"), {"k": "v"}, "kubectl create configmap (protobuf body)")
    rc, out, err = k("apply", "-f", "-", input=APP)
    t.is_eq((rc, out.strip()), (0, "application.argoproj.io/guestbook created"), "kubectl apply creates")
    rc, out, err = k("apply", "-f", "-", input=APP)
    t.is_eq((rc, out.strip()), (0, "application.argoproj.io/guestbook unchanged"), "second apply is unchanged")
    rc, out, err = k("apply", "-f", "-", input=APP.replace("HEAD", "main"))
    t.is_eq((rc, out.strip()), (0, "application.argoproj.io/guestbook configured"), "changed apply is configured")
    rc, out, err = k("get", "apps", "-n", "argocd")
    lines = out.splitlines()
    t.ok(rc == 0 and lines[0].split() == ["NAME", "SYNC", "STATUS", "HEALTH", "STATUS"]
         and lines[1].split()[0] == "guestbook", "kubectl get apps prints the CRD printer columns")
    rc, out, _ = k("get", "app", "guestbook", "-n", "argocd", "-o", "wide")
    t.ok("PROJECT" in out and "default" in out, "-o wide shows priority columns")
    rc, out, _ = k("get", "app", "guestbook", "-n", "argocd", "-o", "json")
    obj = json.loads(out)
    ann = obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    t.ok(json.loads(ann)["spec"]["source"]["targetRevision"] == "main", "last-applied annotation is kept")
    t.ok(obj["metadata"]["generation"] == 2 and obj["metadata"]["uid"], "generation bumped by spec change; uid set")
    rc, out, _ = k("get", "applications.argoproj.io", "-A", "--show-labels")
    t.ok("argocd" in out and "team=blue" in out, "get -A --show-labels")
    rc, out, _ = k("get", "app", "guestbook", "-n", "argocd", "-o", "yaml")
    t.ok("kind: Application" in out and "resourceVersion:" in out, "-o yaml")
    rc, out, err = k("apply", "-f", "-", input=DEPLOY)
    t.is_eq(out.strip(), "deployment.apps/web created", "apply a Deployment")
    rc, out, err = k("apply", "-f", "-", input=DEPLOY.replace("nginx:1.25", "nginx:1.26"))
    t.is_eq(out.strip(), "deployment.apps/web configured", "apply a changed Deployment (strategic patch)")
    rc, out, _ = k("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[*].image}")
    t.is_eq(out, "nginx:1.26 busybox", "strategic apply kept both containers")


def crud_errors():
    code, obj, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("c1", data={"a": "1"}))
    t.ok(code == 201 and obj["metadata"]["resourceVersion"], "POST creates (201) with a resourceVersion")
    rv1 = obj["metadata"]["resourceVersion"]
    code, st, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("c1"))
    t.is_eq((code, st["reason"], st["message"]), (409, "AlreadyExists", 'configmaps "c1" already exists'),
            "duplicate create is 409 AlreadyExists")
    code, st, _ = sim.request("GET", "/api/v1/namespaces/default/configmaps/nope")
    t.is_eq((code, st["reason"], st["message"], st["details"]),
            (404, "NotFound", 'configmaps "nope" not found', {"name": "nope", "kind": "configmaps"}),
            "missing object is 404 NotFound with details")
    code, st, _ = sim.request("GET", "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/nope")
    t.is_eq(st["message"], 'applications.argoproj.io "nope" not found', "404 message names group resource")
    code, st, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("Bad_Name"))
    t.ok(code == 422 and st["reason"] == "Invalid"
         and st["message"].startswith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"')
         and st["details"]["causes"][0]["field"] == "metadata.name", "invalid name is 422 Invalid")
    code, st, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps", cm(""))
    t.ok(code == 422 and "Required value" in st["message"], "missing name is 422")
    code, st, _ = sim.request("POST", "/api/v1/namespaces/nowhere/configmaps", cm("x", ns="nowhere"))
    t.is_eq((code, st["message"]), (404, 'namespaces "nowhere" not found'), "create in a missing namespace is 404")
    code, st, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps", b"{not json")
    t.ok(code == 400 and st["reason"] == "BadRequest", "malformed body is 400")
    code, st, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps/c1", cm("c1"))
    t.ok(code == 405 and st["reason"] == "MethodNotAllowed", "POST on an item is 405")
    stale = cm("c1", data={"a": "2"}, resourceVersion=rv1)
    code, obj, _ = sim.request("PUT", "/api/v1/namespaces/default/configmaps/c1", stale)
    t.ok(code == 200 and obj["metadata"]["resourceVersion"] != rv1, "PUT with current RV updates")
    code, st, _ = sim.request("PUT", "/api/v1/namespaces/default/configmaps/c1", stale)
    t.is_eq((code, st["reason"], st["message"]), (409, "Conflict",
            'Operation cannot be fulfilled on configmaps "c1": the object has been modified; '
            "please apply your changes to the latest version and try again"), "stale RV is 409 Conflict")
    code, st, _ = sim.request("PUT", "/api/v1/namespaces/default/configmaps/c2", cm("c1"))
    t.is_eq(code, 400, "name mismatch between body and URL is 400")
    code, st, _ = sim.request("PATCH", "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/guestbook",
                              {"spec": {}}, ctype="application/strategic-merge-patch+json")
    t.is_eq((code, st["reason"]), (415, "UnsupportedMediaType"), "strategic merge patch on a CR is 415")
    code, st, _ = sim.request("GET", "/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(")
    t.is_eq(code, 400, "bad label selector is 400")
    code, st, _ = sim.request("GET", "/api/v1/namespaces/default/configmaps?fieldSelector=spec.x%3D1")
    t.ok(code == 400 and "field label not supported" in st["message"], "unsupported field selector is 400")
    rc, out, err = k("replace", "-f", "-", input=json.dumps(cm("c1", data={"r": "1"})))
    t.ok(rc == 0 and "replaced" in out, "kubectl replace")
    rc, out, err = k("create", "-f", "-", input=json.dumps(cm("c1")))
    t.ok(rc != 0 and 'configmaps "c1" already exists' in err, "kubectl create shows AlreadyExists")


def patches():
    base = "/api/v1/namespaces/default/configmaps/c1"
    code, obj, _ = sim.request("PATCH", base, {"data": {"m": "1", "r": None}}, ctype="application/merge-patch+json")
    t.is_eq(obj["data"], {"m": "1"}, "merge patch sets and removes keys")
    code, obj, _ = sim.request("PATCH", base, [{"op": "add", "path": "/data/j", "value": "2"}],
                               ctype="application/json-patch+json")
    t.is_eq(obj["data"], {"m": "1", "j": "2"}, "JSON patch add")
    code, st, _ = sim.request("PATCH", base, [{"op": "test", "path": "/data/j", "value": "9"}],
                              ctype="application/json-patch+json")
    t.is_eq((code, st["reason"]), (422, "Invalid"), "failing JSON patch test is 422")
    code, st, _ = sim.request("PATCH", base, {"metadata": {"resourceVersion": "1"}},
                              ctype="application/merge-patch+json")
    t.is_eq(code, 409, "resourceVersion in a merge patch is a precondition")
    code, st, _ = sim.request("PATCH", base, {"a": 1}, ctype="text/plain")
    t.is_eq(code, 415, "unknown patch content type is 415")
    rc, out, err = k("patch", "deploy", "web", "-p",
                     '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"B","value":"2"}]},'
                     '{"name":"side","$patch":"delete"}]}}}}')
    _, out, _ = k("get", "deploy", "web", "-o", "json")
    d = json.loads(out)
    cs = d["spec"]["template"]["spec"]["containers"]
    t.ok(len(cs) == 1 and [e["name"] for e in cs[0]["env"]] == ["A", "B"],
         "kubectl patch (strategic): env merged by name, $patch delete removes a container")
    rc, out, err = k("patch", "app", "guestbook", "-n", "argocd", "--type", "json",
                     "-p", '[{"op":"replace","path":"/spec/project","value":"other"}]')
    t.ok(rc == 0 and "patched" in out, "kubectl patch --type json on a CR")
    rc, out, err = k("patch", "app", "guestbook", "-n", "argocd", "--type", "merge",
                     "-p", '{"status":{"sync":{"status":"Synced"}}}')
    _, out, _ = k("get", "app", "guestbook", "-n", "argocd", "-o", "jsonpath={.status.sync.status}")
    t.is_eq(out, "Synced", "Application status is written through the main resource")
    rc, out, err = k("scale", "deploy", "web", "--replicas", "4")
    _, out, _ = k("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")
    t.is_eq(out, "4", "kubectl scale through /scale")
    gen = d["metadata"]["generation"]
    code, obj, _ = sim.request("PATCH", "/apis/apps/v1/namespaces/default/deployments/web/status",
                               {"status": {"readyReplicas": 4}, "spec": {"replicas": 9}},
                               ctype="application/merge-patch+json")
    t.ok(obj["status"]["readyReplicas"] == 4 and obj["spec"]["replicas"] == 4,
         "a /status write changes only status")
    code, obj, _ = sim.request("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
                               {"status": {"readyReplicas": 0}}, ctype="application/merge-patch+json")
    t.ok(obj["status"]["readyReplicas"] == 4 and obj["metadata"]["generation"] == gen + 1 - 1 + 1,
         "a main-resource write ignores status")
    rc, out, _ = k("label", "cm", "c1", "tier=front")
    rc2, out2, _ = k("annotate", "cm", "c1", "note=hi")
    _, out, _ = k("get", "cm", "c1", "-o", "json")
    o = json.loads(out)["metadata"]
    t.ok(rc == 0 and rc2 == 0 and o["labels"] == {"tier": "front"} and o["annotations"]["note"] == "hi",
         "kubectl label and annotate")


def selectors_and_paging():
    for i in range(7):
        sim.request("POST", "/api/v1/namespaces/default/configmaps",
                    cm("p%d" % i, labels={"set": "paged", "n": str(i), **({"odd": "y"} if i % 2 else {})}))
    q = "/api/v1/namespaces/default/configmaps?labelSelector="
    def names(sel):
        _, lst, _ = sim.request("GET", q + sel)
        return [i["metadata"]["name"] for i in lst["items"]]
    t.is_eq(names("set%3Dpaged,odd"), ["p1", "p3", "p5"], "label selector: = and exists")
    t.is_eq(names("set%3D%3Dpaged,!odd,n%20notin%20(0,2)"), ["p4", "p6"], "label selector: ==, !key, notin")
    t.is_eq(names("n%20in%20(1,2),set!%3Dother"), ["p1", "p2"], "label selector: in, !=")
    _, lst, _ = sim.request("GET", "/api/v1/configmaps?fieldSelector=metadata.name%3Dp3")
    t.is_eq([i["metadata"]["name"] for i in lst["items"]], ["p3"], "field selector metadata.name across namespaces")
    _, lst, _ = sim.request("GET", "/api/v1/configmaps?fieldSelector=metadata.namespace!%3Ddefault")
    t.ok(all(i["metadata"]["namespace"] != "default" for i in lst["items"]), "field selector metadata.namespace!=")
    got, cont, rvs = [], "", set()
    while True:
        _, page, _ = sim.request("GET", q + "set%3Dpaged&limit=3" + ("&continue=" + cont if cont else ""))
        got += [i["metadata"]["name"] for i in page["items"]]
        rvs.add(page["metadata"]["resourceVersion"])
        cont = page["metadata"].get("continue")
        if not cont:
            break
    t.ok(got == ["p%d" % i for i in range(7)] and len(rvs) == 1, "limit/continue pages through all items at one RV")
    _, page, _ = sim.request("GET", q + "set%3Dpaged&limit=2")
    t.is_eq(page["metadata"].get("remainingItemCount"), 5, "remainingItemCount")
    for i in range(60):   # beyond the 50-event history window
        sim.request("PATCH", "/api/v1/namespaces/default/configmaps/p0", {"data": {"i": str(i)}},
                    ctype="application/merge-patch+json")
    code, st, _ = sim.request("GET", q + "set%3Dpaged&limit=2&continue=" + page["metadata"]["continue"])
    t.is_eq((code, st.get("reason")), (410, "Expired"), "a continue token older than the history is 410 Expired")
    rc, out, err = k("get", "cm", "-l", "set=paged", "--chunk-size=2", "-o", "name")
    t.is_eq(len(out.split()), 7, "kubectl get --chunk-size pages")


def read_events(resp, n, timeout=10):
    out = []
    end = time.time() + timeout
    while len(out) < n and time.time() < end:
        line = resp.readline()
        if not line:
            break
        out.append(json.loads(line))
    return out


def watches():
    _, lst, _ = sim.request("GET", "/api/v1/namespaces/default/configmaps?labelSelector=w%3D1")
    rv = lst["metadata"]["resourceVersion"]
    resp = sim.open("GET", "/api/v1/namespaces/default/configmaps?watch=1&labelSelector=w%3D1"
                    "&allowWatchBookmarks=true&resourceVersion=" + rv)
    sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("w1", labels={"w": "1"}))
    sim.request("PATCH", "/api/v1/namespaces/default/configmaps/w1", {"data": {"x": "y"}},
                ctype="application/merge-patch+json")
    sim.request("PATCH", "/api/v1/namespaces/default/configmaps/w1", {"metadata": {"labels": {"w": "2"}}},
                ctype="application/merge-patch+json")
    sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("w-other"))
    evs = read_events(resp, 4)
    types = [e["type"] for e in evs]
    t.is_eq(types[:3], ["ADDED", "MODIFIED", "DELETED"],
            "watch: ADDED, MODIFIED, and DELETED when the object leaves the selector")
    t.ok(len(evs) == 4 and evs[3]["type"] == "BOOKMARK" and evs[3]["object"]["kind"] == "ConfigMap"
         and int(evs[3]["object"]["metadata"]["resourceVersion"]) >= int(evs[2]["object"]["metadata"]["resourceVersion"]),
         "watch: BOOKMARK with the current resourceVersion when allowWatchBookmarks")
    resp.close()
    resp = sim.open("GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + rv)
    evs = read_events(resp, 2)
    t.ok([e["type"] for e in evs] == ["ADDED", "MODIFIED"] and evs[0]["object"]["metadata"]["name"] == "w1",
         "watch from a resourceVersion replays history")
    resp.close()
    t0 = time.time()
    resp = sim.open("GET", "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dnone")
    resp.read()
    t.ok(time.time() - t0 < 5, "watch ends after timeoutSeconds")
    code, c, _ = sim.request("POST", "/kubesim/compact")
    t.is_eq(code, 200, "compaction debug endpoint")
    resp = sim.open("GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + rv)
    evs = read_events(resp, 1)
    t.ok(evs and evs[0]["type"] == "ERROR" and evs[0]["object"]["code"] == 410
         and evs[0]["object"]["reason"] == "Expired" and "too old resource version" in evs[0]["object"]["message"],
         "watch from a compacted resourceVersion gets an ERROR 410 event")
    resp.close()
    # kubectl get -w (Table watch)
    sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("kw", labels={"kw": "1"}))
    p = subprocess.Popen(["kubectl", "--kubeconfig", sim.kubeconfig, "get", "cm", "-l", "kw=1", "-w"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=sim.env)
    guard = threading.Timer(20, p.kill)   # never hang the suite on a silent watch
    guard.start()
    lines = [p.stdout.readline(), p.stdout.readline()]
    sim.request("PATCH", "/api/v1/namespaces/default/configmaps/kw", {"data": {"a": "b"}},
                ctype="application/merge-patch+json")
    lines.append(p.stdout.readline())
    guard.cancel()
    p.terminate()
    p.wait()
    p.stdout.close()
    t.ok(lines[0].split()[:2] == ["NAME", "DATA"] and lines[1].split()[:2] == ["kw", "0"]
         and lines[2].split()[:2] == ["kw", "1"], "kubectl get -w prints rows as they change") or t.diag(repr(lines))


def finalizers_and_deletion():
    sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("f1", finalizers=["example.com/hold"]))
    code, obj, _ = sim.request("DELETE", "/api/v1/namespaces/default/configmaps/f1")
    t.ok(code == 200 and obj["metadata"].get("deletionTimestamp"), "delete with finalizers sets deletionTimestamp")
    code, st, _ = sim.request("PATCH", "/api/v1/namespaces/default/configmaps/f1",
                              {"metadata": {"finalizers": ["example.com/hold", "new"]}},
                              ctype="application/merge-patch+json")
    t.is_eq(code, 422, "no new finalizers on an object being deleted")
    done = {}

    def release():
        time.sleep(0.5)
        sim.request("PATCH", "/api/v1/namespaces/default/configmaps/f1",
                    [{"op": "remove", "path": "/metadata/finalizers"}], ctype="application/json-patch+json")
        done["t"] = time.time()
    th = threading.Thread(target=release)
    th.start()
    rc, out, err = k("delete", "cm", "f1", "--timeout=10s")
    finished = time.time()
    th.join()
    t.ok(rc == 0 and "t" in done and finished >= done["t"], "kubectl delete --wait waits for the finalizer")
    if rc or "t" not in done:
        t.diag("%s %r %r %r" % (rc, out, err, done))
    code, _, _ = sim.request("GET", "/api/v1/namespaces/default/configmaps/f1")
    t.is_eq(code, 404, "removing the last finalizer removes the object")
    # garbage collection
    _, owner, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("owner"))
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
    sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("dep1", ownerReferences=[ref]))
    sim.request("DELETE", "/api/v1/namespaces/default/configmaps/owner")
    gone = False
    for _ in range(50):
        if sim.request("GET", "/api/v1/namespaces/default/configmaps/dep1")[0] == 404:
            gone = True
            break
        time.sleep(0.05)
    t.ok(gone, "background propagation deletes dependents")
    _, owner, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("owner2"))
    ref["uid"], ref["name"] = owner["metadata"]["uid"], "owner2"
    sim.request("POST", "/api/v1/namespaces/default/configmaps", cm("dep2", ownerReferences=[ref]))
    sim.request("DELETE", "/api/v1/namespaces/default/configmaps/owner2?propagationPolicy=Orphan")
    for _ in range(50):
        code, o, _ = sim.request("GET", "/api/v1/namespaces/default/configmaps/dep2")
        if not o["metadata"].get("ownerReferences") and sim.request(
                "GET", "/api/v1/namespaces/default/configmaps/owner2")[0] == 404:
            break
        time.sleep(0.05)
    t.ok(code == 200 and not o["metadata"].get("ownerReferences"), "orphan propagation keeps dependents, drops the reference")
    # namespace deletion
    k("create", "namespace", "doomed")
    sim.request("POST", "/api/v1/namespaces/doomed/configmaps", cm("a", ns="doomed"))
    sim.request("POST", "/api/v1/namespaces/doomed/configmaps", cm("b", ns="doomed", finalizers=["x/y"]))
    code, nso, _ = sim.request("DELETE", "/api/v1/namespaces/doomed")
    t.is_eq(nso["status"]["phase"], "Terminating", "deleting a namespace makes it Terminating")
    time.sleep(0.3)
    code, st, _ = sim.request("POST", "/api/v1/namespaces/doomed/configmaps", cm("c", ns="doomed"))
    t.ok(code == 403 and "being terminated" in st["message"], "no new content in a terminating namespace")
    t.is_eq(sim.request("GET", "/api/v1/namespaces/doomed/configmaps/a")[0], 404, "namespace content is deleted")
    t.is_eq(sim.request("GET", "/api/v1/namespaces/doomed")[0], 200, "namespace waits for content with finalizers")
    sim.request("PATCH", "/api/v1/namespaces/doomed/configmaps/b", {"metadata": {"finalizers": None}},
                ctype="application/merge-patch+json")
    rc, out, err = k("wait", "--for=delete", "namespace/doomed", "--timeout=10s")
    t.ok(rc == 0, "namespace goes away once empty (kubectl wait --for=delete)")


def dry_run_and_wait():
    code, obj, _ = sim.request("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", cm("dry"))
    t.ok(code == 201 and sim.request("GET", "/api/v1/namespaces/default/configmaps/dry")[0] == 404,
         "dryRun=All create stores nothing")
    rc, out, err = k("delete", "cm", "c1", "--dry-run=server")
    t.ok(rc == 0 and sim.request("GET", "/api/v1/namespaces/default/configmaps/c1")[0] == 200,
         "kubectl delete --dry-run=server keeps the object")
    rc, out, err = k("annotate", "cm", "c1", "dry=run", "--dry-run=server")
    _, o, _ = sim.request("GET", "/api/v1/namespaces/default/configmaps/c1")
    t.ok(rc == 0 and "dry" not in o["metadata"].get("annotations", {}), "dry-run patch stores nothing")
    sim.request("POST", "/api/v1/namespaces/default/pods", {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}})

    def later():
        time.sleep(0.5)
        sim.request("PATCH", "/api/v1/namespaces/default/pods/p1/status",
                    {"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}},
                    ctype="application/merge-patch+json")
    th = threading.Thread(target=later)
    th.start()
    rc, out, err = k("wait", "--for=condition=Ready", "pod/p1", "--timeout=10s")
    th.join()
    t.ok(rc == 0 and "condition met" in out, "kubectl wait --for=condition")
    rc, out, err = k("wait", "--for=jsonpath={.status.phase}=Running", "pod/p1", "--timeout=10s")
    t.ok(rc == 0 and "condition met" in out, "kubectl wait --for=jsonpath")
    rc, out, err = k("wait", "--for=condition=Ready", "cm/c1", "--timeout=1s")
    t.ok(rc != 0, "kubectl wait times out when the condition never holds")
    rc, out, err = k("delete", "pod", "p1")
    t.ok(rc == 0 and 'pod "p1" deleted' in out, "kubectl delete")


def auth():
    rc, out, err = k("auth", "whoami", "-o", "json")
    t.is_eq(json.loads(out)["status"]["userInfo"]["username"] if rc == 0 else err, "kubernetes-admin",
            "auth whoami: token user")
    rc, out, err = k("auth", "whoami", "-o", "json", context="kubesim-cert")
    ui = json.loads(out)["status"]["userInfo"] if rc == 0 else {}
    t.ok(ui.get("username") == "mapped-cert-user" and "ops" in ui.get("groups", []),
         "auth whoami: client certificate user mapped by --users")
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    code, r, _ = sim.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", review, token="alice-token")
    t.is_eq(r["status"]["userInfo"], {"username": "alice", "groups": ["dev", "system:authenticated"]},
            "--users token maps to its user and groups")
    code, st, _ = sim.request("GET", "/api/v1/namespaces", token="wrong")
    t.is_eq((code, st["reason"]), (401, "Unauthorized"), "a wrong token is 401")
    code, _, _ = sim.request("GET", "/api/v1/namespaces", token=False, cert=True)
    t.is_eq(code, 200, "client certificate authenticates")
    with open(sim.request_log) as f:
        log = f.read()
    t.ok('"user":"kubernetes-admin"' in log and sim.token not in log, "request log names users, never tokens")


def state():
    _, o, _ = sim.request("GET", "/api/v1/namespaces/preloaded/configmaps/seeded")
    t.is_eq(o.get("data"), {"text": "hello\n"}, "--state YAML objects are loaded (namespace created)")
    rc, out, _ = k("get", "appproj", "-n", "argocd", "-o", "name")
    t.is_eq(out.strip(), "appproject.argoproj.io/default", "--state custom resources are loaded")


for name, fn in [("state", state), ("discovery", discovery), ("apply", apply_and_get), ("crud", crud_errors),
                 ("patches", patches), ("selectors", selectors_and_paging), ("watch", watches),
                 ("deletion", finalizers_and_deletion), ("dryrun", dry_run_and_wait), ("auth", auth)]:
    t.run(name, fn)
sim.close()
t.is_eq(sim.proc.returncode, 0, "SIGTERM stops the simulator cleanly")
shutil.rmtree(setup, ignore_errors=True)
sys.exit(t.done())
