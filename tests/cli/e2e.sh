#!/usr/bin/env bash
# The e2e suite against the Kubernetes API simulator, so that `make test`
# (tests/run-tests) runs every scenario on every change: e2e/run.sh starts
# the simulator and the webhook (e2e/sim-setup.sh), runs e2e/NN-*.sh and
# prints TAP.  About a minute here.  `make e2e` runs the same thing.
cd "$(dirname "$0")/../.." || exit 1
exec e2e/run.sh --target sim
