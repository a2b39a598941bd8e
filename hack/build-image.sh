#!/usr/bin/env bash
# Build the sidecarctl container image from this checkout with buildah (no daemon needed).
#
#   hack/build-image.sh [--tag NAME] [--base IMAGE] [--local-base] [--archive FILE]
#
#   --tag NAME      image to make (default localhost/sidecarctl:<version in sidecarctl/__init__.py>)
#   --base IMAGE    base image for both stages (default: the Containerfile's, python:3.11.x-slim-bookworm)
#   --local-base    make the base from Debian packages with mmdebstrap instead of pulling one: for
#                   machines that reach Debian's package mirror but no container registry. It is
#                   Debian bookworm (minbase) with python3, python3-venv and ca-certificates, imported
#                   as localhost/sidecarctl-base:bookworm.
#   --archive FILE  also write the image to FILE as a docker-archive (`kind load image-archive FILE`,
#                   `docker load -i FILE`, `podman load -i FILE`)
#
# Environment: STORAGE_DRIVER (default vfs: works anywhere, as root or in a container),
# BUILDAH_ISOLATION (default chroot), DEBIAN_MIRROR (for --local-base), PIP_CERT (a CA bundle
# pip must trust inside the build, e.g. behind a TLS-inspecting proxy; passed as a build secret;
# default: the `cert` of pip's configuration here, if any).
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' sidecarctl/__init__.py)
tag="localhost/sidecarctl:${version}"
base=""
local_base=0
archive=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --local-base) local_base=1; shift ;;
    --archive) archive="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build-image.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

isolation="${BUILDAH_ISOLATION:-chroot}"
buildah=(buildah --storage-driver "${STORAGE_DRIVER:-vfs}")
command -v buildah >/dev/null || { echo "build-image.sh: buildah is not installed (apt-get install buildah)" >&2; exit 1; }

if [ "$local_base" = 1 ]; then
  command -v mmdebstrap >/dev/null || { echo "build-image.sh: --local-base needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "== base: Debian bookworm minbase + python3 from Debian packages (mmdebstrap)"
  # No documentation, manual pages or translations in the image; licences (copyright files) stay.
  mmdebstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$work/rootfs.tar" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"}
  python_version=$(tar -xOf "$work/rootfs.tar" ./var/lib/dpkg/status \
    | awk '/^Package: python3.11-minimal$/{p=1} p && /^Version:/{print $2; exit}')
  ctr=$("${buildah[@]}" from scratch)
  "${buildah[@]}" add --quiet "$ctr" "$work/rootfs.tar" /
  "${buildah[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd /bin/sh \
    --label org.opencontainers.image.description="Debian bookworm minbase, python3.11 ${python_version}" "$ctr"
  "${buildah[@]}" commit --quiet --rm "$ctr" localhost/sidecarctl-base:bookworm >/dev/null
  echo "base: localhost/sidecarctl-base:bookworm (Debian python3.11 ${python_version})"
  base=localhost/sidecarctl-base:bookworm
fi

args=(--isolation "$isolation" --file Containerfile --tag "$tag" --layers=false)
[ -n "$base" ] && args+=(--build-arg "BASE=$base")
# pip in the build trusts what pip here trusts: PIP_CERT, else pip's configured `cert`
pip_cert="${PIP_CERT:-$(python3 -m pip config list 2>/dev/null | sed -n "s/^global\.cert='\(.*\)'\$/\1/p" | head -n 1)}"
if [ -n "$pip_cert" ] && [ -s "$pip_cert" ]; then args+=(--secret "id=pip-cert,src=$pip_cert"); fi
echo "== image: ${buildah[*]} build ${args[*]} ."
"${buildah[@]}" build "${args[@]}" .
"${buildah[@]}" images --format '{{.Name}}:{{.Tag}} {{.ID}} {{.Size}}' "$tag"
if [ -n "$archive" ]; then
  rm -f "$archive"
  "${buildah[@]}" push --quiet "$tag" "docker-archive:$archive:$tag"
  echo "archive: $archive"
fi
