#!/usr/bin/env bash
# make install puts the plugin, its completion helper and the webhook where
# PREFIX and DESTDIR say, and kubectl finds the installed plugin.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

run make --no-print-directory install PREFIX=/opt/gitops DESTDIR="$tap_tmp/stage"
expect_rc 0 "make install with PREFIX and DESTDIR succeeds"
for f in kubectl-gitops kubectl_complete-gitops gitops-webhook; do
	[ -x "$tap_tmp/stage/opt/gitops/bin/$f" ]
	ok $? "$f is installed executable under DESTDIR/PREFIX/bin"
done

PATH="$tap_tmp/stage/opt/gitops/bin:$PATH" run kubectl gitops version
expect_out '^kubectl-gitops ' "kubectl runs the installed plugin"

PATH="$tap_tmp/stage/opt/gitops/bin:$PATH" run kubectl_complete-gitops ""
expect_out '^list$' "the completion helper offers the commands"
expect_out '^:4$' "and ends with cobra's no-file-completion directive"

run bin/kubectl-gitops --help
expect_rc 0 "--help succeeds"
expect_out '^  kubectl gitops <command>' "help names the program as users type it"
run bin/kubectl-gitops no-such-command
expect_rc 2 "an unknown command is a usage error"
expect_err 'unknown command "no-such-command" for "kubectl gitops"' "and says so"

done_testing
