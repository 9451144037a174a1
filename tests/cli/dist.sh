#!/usr/bin/env bash
# make dist: release tarballs of the plugin and the krew manifest that
# installs them.  The manifest must pass krew's own validation rules
# (sigs.k8s.io/krew internal/index/validation), its sha256 and URIs must
# name the tarballs next to it, and a tarball must hold what the manifest
# says, so that `kubectl krew install` of it gives a working plugin.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

if [ ! -x bin/kubectl-gitops ] || [ ! -x bin/kubectl_complete-gitops ]; then
	echo "1..0 # SKIP bin/kubectl-gitops not built"
	exit 0
fi

# krew's rules for a plugin manifest, plus what krew-index asks for
# (homepage).  Prints one problem per line; exit 1 when there is any.
cat >"$tap_tmp/krew_validate.py" <<'PY'
import os, re, sys
sys.path.insert(0, "tests/kubesim")
import yamlmini

path = sys.argv[1]
name = os.path.splitext(os.path.basename(path))[0]
problems = []
def bad(msg):
    problems.append(msg)

try:
    p = yamlmini.load(open(path).read())
except Exception as e:
    sys.exit("does not parse: %s" % e)
spec = p.get("spec") or {}
if p.get("apiVersion") != "krew.googlecontainertools.github.com/v1alpha2":
    bad("apiVersion is %r" % p.get("apiVersion"))
if p.get("kind") != "Plugin":
    bad("kind is %r" % p.get("kind"))
pname = (p.get("metadata") or {}).get("name")
if not re.fullmatch(r"[\w-]+", pname or "") or (pname or "").upper() in (
        "CON", "PRN", "AUX", "NUL", *("COM%d" % i for i in range(1, 10)), *("LPT%d" % i for i in range(1, 10))):
    bad("name %r is not allowed" % pname)
if pname != name:
    bad("plugin should be named %r (its file name), not %r" % (name, pname))
sd = spec.get("shortDescription")
if not isinstance(sd, str) or not sd:
    bad("no shortDescription")
elif "\n" in sd or "\r" in sd:
    bad("line break in shortDescription")
if not re.fullmatch(r"https://\S+", str(spec.get("homepage") or "")):
    bad("homepage is not an https URL")
if not re.fullmatch(r"v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?",
                    str(spec.get("version") or "")):
    bad("version %r is not semver with a leading v" % spec.get("version"))
plats = spec.get("platforms")
if not isinstance(plats, list) or not plats:
    bad("no platforms")
for i, pl in enumerate(plats or []):
    where = "platforms[%d]" % i
    if not pl.get("uri"):
        bad(where + ": no uri")
    # A string: krew decodes into a string field, an unquoted all-digit
    # sum would be a number.
    sha = pl.get("sha256")
    if not isinstance(sha, str) or not re.fullmatch(r"[a-f0-9]{64}", sha):
        bad(where + ": sha256 %r is not 64 lowercase hex digits" % pl.get("sha256"))
    if not pl.get("bin"):
        bad(where + ": no bin")
    files = pl.get("files")
    if files is not None:
        if not files:
            bad(where + ": files is empty")
        for f in files:
            if not f.get("from") or not f.get("to"):
                bad(where + ": a file without from or to")
    sel = pl.get("selector")
    if not isinstance(sel, dict) or not (sel.get("matchLabels") or sel.get("matchExpressions")):
        bad(where + ": empty selector")
    else:
        keys = list((sel.get("matchLabels") or {}).keys()) + [e.get("key") for e in sel.get("matchExpressions") or []]
        for k in keys:
            if k not in ("os", "arch"):
                bad(where + ": selector key %r not supported" % k)
for m in problems:
    print(m)
sys.exit(1 if problems else 0)
PY
validate() { run python3 "$tap_tmp/krew_validate.py" "$1"; }

