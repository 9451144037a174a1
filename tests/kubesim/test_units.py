#!/usr/bin/env python3
"""Unit tests of the simulator's pure modules: the YAML reader, patches,
selectors, printer-column JSONPath, durations, and the in-process Store API
the controllers use."""

import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import patch  # noqa: E402
import resources  # noqa: E402
import labelsel  # noqa: E402
import store as storemod  # noqa: E402
import yamlmini  # noqa: E402
from taplib import Tap  # noqa: E402

t = Tap()
CRDS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "shared", "crds")
U = {"username": "tester", "groups": ["system:authenticated"]}


def yaml_cases():
    cases = [
        ("a: 1\nb: two\nc: true\nd: null\ne: 1.5\nf: '010'\ng: 0x1f\nh: ~\ni: yes\n",
         {"a": 1, "b": "two", "c": True, "d": None, "e": 1.5, "f": "010", "g": 31, "h": None, "i": True},
         "scalars resolve like YAML 1.1"),
        ("l:\n- a\n- b: 1\n  c: 2\n-   - x\n    - y\n", {"l": ["a", {"b": 1, "c": 2}, ["x", "y"]]},
         "sequences: scalars, maps and nested sequences on the dash line"),
        ("k:\n- 1\n- 2\nn: 3\n", {"k": [1, 2], "n": 3}, "sequence at the same indent as its key"),
        ("s: |\n  line1\n   indented\n\n  last\nt: >-\n  folded\n  text\n\n  para\n",
         {"s": "line1\n indented\n\nlast\n", "t": "folded text\npara"}, "literal and folded block scalars"),
        ("a: |+\n  keep\n\nb: |-\n  strip\n", {"a": "keep\n\n", "b": "strip"}, "block chomping keep/strip"),
        ('q: "a\\tb \\"c\\" \\u00e9"\nr: \'it\'\'s\'\n', {"q": 'a\tb "c" \u00e9', "r": "it's"}, "quoted scalars"),
        ("f: {a: 1, b: [x, 'y, z'], c: {}}\ng: []\n", {"f": {"a": 1, "b": ["x", "y, z"], "c": {}}, "g": []},
         "flow collections"),
        ("f: [a,\n  b]\n", {"f": ["a", "b"]}, "flow collection over lines"),
        ("# c\na: b # trailing\nurl: http://x/#frag\n", {"a": "b", "url": "http://x/#frag"}, "comments"),
        ("d: this is\n  folded plain\n\n  text\n", {"d": "this is folded plain\ntext"}, "multi-line plain scalar"),
        ("'quoted key': 1\n\"k2\": 2\n", {"quoted key": 1, "k2": 2}, "quoted keys"),
        ("a:\nb: 1\n", {"a": None, "b": 1}, "empty value is null"),
    ]
    for text, want, name in cases:
        try:
            got = yamlmini.load(text)
        except yamlmini.YamlError as e:
            got = "error: %s" % e
        t.is_eq(got, want, "yaml: " + name)
    t.is_eq(yamlmini.load_all("---\na: 1\n---\n# only a comment\n---\nb: 2\n...\n"), [{"a": 1}, {"b": 2}],
            "yaml: multi-document, empty documents dropped")
    for bad, name in (("a: &x 1\nb: *x\n", "anchors"), ("a: [1, 2\n", "unterminated flow"),
                      ("a: 1\n b: 2\n  - c\n", "bad indentation"), ("x: !python/object 1\n", "unsafe tag")):
        try:
            yamlmini.load(bad)
            t.ok(False, "yaml: %s rejected" % name)
        except yamlmini.YamlError:
            t.ok(True, "yaml: %s rejected" % name)
    reg = resources.Registry()
    crds = reg.load_crd_dir(CRDS)
    t.is_eq(len(crds), 8, "yaml: the upstream CRDs load")
    app = reg.get("applications.argoproj.io")
    t.ok(app is not None and app.short_names == ["app", "apps"] and app.namespaced and not app.subresources,
         "CRD: Application names, scope, no subresources")
    ro = reg.get("rollouts.argoproj.io")
    t.is_eq(ro.subresources.get("scale", {}).get("statusReplicasPath"), ".status.HPAReplicas",
            "CRD: Rollout scale subresource paths")


