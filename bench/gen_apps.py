#!/usr/bin/env python3
"""Writes the app-of-apps of the sync benchmark (bench/sync.sh) for kubesim:

    bench/gen_apps.py DIR [--apps 500] [--waves 5] [--latency 300ms] [--release 1]

DIR/state.json   kubesim --state: the argocd and bench namespaces, the
                 `default` AppProject and the root Application `root`
                 (manual sync, not yet synced: its children do not exist).
DIR/repos/root/  the root's Git directory: one JSON List of the child
                 Applications child-000..., spread evenly over waves
                 0..WAVES-1 (argocd.argoproj.io/sync-wave), each manual
                 (no syncPolicy.automated), labelled
                 app.kubernetes.io/part-of=root and annotated
                 kubesim.dev/sync-latency, so that every sync of a child
                 takes that long in the simulated controller.
DIR/repos/child-NNN/  one ConfigMap per child, in namespace bench, whose
                 data.release is --release.

Run again on the same DIR with another --release to "push a commit" that
changes every child and nothing else: the files are written the same way
each time, so the root's repository keeps its revision.

Every child has a repository of its own: the simulated repo-server hashes a
whole repository for its revision on every comparison, so one shared
repository of 500 directories would make each comparison read 500 files.
The manifests are JSON because kubesim parses JSON much faster than YAML.
Prints one line: what was written.
"""

import argparse
import json
import os
import sys

API = 'argoproj.io/v1alpha1'
IN_CLUSTER = 'https://kubernetes.default.svc'


def child(i, waves, apps, latency):
    return {
        'apiVersion': API, 'kind': 'Application',
        'metadata': {'name': 'child-%03d' % i, 'namespace': 'argocd',
                     'labels': {'app.kubernetes.io/part-of': 'root'},
                     'annotations': {'argocd.argoproj.io/sync-wave': str(i * waves // apps),
                                     'kubesim.dev/sync-latency': latency}},
        'spec': {'project': 'default',
                 'source': {'repoURL': 'https://git.example.com/bench/child-%03d.git' % i,
                            'path': '.', 'targetRevision': 'HEAD'},
                 'destination': {'server': IN_CLUSTER, 'namespace': 'bench'}},
    }


def configmap(i, release):
    return {'apiVersion': 'v1', 'kind': 'ConfigMap',
            'metadata': {'name': 'child-%03d' % i, 'namespace': 'bench'},
            'data': {'index': str(i), 'release': str(release)}}


def state():
    ns = [{'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': n}}
          for n in ('argocd', 'bench')]
    project = {'apiVersion': API, 'kind': 'AppProject',
               'metadata': {'name': 'default', 'namespace': 'argocd'},
               'spec': {'sourceRepos': ['*'],
                        'destinations': [{'server': '*', 'namespace': '*'}],
                        'clusterResourceWhitelist': [{'group': '*', 'kind': '*'}]}}
    root = {'apiVersion': API, 'kind': 'Application',
            'metadata': {'name': 'root', 'namespace': 'argocd'},
            'spec': {'project': 'default',
                     'source': {'repoURL': 'https://git.example.com/bench/root.git',
                                'path': '.', 'targetRevision': 'HEAD'},
                     'destination': {'server': IN_CLUSTER, 'namespace': 'argocd'}}}
    return {'apiVersion': 'v1', 'kind': 'List', 'items': ns + [project, root]}


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write('\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('dir')
    ap.add_argument('--apps', type=int, default=500)
    ap.add_argument('--waves', type=int, default=5)
    ap.add_argument('--latency', default='300ms', help='a Go duration')
    ap.add_argument('--release', type=int, default=1)
    a = ap.parse_args()
    if a.apps < 1 or a.waves < 1 or a.waves > a.apps:
        sys.exit('gen_apps.py: need 1 <= --waves <= --apps')
    repos = os.path.join(a.dir, 'repos')
    write_json(os.path.join(repos, 'root', 'apps.json'),
               {'apiVersion': 'v1', 'kind': 'List',
                'items': [child(i, a.waves, a.apps, a.latency) for i in range(a.apps)]})
    for i in range(a.apps):
        write_json(os.path.join(repos, 'child-%03d' % i, 'configmap.json'), configmap(i, a.release))
    write_json(os.path.join(a.dir, 'state.json'), state())
    print('%d child Applications in %d waves (sync latency %s each) under root, '
          'release %d, in %s' % (a.apps, a.waves, a.latency, a.release, a.dir))


if __name__ == '__main__':
    main()