# --- the validator knows krew's rules ---------------------------------------
mkdir -p "$tap_tmp/bad"
good=$(cat <<'YAML'
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: gitops
spec:
  version: v1.2.3
  homepage: https://example.com/gitops
  shortDescription: Something short
  platforms:
  - selector:
      matchLabels: {os: linux, arch: amd64}
    uri: https://example.com/a.tar.gz
    sha256: "abababababababababababababababababababababababababababababababab"
    bin: kubectl-gitops
    files:
    - {from: kubectl-gitops, to: .}
YAML
)
printf '%s\n' "$good" >"$tap_tmp/bad/gitops.yaml"
validate "$tap_tmp/bad/gitops.yaml"
expect_rc 0 "a minimal valid manifest passes the validator"
while IFS='|' read -r from to why; do
	printf '%s\n' "$good" | sed "s#$from#$to#" >"$tap_tmp/bad/gitops.yaml"
	validate "$tap_tmp/bad/gitops.yaml"
	expect_rc 1 "the validator refuses $why"
done <<'EOF'
v1alpha2|v1alpha1|an old apiVersion
kind: Plugin|kind: Plugins|another kind
name: gitops|name: git-ops|a name that is not the file's
version: v1.2.3|version: 1.2.3|a version without its v
shortDescription: Something short|shortDescription: ""|an empty shortDescription
sha256: "abab|sha256: "ABAB|an uppercase sha256
os: linux|platform: linux|a selector key other than os and arch
{from: kubectl-gitops, to: .}|{from: kubectl-gitops}|a file without to
bin: kubectl-gitops|bin: ""|no bin
https://example.com/gitops|http://example.com/gitops|a homepage that is not https
sha256: "abababababababababababababababababababababababababababababababab"|sha256: 1234567890123456789012345678901234567890123456789012345678901234|an unquoted all-digit sha256 (a number to YAML)
EOF

# --- make dist --------------------------------------------------------------
ver=v1.2.3-rc.1
base=https://example.com/releases/$ver
host_os=$(uname -s | tr '[:upper:]' '[:lower:]')
case "$(uname -m)" in x86_64) host_arch=amd64 ;; aarch64) host_arch=arm64 ;; *) host_arch=$(uname -m) ;; esac
tarball=kubectl-gitops_${ver}_${host_os}_${host_arch}.tar.gz
run scripts/dist.sh --version "$ver" --uri-base "$base" --out "$tap_tmp/dist0"
expect_rc 0 "scripts/dist.sh packs the host's bin/ by default"
expect_out "/$tarball\$" "one tarball for the host platform, named kubectl-gitops_<version>_<os>_<arch>.tar.gz"

# From here on a snapshot of bin/, which a concurrent make may rewrite.
snap=$tap_tmp/snap
mkdir -p "$snap"
cp -p bin/kubectl-gitops bin/kubectl_complete-gitops "$snap/"
run scripts/dist.sh --version "$ver" --uri-base "$base" --out "$tap_tmp/dist" "$host_os/$host_arch=$snap"
expect_rc 0 "scripts/dist.sh builds the tarball and the manifest"
manifest=$tap_tmp/dist/gitops.yaml

validate "$manifest"
expect_rc 0 "dist/gitops.yaml passes krew's validation"
! cmp -s "$manifest" plugins/gitops.yaml && ! grep -Eq '[$][{](VERSION|URI_BASE|OS|ARCH|SHA256)[}]' "$manifest"
ok $? "every placeholder of plugins/gitops.yaml is filled"

# mq EXPR: a Python expression over the manifest (m) and its platforms (pl).
mq() {
	python3 - "$manifest" "$1" <<'PY'
import json, sys
sys.path.insert(0, "tests/kubesim")
import yamlmini
m = yamlmini.load(open(sys.argv[1]).read())
pl = m["spec"]["platforms"]
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))
PY
}
expect_eq "$(mq 'm["spec"]["version"]')" "$ver" "the manifest carries the release version"
expect_eq "$(mq '[p["selector"]["matchLabels"] for p in pl]')" "[{\"os\": \"$host_os\", \"arch\": \"$host_arch\"}]" \
	"one platform, selected by os and arch"
expect_eq "$(mq 'pl[0]["uri"]')" "$base/$tarball" "the URI is the tarball under --uri-base"
expect_eq "$(mq 'pl[0]["sha256"]')" "$(sha256sum "$tap_tmp/dist/$tarball" | cut -d' ' -f1)" \
	"the manifest's sha256 is the tarball's"
expect_eq "$(cat "$tap_tmp/dist/$tarball.sha256")" "$(cd "$tap_tmp/dist" && sha256sum "$tarball")" \
	"the .sha256 file checks with sha256sum -c"
