#!/bin/sh
# certs.sh DIR - throwaway TLS material for the loopback test server.
#
# Writes into DIR (which must exist):
#   ca.crt ca.key             the test CA
#   server.crt server.key     signed by it, for IP 127.0.0.1 and DNS localhost
#   client.crt client.key     signed by it, CN=cert-user (a client certificate)
#   wrong-ca.crt wrong-ca.key another CA, which signed nothing the server uses
# EC P-256 keys keep this fast.  Valid for two days: tests make it afresh.
set -eu
dir=${1:?usage: certs.sh DIR}
cd "$dir"

newkey() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# ca NAME CN
ca() {
	newkey "$1.key"
	openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 2 -out "$1.crt" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# leaf NAME CN EXTENSIONS
leaf() {
	newkey "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" "$3" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 2 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

ca ca kubetest-ca
ca wrong-ca kubetest-wrong-ca
leaf server kubetest-server "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
leaf client cert-user "extendedKeyUsage=clientAuth"
rm -f ca.srl
