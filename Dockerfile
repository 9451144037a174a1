# The admission webhook's image: built on Debian bookworm, run on
# bookworm-slim with only the shared libraries the webhook links (the same
# Debian packages, so the ABI matches the build), tzdata for sync windows'
# time zones, and ca-certificates; as a non-root user.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t gitops-webhook .
#
# The chart runs it as 65532 with a read-only root filesystem and mounts the
# serving certificate at /etc/gitops-webhook/tls and the policy
# configuration at /etc/gitops-webhook/config.

FROM debian:bookworm AS build
RUN apt-get update \
	&& apt-get install -y --no-install-recommends \
		build-essential pkg-config \
		libcurl4-openssl-dev libssl-dev libcjson-dev libyaml-dev libmicrohttpd-dev \
		libgnutls28-dev \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY scripts/deps.sh scripts/
COPY shared shared/
COPY webhook webhook/
ARG VERSION=0.0.0-dev
# PKG_* on the command line: the Makefile's own check (scripts/deps.sh
# --check) also wants the test tools, which this stage does not install.
# The pkg-config names are the Makefile's PKGS.
RUN pkgs=$(sed -n 's/^PKGS *= *//p' Makefile) \
	&& make bin/gitops-webhook VERSION="$VERSION" \
		PKG_CFLAGS="$(pkg-config --cflags $pkgs)" PKG_LIBS="$(pkg-config --libs $pkgs)" \
	&& ./bin/gitops-webhook version

FROM debian:bookworm-slim
ARG VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="gitops-webhook" \
	org.opencontainers.image.description="Validating admission webhook enforcing Argo CD's safety rules" \
	org.opencontainers.image.source="https://github.com/kubectl-gitops/kubectl-gitops" \
	org.opencontainers.image.licenses="Apache-2.0" \
	org.opencontainers.image.version="$VERSION"
RUN apt-get update \
	&& apt-get install -y --no-install-recommends \
		libcurl4 libssl3 libcjson1 libyaml-0-2 libmicrohttpd12 libgnutls30 \
		tzdata ca-certificates \
	&& rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/*
COPY --from=build /src/bin/gitops-webhook /usr/local/bin/gitops-webhook
COPY LICENSE /usr/share/doc/gitops-webhook/LICENSE
USER 65532:65532
EXPOSE 8443 8080
ENTRYPOINT ["/usr/local/bin/gitops-webhook"]
CMD ["serve", "--tls-cert-file=/etc/gitops-webhook/tls/tls.crt", \
     "--tls-private-key-file=/etc/gitops-webhook/tls/tls.key", \
     "--config=/etc/gitops-webhook/config/config.yaml"]
