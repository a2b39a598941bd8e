"""A small Kubernetes API server for tests: real HTTPS on loopback, real authentication.

It speaks the part of the REST API that `sidecarctl.config.cluster` uses:

* GET  /api/v1/namespaces/{ns}/configmaps/{name}
* GET  /api/v1/nodes                (limit / continue paging)
* GET  /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations  (labelSelector)
* GET  /api/v1/namespaces, /api/v1/pods, /api/v1/namespaces/{ns}/pods   (limit / continue paging)

and answers failures with `Status` objects (401, 403, 404) as kube-apiserver does. Clients
authenticate with a bearer token or with a client certificate signed by the test CA (the user is the
certificate's CN). Certificates come from the `openssl` command line, made once per test session.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

WEBHOOKS_PATH = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"


# --- certificates -------------------------------------------------------------------------------


class Certs:
    """A throw-away CA, a server certificate for 127.0.0.1/localhost, a client certificate
    (CN=cert-user), and an unrelated CA that trusts nothing here."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.ca_crt = directory / "ca.crt"
        self.ca_key = directory / "ca.key"
        self.server_crt = directory / "server.crt"
        self.server_key = directory / "server.key"
        self.client_crt = directory / "client.crt"
        self.client_key = directory / "client.key"
        self.other_ca_crt = directory / "other-ca.crt"

    @staticmethod
    def available() -> bool:
        return shutil.which("openssl") is not None

    def make(self) -> Certs:
        self._ca(self.ca_key, self.ca_crt, "sidecarctl-test-ca")
        self._ca(self.dir / "other-ca.key", self.other_ca_crt, "unrelated-ca")
        self._leaf("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        self._leaf("client", "cert-user", "extendedKeyUsage=clientAuth\n")
        return self

    def _ca(self, key: Path, crt: Path, cn: str) -> None:
        _openssl(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", crt, "-days", "2", "-subj", f"/CN={cn}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        )  # fmt: skip

    def _leaf(self, name: str, cn: str, extensions: str) -> None:
        key, csr, crt = self.dir / f"{name}.key", self.dir / f"{name}.csr", self.dir / f"{name}.crt"
        ext = self.dir / f"{name}.ext"
        ext.write_text(extensions)
        _openssl(
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", f"/CN={cn}",
        )  # fmt: skip
        _openssl(
            "x509", "-req", "-in", csr, "-CA", self.ca_crt, "-CAkey", self.ca_key, "-CAcreateserial",
            "-out", crt, "-days", "2", "-extfile", ext,
        )  # fmt: skip


def _openssl(*args: object) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


# --- objects ------------------------------------------------------------------------------------


def status(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        obj["details"] = details
    return obj


def configmap(namespace: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": namespace, "resourceVersion": "1", "uid": f"uid-{name}"},
        "data": data,
    }


def node(name: str, kubelet_version: str) -> dict[str, Any]:
    return {
        "kind": "Node",
        "apiVersion": "v1",
        "metadata": {"name": name},
        "status": {"nodeInfo": {"kubeletVersion": kubelet_version, "architecture": "amd64"}},
    }


def webhook(name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": "MutatingWebhookConfiguration",
        "apiVersion": "admissionregistration.k8s.io/v1",
        "metadata": {"name": name, "labels": labels},
        "webhooks": [
            {
                "name": "rev.namespace.sidecar-injector.istio.io",
                "clientConfig": {"service": {"name": "istiod", "namespace": "istio-system", "path": "/inject"}},
                "admissionReviewVersions": ["v1"],
                "sideEffects": "None",
            }
        ],
    }


def selector_matches(selector: str, labels: dict[str, str]) -> bool:
    """Equality-based label selectors: `k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-separated."""
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key) != value:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


# --- server -------------------------------------------------------------------------------------


class FakeCluster:
    """State of one fake cluster plus the HTTPS server that serves it."""

    def __init__(self, certs: Certs, name: str = "cluster") -> None:
        self.certs = certs
        self.name = name
        self.configmaps: dict[tuple[str, str], dict[str, Any]] = {}
        self.nodes: list[dict[str, Any]] = []
        self.node_page_size = 0  # 0: all nodes in one answer
        self.webhooks: list[dict[str, Any]] = []
        self.namespaces: list[dict[str, Any]] = []
        self.pods: list[dict[str, Any]] = []
        self.list_page_size = 0  # pods and namespaces per answer; 0: all at once
        self.tokens: dict[str, str] = {"good-token": "token-user"}
        # (verb, resource, namespace) the authenticated users may not do; namespace "" = cluster scope
        self.forbidden: set[tuple[str, str, str]] = set()
        self.requests: list[tuple[str, str, str]] = []  # (path with query, user, authorization kind)
        self._server: ThreadingHTTPServer | None = None

    # -- content --

    def add_configmap(self, namespace: str, name: str, data: dict[str, str]) -> None:
        self.configmaps[(namespace, name)] = configmap(namespace, name, data)

    def load_settings(self, folder: Path, namespace: str = "istio-system", revision: str = "") -> None:
        """The conformance settings of `folder` as the two ConfigMaps an install would have."""
        suffix = f"-{revision}" if revision else ""
        config = (folder / "inject-config.yaml").read_text()
        values = (folder / "inject-values.yaml").read_text()
        self.add_configmap(namespace, f"istio-sidecar-injector{suffix}", {"config": config, "values": values})
        self.add_configmap(namespace, f"istio{suffix}", {"mesh": (folder / "mesh-config.yaml").read_text()})

    def add_namespace(self, name: str, labels: dict[str, str] | None = None) -> None:
        self.namespaces.append(
            {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": name, "labels": labels or {}}}
        )

    def add_pod(self, pod: dict[str, Any]) -> None:
        """A pod object as the API would return it (give it metadata.namespace)."""
        self.pods.append({"kind": "Pod", "apiVersion": "v1", **pod})

    def set_nodes(self, versions: Iterable[str]) -> None:
        self.nodes = [node(f"node-{i + 1}", v) for i, v in enumerate(versions)]

    # -- lifecycle --

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeCluster:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certs.server_crt, self.certs.server_key)
        context.load_verify_locations(self.certs.ca_crt)
        context.verify_mode = ssl.CERT_OPTIONAL  # client certificates are one way to log in
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), name=f"fakeapi-{self.name}", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- request handling --

    def answer(self, path: str, query: dict[str, str], user: str) -> tuple[int, dict[str, Any]]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if len(parts) == 6 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "configmaps":
            return self._get_configmap(parts[3], parts[5], user)
        if parts == ["api", "v1", "nodes"]:
            return self._list_nodes(query, user)
        if parts == ["api", "v1", "namespaces"]:
            return self._list("namespaces", "", self.namespaces, query, user)
        if parts == ["api", "v1", "pods"]:
            return self._list("pods", "", self.pods, query, user)
        if len(parts) == 5 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "pods":
            pods = [p for p in self.pods if p["metadata"].get("namespace") == parts[3]]
            return self._list("pods", parts[3], pods, query, user)
        if "/" + "/".join(parts) == WEBHOOKS_PATH:
            return self._list_webhooks(query, user)
        return 404, status(404, "NotFound", "the server could not find the requested resource")

    def _denied(self, verb: str, resource: str, namespace: str, name: str, user: str) -> dict[str, Any] | None:
        if (verb, resource, namespace) not in self.forbidden:
            return None
        what = f'{resource} "{name}"' if name else resource
        scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
        group = '"admissionregistration.k8s.io"' if "webhook" in resource else '""'
        message = f'{what} is forbidden: User "{user}" cannot {verb} resource "{resource}" in API group {group} {scope}'
        return status(403, "Forbidden", message, {"name": name, "kind": resource})

    def _get_configmap(self, namespace: str, name: str, user: str) -> tuple[int, dict[str, Any]]:
        denied = self._denied("get", "configmaps", namespace, name, user)
        if denied:
            return 403, denied
        obj = self.configmaps.get((namespace, name))
        if obj is None:
            message = f'configmaps "{name}" not found'
            return 404, status(404, "NotFound", message, {"name": name, "kind": "configmaps"})
        return 200, obj

    def _list_nodes(self, query: dict[str, str], user: str) -> tuple[int, dict[str, Any]]:
        denied = self._denied("list", "nodes", "", "", user)
        if denied:
            return 403, denied
        start = int(query.get("continue") or 0)
        size = self.node_page_size or len(self.nodes) or 1
        page = self.nodes[start : start + size]
        following = start + size if start + size < len(self.nodes) else None
        metadata = {"resourceVersion": "7", **({"continue": str(following)} if following else {})}
        return 200, {"kind": "NodeList", "apiVersion": "v1", "metadata": metadata, "items": page}

    def _list(
        self, resource: str, namespace: str, items: list[dict[str, Any]], query: dict[str, str], user: str
    ) -> tuple[int, dict[str, Any]]:
        denied = self._denied("list", resource, namespace, "", user)
        if denied:
            return 403, denied
        start = int(query.get("continue") or 0)
        size = self.list_page_size or len(items) or 1
        following = start + size if start + size < len(items) else None
        metadata = {"resourceVersion": "9", **({"continue": str(following)} if following else {})}
        kind = "PodList" if resource == "pods" else "NamespaceList"
        return 200, {"kind": kind, "apiVersion": "v1", "metadata": metadata, "items": items[start : start + size]}

    def _list_webhooks(self, query: dict[str, str], user: str) -> tuple[int, dict[str, Any]]:
        denied = self._denied("list", "mutatingwebhookconfigurations", "", "", user)
        if denied:
            return 403, denied
        selector = query.get("labelSelector", "")
        items = [w for w in self.webhooks if selector_matches(selector, w["metadata"].get("labels") or {})]
        kind = "MutatingWebhookConfigurationList"
        body = {"kind": kind, "apiVersion": "admissionregistration.k8s.io/v1", "metadata": {}, "items": items}
        return 200, body