expect_eq "$(mq 'm["spec"]["caveats"].count("/store/gitops/" + m["spec"]["version"] + "/")')" 1 \
	"the completion caveat points into this version's krew store"

# --- the tarball holds what the manifest says -------------------------------
expect_eq "$(tar -tzf "$tap_tmp/dist/$tarball" | sort | tr '\n' ' ')" "LICENSE kubectl-gitops kubectl_complete-gitops " \
	"the tarball holds the plugin, the completion helper and LICENSE, at its top"
mkdir -p "$tap_tmp/x"
tar -xzf "$tap_tmp/dist/$tarball" -C "$tap_tmp/x"
expect_eq "$(mq '[f["from"] for f in pl[0]["files"] if not __import__("glob").glob(sys.argv[1].rsplit("/", 2)[0] + "/x/" + f["from"])]')" "[]" \
	"every files[].from is in the tarball"
# krew copies files[].from to files[].to inside the install dir, then
# links bin; with "to: ." the names are kept.
expect_eq "$(mq '[pl[0]["bin"] in [f["from"] for f in pl[0]["files"] if f["to"] == "."]]')" "[true]" \
	"bin is one of the files krew installs"
[ -x "$tap_tmp/x/kubectl-gitops" ] && [ -x "$tap_tmp/x/kubectl_complete-gitops" ] && [ ! -x "$tap_tmp/x/LICENSE" ]
ok $? "the programs are executable, LICENSE is not"
cmp -s "$tap_tmp/x/kubectl-gitops" "$snap/kubectl-gitops" && cmp -s "$tap_tmp/x/LICENSE" LICENSE &&
	cmp -s "$tap_tmp/x/kubectl_complete-gitops" "$snap/kubectl_complete-gitops"
ok $? "the files are the built ones"
expect_eq "$(tar -tvzf "$tap_tmp/dist/$tarball" | awk '{print $2}' | sort -u)" "0/0" "owned by 0/0, not by the builder"

# As krew sets it up: the plugin on PATH, run through kubectl.
mkdir -p "$tap_tmp/krew/bin"
ln -s "$tap_tmp/x/kubectl-gitops" "$tap_tmp/krew/bin/kubectl-gitops"
PATH=$tap_tmp/krew/bin:$PATH run kubectl gitops version
expect_rc 0 "kubectl gitops version runs the installed plugin"
expect_out '^kubectl-gitops ' "it prints its version"

# --- reproducible, and refuses what krew would ------------------------------
run scripts/dist.sh --version "$ver" --uri-base "$base" --out "$tap_tmp/dist2" "$host_os/$host_arch=$snap"
expect_eq "$(cat "$tap_tmp/dist2/$tarball.sha256")" "$(cat "$tap_tmp/dist/$tarball.sha256")" \
	"the same binaries give the same sha256 (reproducible tarball)"
run scripts/dist.sh --version "$ver" --uri-base "$base" --out "$tap_tmp/dist3" \
	"$host_os/$host_arch=$snap" "linux/arm64=$snap"
expect_rc 0 "two platforms in one run"
manifest=$tap_tmp/dist3/gitops.yaml
expect_eq "$(mq '[(p["selector"]["matchLabels"]["arch"], p["uri"].rsplit("/", 1)[1], p["sha256"]) for p in pl][-1]')" \
	"$(printf '["arm64", "kubectl-gitops_%s_linux_arm64.tar.gz", "%s"]' "$ver" "$(sha256sum "$tap_tmp/dist3/kubectl-gitops_${ver}_linux_arm64.tar.gz" | cut -d' ' -f1)")" \
	"each platform gets its own stanza, URI and sha256"
validate "$manifest"
expect_rc 0 "the two-platform manifest passes krew's validation"
while IFS='|' read -r args why; do
	# shellcheck disable=SC2086
	run scripts/dist.sh --out "$tap_tmp/dist4" $args
	expect_rc 2 "dist refuses $why"
done <<'EOF'
--version 1.2.3|a version without its v
--version v1.2|a version that is not semver
--uri-base example.com/x|a URI base that is not a URL
linux-amd64=bin|a platform without os/arch
EOF
run scripts/dist.sh --out "$tap_tmp/dist4" "linux/amd64=$tap_tmp/nowhere"
expect_rc 1 "dist fails when a platform's binaries are missing"
expect_err 'nowhere/kubectl-gitops: missing' "and says which file is missing"

done_testing