def patch_cases():
    t.is_eq(patch.merge_patch({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"b": None, "d": 3}, "l": [2]}),
            {"a": {"c": 2, "d": 3}, "l": [2]}, "merge patch: null deletes, lists replace")
    doc = {"a": [1, 2], "m": {"k~/": 1}}
    t.is_eq(patch.json_patch(doc, [{"op": "add", "path": "/a/1", "value": 9},
                                   {"op": "move", "from": "/m/k~0~1", "path": "/n"},
                                   {"op": "copy", "from": "/a/0", "path": "/a/-"},
                                   {"op": "test", "path": "/n", "value": 1}]),
            {"a": [1, 9, 2, 1], "m": {}, "n": 1}, "json patch: add, move, copy, test, ~ escapes")
    t.is_eq(doc, {"a": [1, 2], "m": {"k~/": 1}}, "json patch leaves its input alone")
    for ops, code, name in (([{"op": "test", "path": "/a/0", "value": 5}], 422, "failing test"),
                            ([{"op": "remove", "path": "/zz"}], 422, "remove missing key"),
                            ([{"op": "replace", "path": "/a/7", "value": 1}], 422, "index out of range"),
                            ({"op": "add"}, 400, "not a list"), ([{"op": "frob", "path": "/a"}], 400, "unknown op")):
        try:
            patch.json_patch(doc, ops)
            t.ok(False, "json patch: %s fails" % name)
        except patch.PatchError as e:
            t.is_eq(e.code, code, "json patch: %s is %d" % (name, code))
    dep = {"spec": {"template": {"spec": {
        "containers": [{"name": "a", "image": "x", "env": [{"name": "E", "value": "1"}],
                        "ports": [{"containerPort": 80}], "volumeMounts": [{"mountPath": "/d", "name": "v"}]},
                       {"name": "b", "image": "y"}],
        "volumes": [{"name": "v", "emptyDir": {}}], "tolerations": [{"key": "t"}]}}},
        "metadata": {"finalizers": ["f1"]}}
    p = {"spec": {"template": {"spec": {
        "containers": [{"name": "a", "env": [{"name": "F", "value": "2"}, {"name": "E", "$patch": "delete"}],
                        "ports": [{"containerPort": 443}]},
                       {"name": "c", "image": "z"}],
        "tolerations": [{"key": "u"}]}}},
        "metadata": {"finalizers": ["f2"]}}
    out = patch.strategic_merge_patch(dep, p, "Deployment")
    cs = out["spec"]["template"]["spec"]["containers"]
    t.is_eq([c["name"] for c in cs], ["a", "b", "c"], "strategic: containers merged by name")
    t.is_eq(cs[0]["env"], [{"name": "F", "value": "2"}], "strategic: env by name, $patch delete")
    t.is_eq([x["containerPort"] for x in cs[0]["ports"]], [80, 443], "strategic: ports by containerPort")
    t.is_eq(out["spec"]["template"]["spec"]["tolerations"], [{"key": "u"}], "strategic: lists without key replace")
    t.is_eq(out["metadata"]["finalizers"], ["f1", "f2"], "strategic: finalizers merge as a set")
    out = patch.strategic_merge_patch(dep, {"spec": {"template": {"spec": {"$patch": "replace", "containers": []}}}},
                                      "Deployment")
    t.is_eq(out["spec"]["template"]["spec"], {"containers": []}, "strategic: $patch replace on a map")
    svc = {"spec": {"ports": [{"port": 80, "name": "http"}]}}
    out = patch.strategic_merge_patch(svc, {"spec": {"ports": [{"port": 80, "targetPort": 8080}]}}, "Service")
    t.is_eq(out["spec"]["ports"], [{"port": 80, "name": "http", "targetPort": 8080}], "strategic: service ports by port")
    out = patch.strategic_merge_patch({"m": {"a": 1, "b": 2}}, {"m": {"$retainKeys": ["a", "c"], "c": 3}}, "X")
    t.is_eq(out, {"m": {"a": 1, "c": 3}}, "strategic: $retainKeys")


def selector_cases():
    labels = {"app": "web", "tier": "front", "n": "5"}
    for sel, want in (("app=web", True), ("app==web,tier!=back", True), ("app in (web, db)", True),
                      ("app notin (web)", False), ("missing!=x", True), ("missing", False), ("!missing", True),
                      ("app,!tier", False), ("n>4", True), ("n<5", False), ("", True),
                      ("missing notin (a)", True), ("missing in (a)", False)):
        t.is_eq(labelsel.parse_label_selector(sel)(labels), want, "label selector %r" % sel)
    for bad in ("app in (", "a b", "a=b=c!", "-bad=1", "x in (a b)"):
        try:
            labelsel.parse_label_selector(bad)
            t.ok(False, "label selector %r rejected" % bad)
        except labelsel.SelectorError:
            t.ok(True, "label selector %r rejected" % bad)
    s = labelsel.label_selector_from_dict({"matchLabels": {"app": "web"},
                                            "matchExpressions": [{"key": "tier", "operator": "NotIn",
                                                                  "values": ["back"]}]})
    t.ok(s(labels) and not s({"app": "web", "tier": "back"}), "LabelSelector dict: matchLabels + NotIn")
    t.ok(not labelsel.label_selector_from_dict(None)(labels), "nil LabelSelector matches nothing")
    t.ok(labelsel.label_selector_from_dict({})(labels), "empty LabelSelector matches everything")
    obj = {"metadata": {"name": "a", "namespace": "ns"}}
    t.ok(labelsel.parse_field_selector("metadata.name=a,metadata.namespace!=x")(obj), "field selector = and !=")
    try:
        labelsel.parse_field_selector("spec.foo=1")
        t.ok(False, "unsupported field rejected")
    except labelsel.SelectorError as e:
        t.like(str(e), "field label not supported: spec.foo", "unsupported field rejected")
    import subprocess
    t.is_eq(subprocess.run(["true"]).returncode, 0, "the stdlib selectors module still works (subprocess)")


