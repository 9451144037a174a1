"""Decode the Kubernetes protobuf encoding for the few kinds kubectl sends
that way.

kubectl's generator commands (`kubectl create namespace|configmap|secret|
serviceaccount|deployment|service`, `kubectl auth whoami`) use typed
clients, which POST `application/vnd.kubernetes.protobuf` bodies.  This
module turns such a body into the JSON object the same request would carry:

    decode(body_bytes) -> dict          raises ProtoError

Only the messages in SCHEMA are known (field numbers from k8s.io/api
generated.proto); unknown fields are skipped.  Fields are emitted the way
the JSON encoding would: empty strings, zero numbers and false of non-pointer
fields are omitted; pointer fields (marked '?') keep zero values.
"""

import base64

MAGIC = b"k8s\x00"


class ProtoError(ValueError):
    pass


# name -> {field number: (json name, type)}
# types: s string, b bytes, i int, u bool, m:Msg message, ios IntOrString,
# map:s / map:b maps; '*' prefix = repeated; '?' suffix = pointer (keep zero)
SCHEMA = {
    "Unknown": {1: ("typeMeta", "m:TypeMeta"), 2: ("raw", "b"), 3: ("contentEncoding", "s"),
                4: ("contentType", "s")},
    "TypeMeta": {1: ("apiVersion", "s"), 2: ("kind", "s")},
    "Time": {1: ("seconds", "i"), 2: ("nanos", "i")},
    "ObjectMeta": {1: ("name", "s"), 2: ("generateName", "s"), 3: ("namespace", "s"),
                   4: ("selfLink", "s"), 5: ("uid", "s"), 6: ("resourceVersion", "s"),
                   7: ("generation", "i"), 8: ("creationTimestamp", "m:Time"),
                   9: ("deletionTimestamp", "m:Time"), 10: ("deletionGracePeriodSeconds", "i?"),
                   11: ("labels", "map:s"), 12: ("annotations", "map:s"),
                   13: ("ownerReferences", "*m:OwnerReference"), 14: ("finalizers", "*s")},
    "OwnerReference": {1: ("kind", "s"), 3: ("name", "s"), 4: ("uid", "s"), 5: ("apiVersion", "s"),
                       6: ("controller", "u?"), 7: ("blockOwnerDeletion", "u?")},
    "LabelSelector": {1: ("matchLabels", "map:s"),
                      2: ("matchExpressions", "*m:LabelSelectorRequirement")},
    "LabelSelectorRequirement": {1: ("key", "s"), 2: ("operator", "s"), 3: ("values", "*s")},
    "Namespace": {1: ("metadata", "m:ObjectMeta"), 2: ("spec", "m:NamespaceSpec"),
                  3: ("status", "m:NamespaceStatus")},
    "NamespaceSpec": {1: ("finalizers", "*s")},
    "NamespaceStatus": {1: ("phase", "s")},
    "ConfigMap": {1: ("metadata", "m:ObjectMeta"), 2: ("data", "map:s"), 3: ("binaryData", "map:b"),
                  4: ("immutable", "u?")},
    "Secret": {1: ("metadata", "m:ObjectMeta"), 2: ("data", "map:b"), 3: ("type", "s"),
               4: ("stringData", "map:s"), 5: ("immutable", "u?")},
    "ServiceAccount": {1: ("metadata", "m:ObjectMeta"), 2: ("secrets", "*m:ObjectReference"),
                       3: ("imagePullSecrets", "*m:LocalObjectReference"),
                       4: ("automountServiceAccountToken", "u?")},
    "ObjectReference": {1: ("kind", "s"), 2: ("namespace", "s"), 3: ("name", "s"), 4: ("uid", "s"),
                        5: ("apiVersion", "s"), 6: ("resourceVersion", "s"), 7: ("fieldPath", "s")},
    "LocalObjectReference": {1: ("name", "s")},
    "SelfSubjectReview": {1: ("metadata", "m:ObjectMeta"), 2: ("status", "m:Empty")},
    "Empty": {},
    "Service": {1: ("metadata", "m:ObjectMeta"), 2: ("spec", "m:ServiceSpec"), 3: ("status", "m:Empty")},
    "ServiceSpec": {1: ("ports", "*m:ServicePort"), 2: ("selector", "map:s"), 3: ("clusterIP", "s"),
                    4: ("type", "s"), 5: ("externalIPs", "*s"), 7: ("sessionAffinity", "s"),
                    8: ("loadBalancerIP", "s"), 11: ("externalName", "s"),
                    18: ("clusterIPs", "*s")},
    "ServicePort": {1: ("name", "s"), 2: ("protocol", "s"), 3: ("port", "i"),
                    4: ("targetPort", "ios"), 5: ("nodePort", "i"), 6: ("appProtocol", "s?")},
    "IntOrString": {1: ("type", "i"), 2: ("intVal", "i"), 3: ("strVal", "s")},
    "Deployment": {1: ("metadata", "m:ObjectMeta"), 2: ("spec", "m:DeploymentSpec"),
                   3: ("status", "m:Empty")},
    "DeploymentSpec": {1: ("replicas", "i?"), 2: ("selector", "m:LabelSelector"),
                       3: ("template", "m:PodTemplateSpec"), 4: ("strategy", "m:DeploymentStrategy"),
                       5: ("minReadySeconds", "i"), 6: ("revisionHistoryLimit", "i?"),
                       7: ("paused", "u"), 9: ("progressDeadlineSeconds", "i?")},
    "DeploymentStrategy": {1: ("type", "s")},
    "PodTemplateSpec": {1: ("metadata", "m:ObjectMeta"), 2: ("spec", "m:PodSpec")},
    "PodSpec": {2: ("containers", "*m:Container"), 3: ("restartPolicy", "s"),
                4: ("terminationGracePeriodSeconds", "i?"), 7: ("nodeSelector", "map:s"),
                8: ("serviceAccountName", "s"), 20: ("initContainers", "*m:Container")},
    "Container": {1: ("name", "s"), 2: ("image", "s"), 3: ("command", "*s"), 4: ("args", "*s"),
                  5: ("workingDir", "s"), 6: ("ports", "*m:ContainerPort"), 7: ("env", "*m:EnvVar"),
                  8: ("resources", "m:Empty"), 14: ("imagePullPolicy", "s")},
    "ContainerPort": {1: ("name", "s"), 2: ("hostPort", "i"), 3: ("containerPort", "i"),
                      4: ("protocol", "s"), 5: ("hostIP", "s")},
    "EnvVar": {1: ("name", "s"), 2: ("value", "s")},
}