def _handler_for(cluster: FakeCluster) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            user, how = self._authenticate()
            cluster.requests.append((self.path, user or "", how))
            if user is None:
                self._send(401, status(401, "Unauthorized", "Unauthorized"))
                return
            self._send(*cluster.answer(url.path, query, user))

        def _authenticate(self) -> tuple[str | None, str]:
            header = self.headers.get("Authorization", "")
            if header.lower().startswith("bearer "):
                return cluster.tokens.get(header[7:].strip()), "token"
            peer = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
            for rdn in (peer or {}).get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        return value, "certificate"
            return None, "anonymous"

        def _send(self, code: int, obj: dict[str, Any]) -> None:
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            pass

    return Handler


# --- kubeconfig files ---------------------------------------------------------------------------


def token_user(token: str = "good-token") -> dict[str, Any]:
    return {"token": token}


def cert_user(certs: Certs) -> dict[str, Any]:
    return {"client-certificate": str(certs.client_crt), "client-key": str(certs.client_key)}


def cluster_entry(url: str, certs: Certs, inline_ca: bool = False) -> dict[str, Any]:
    if inline_ca:
        return {"server": url, "certificate-authority-data": base64.b64encode(certs.ca_crt.read_bytes()).decode()}
    return {"server": url, "certificate-authority": str(certs.ca_crt)}


def write_kubeconfig(
    path: Path,
    contexts: dict[str, tuple[dict[str, Any], dict[str, Any]]],
    current: str | None = None,
) -> Path:
    """A kubeconfig with one cluster and one user per context: {context: (cluster entry, user entry)}."""
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": []}
    for name, (cluster, user) in contexts.items():
        doc["clusters"].append({"name": f"{name}-cluster", "cluster": cluster})
        doc["users"].append({"name": f"{name}-user", "user": user})
        doc["contexts"].append({"name": name, "context": {"cluster": f"{name}-cluster", "user": f"{name}-user"}})
    if current is not None:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def silent_port() -> tuple[socket.socket, int]:
    """A listening socket that never accepts: connections open, then nothing answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock, sock.getsockname()[1]


def closed_port() -> int:
    """A port nothing listens on (connection refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