def column_cases():
    steps = resources.compile_jsonpath('.status.conditions[?(@.type=="Ready")].status')
    obj = {"status": {"conditions": [{"type": "A", "status": "x"}, {"type": "Ready", "status": "True"}]}}
    t.is_eq(resources.eval_jsonpath(steps, obj), ["True"], "jsonpath filter")
    t.is_eq(resources.eval_jsonpath(resources.compile_jsonpath(".a[1].b"), {"a": [{}, {"b": 2}]}), [2], "jsonpath index")
    for secs, want in ((5, "5s"), (130, "2m10s"), (600, "10m"), (3 * 3600 + 60, "3h1m"), (30 * 3600, "30h"),
                       (3 * 86400 + 3600, "3d1h"), (400 * 86400, "400d"), (3 * 365 * 86400, "3y")):
        t.is_eq(resources.human_duration(secs), want, "human duration %ds" % secs)


def store_cases():
    reg = resources.Registry()
    st = storemod.Store(reg)
    st.load_objects(reg.load_crd_dir(CRDS))
    seen = []
    st.subscribe(lambda typ, obj: seen.append((typ, obj["metadata"]["name"], obj["metadata"]["resourceVersion"])))
    st.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "argocd"}}, U)
    app = st.create({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                     "metadata": {"name": "a", "namespace": "argocd"}, "spec": {"project": "p"}}, U)
    t.is_eq(st.resource_for("argoproj.io/v1alpha1", "Application"), "applications.argoproj.io", "resource_for")
    t.is_eq(st.resource_for("apps/v1", "Deployment"), "deployments.apps", "resource_for built-in")
    got = st.get("applications.argoproj.io", "argocd", "a")
    got["spec"]["project"] = "changed"
    t.is_eq(st.get("applications.argoproj.io", "argocd", "a")["spec"]["project"], "p", "get returns a copy")
    app["status"] = {"health": {"status": "Healthy"}}
    up = st.update(app, U)
    t.is_eq(up["metadata"]["generation"], 2, "status change bumps generation without a status subresource")
    try:
        st.update(app, U)
        t.ok(False, "stale update conflicts")
    except storemod.ApiError as e:
        t.is_eq((e.code, e.reason), (409, "Conflict"), "stale update conflicts")
    ro = st.create({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                    "metadata": {"name": "r", "namespace": "argocd"}, "spec": {"replicas": 1},
                    "status": {"phase": "ignored"}}, U)
    t.ok("status" not in ro, "status dropped on create with a status subresource")
    ro2 = st.patch("rollouts.argoproj.io", "argocd", "r", "merge", {"status": {"phase": "Healthy"}, "spec": {"replicas": 5}},
                   U, subresource="status")
    t.ok(ro2["status"]["phase"] == "Healthy" and ro2["spec"]["replicas"] == 1 and ro2["metadata"]["generation"] == 1,
         "/status patch changes status only, no generation bump")
    ro3 = st.patch("rollouts.argoproj.io", "argocd", "r", "merge", {"status": {"phase": "x"}, "spec": {"replicas": 2}}, U)
    t.ok(ro3["status"]["phase"] == "Healthy" and ro3["metadata"]["generation"] == 2, "main write ignores status")
    lst = st.list("applications.argoproj.io", "argocd")
    t.is_eq([a["metadata"]["name"] for a in lst], ["a"], "list")
    t.is_eq(st.list("applications.argoproj.io", None, "x=y"), [], "list with a label selector")
    t.is_eq(st.delete("applications.argoproj.io", "argocd", "a", U)["metadata"]["name"], "a", "delete returns the object")
    t.is_eq(st.get("applications.argoproj.io", "argocd", "a"), None, "deleted object is gone")
    rvs = [int(rv) for _, _, rv in seen]
    t.ok([x[0] for x in seen][:2] == ["ADDED", "ADDED"] and seen[-1][0] == "DELETED" and rvs == sorted(rvs),
         "subscribers see events in commit order")
    # subscribers run outside the store lock: one may write from its callback
    hits = []

    def writer(typ, obj):
        if typ == "ADDED" and obj["metadata"]["name"] == "trigger":
            hits.append(st.create({"apiVersion": "v1", "kind": "ConfigMap",
                                   "metadata": {"name": "echo", "namespace": "argocd"}}, U)["metadata"]["name"])
    st.subscribe(writer)
    th = threading.Thread(target=lambda: st.create({"apiVersion": "v1", "kind": "ConfigMap",
                                                    "metadata": {"name": "trigger", "namespace": "argocd"}}, U))
    th.start()
    th.join(5)
    t.ok(not th.is_alive() and hits == ["echo"], "a subscriber may write to the store")
    try:
        st.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, U)
        t.ok(False, "namespaced create without a namespace fails")
    except storemod.ApiError as e:
        t.is_eq(e.code, 400, "namespaced create without a namespace fails")
    st.stop()


for name, fn in (("yaml", yaml_cases), ("patch", patch_cases), ("selectors", selector_cases),
                 ("columns", column_cases), ("store", store_cases)):
    t.run(name, fn)
sys.exit(t.done())
