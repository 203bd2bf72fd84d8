#!/usr/bin/env bash
# The README's first command: build the bundled example for two platforms with no registry and
# no network. Step 1 rebuilds alpine:3.20.3 from its real minirootfs tarballs into an OCI layout
# (as alpinelinux/docker-alpine does); step 2 builds examples/hello on top of it via --base: both
# stages run RUN in their own Alpine image, arm64's under emulation.
set -euo pipefail
cd "$(dirname "$0")/.."
ocibake() { node dist/cli/main.js "$@"; }
ocibake build -f examples/alpine-base/Dockerfile test/fixtures/alpine \
  --platform linux/amd64,linux/arm64 -t alpine:3.20.3 -o type=oci,dest=.ocibake/alpine
ocibake build examples/hello --platform linux/amd64,linux/arm64 \
  --base alpine=oci-layout://.ocibake/alpine:3.20.3 -t hello:1.0 -o type=oci,dest=ocibake-out
echo
echo "OCI layout written to ./ocibake-out (tag 1.0). Look inside with:"
echo "  skopeo inspect --raw oci:ocibake-out:1.0"
echo "  umoci unpack --image ocibake-out:1.0 bundle && sudo chroot bundle/rootfs /usr/local/bin/hello"
