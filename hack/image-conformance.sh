#!/usr/bin/env bash
# Build the image (hack/build-image.sh; arguments are passed on, e.g. --local-base) and pass Istio
# 1.30.3's webhook golden tests against the webhook running inside it (tests/webhook/test_webhook_image.py:
# `buildah run` with host networking, one server per settings folder of ../shared/conformance).
#
#   hack/image-conformance.sh --local-base
#   SIDECARCTL_TEST_IMAGE=localhost/sidecarctl:0.1.0 hack/image-conformance.sh --no-build
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
if [ "${1:-}" = "--no-build" ]; then
  : "${SIDECARCTL_TEST_IMAGE:?--no-build needs SIDECARCTL_TEST_IMAGE}"
else
  export SIDECARCTL_TEST_IMAGE="${SIDECARCTL_TEST_IMAGE:-localhost/sidecarctl:conformance}"
  hack/build-image.sh --tag "$SIDECARCTL_TEST_IMAGE" "$@"
fi
echo "== webhook conformance against $SIDECARCTL_TEST_IMAGE"
exec "$python" -m pytest -p no:cacheprovider -rs tests/webhook/test_webhook_image.py