KINDS = {("v1", "Namespace"): "Namespace", ("v1", "ConfigMap"): "ConfigMap",
         ("v1", "Secret"): "Secret", ("v1", "ServiceAccount"): "ServiceAccount",
         ("v1", "Service"): "Service", ("apps/v1", "Deployment"): "Deployment",
         ("authentication.k8s.io/v1", "SelfSubjectReview"): "SelfSubjectReview"}


def _varint(buf, i):
    shift = result = 0
    while True:
        if i >= len(buf):
            raise ProtoError("truncated varint")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7
        if shift > 70:
            raise ProtoError("varint too long")


def _fields(buf):
    """Yield (field number, wire type, value) of one message."""
    i = 0
    n = len(buf)
    while i < n:
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 2:
            ln, i = _varint(buf, i)
            if i + ln > n:
                raise ProtoError("truncated field %d" % num)
            v = buf[i:i + ln]
            i += ln
        elif wt == 1:
            v = buf[i:i + 8]
            i += 8
        elif wt == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ProtoError("unsupported wire type %d" % wt)
        yield num, wt, v


def _scalar(typ, wt, v):
    if typ == "s":
        return bytes(v).decode("utf-8")
    if typ == "b":
        return base64.b64encode(bytes(v)).decode()
    if typ == "i":
        if wt != 0:
            raise ProtoError("expected a varint")
        return v - (1 << 64) if v >= 1 << 63 else v
    if typ == "u":
        return bool(v)
    raise ProtoError("unknown type %s" % typ)


def _empty(v):
    return v in ("", 0, False) and not isinstance(v, dict)


def _message(name, buf):
    schema = SCHEMA[name]
    out = {}
    for num, wt, v in _fields(buf):
        if num not in schema:
            continue
        key, typ = schema[num]
        repeated = typ.startswith("*")
        typ = typ.lstrip("*")
        pointer = typ.endswith("?")
        typ = typ.rstrip("?")
        if typ.startswith("map:"):
            entry = {}
            for en, ewt, ev in _fields(v):
                entry[en] = _scalar("s", ewt, ev) if en == 1 else _scalar(typ[4:], ewt, ev)
            out.setdefault(key, {})[entry.get(1, "")] = entry.get(2, "" if typ == "map:s" else "")
            continue
        if typ.startswith("m:"):
            val = _message(typ[2:], v)
            if typ == "m:Time":
                if not val.get("seconds"):
                    continue
                import datetime
                val = datetime.datetime.fromtimestamp(val["seconds"], datetime.timezone.utc) \
                    .strftime("%Y-%m-%dT%H:%M:%SZ")
        elif typ == "ios":
            ios = _message("IntOrString", v)
            val = ios.get("strVal", "") if ios.get("type") == 1 else ios.get("intVal", 0)
        else:
            val = _scalar(typ, wt, v)
            if not pointer and not repeated and _empty(val):
                continue
        if repeated:
            out.setdefault(key, []).append(val)
        else:
            out[key] = val
    return out


def decode(body):
    if not body.startswith(MAGIC):
        raise ProtoError("missing the k8s protobuf prefix")
    unk = _message("Unknown", body[len(MAGIC):])
    tm = unk.get("typeMeta") or {}
    av, kind = tm.get("apiVersion", ""), tm.get("kind", "")
    name = KINDS.get((av, kind))
    if name is None:
        raise ProtoError("kubesim cannot decode protobuf for %s %s; send JSON" % (av, kind))
    raw = base64.b64decode(unk.get("raw", ""))
    obj = {"apiVersion": av, "kind": kind}
    obj.update(_message(name, raw))
    return obj
