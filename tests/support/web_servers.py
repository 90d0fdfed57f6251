"""Real nginx, Apache httpd and Caddy processes on 127.0.0.1, for the generated artifacts.

Each server gets a minimal configuration of its own (TLS with a trustme certificate, a
document root) and `include`s the generated snippet file unchanged, the way an admin pastes
it into an existing site. When a server binary is missing the test is skipped with a loud
reason, except under CI (CI=true), where it fails: there they must run for real.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

SERVERS = {
    "nginx": ("nginx", "/usr/sbin/nginx"),
    "apache": ("apache2", "/usr/sbin/apache2"),
    "caddy": ("caddy", "/usr/bin/caddy"),
}
APACHE_MODULES = Path("/usr/lib/apache2/modules")


def binary(server: str) -> str:
    """The server's executable, or skip (fail under CI) when it is not installed."""
    name, usual = SERVERS[server]
    found = shutil.which(name) or (usual if os.path.exists(usual) else None)
    if found:
        return found
    message = (
        f"{name} is not installed: the {server} artifact tests did NOT run "
        "(as root, `make test` installs it with apt)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Site:
    """A work folder for one server: certificate, document root, and the snippet to load."""

    folder: Path
    domain: str

    @property
    def root(self) -> Path:
        return self.folder / "www"


@contextmanager
def site_folder(cert: trustme.LeafCert, domain: str) -> Iterator[Site]:
    # Apache drops to www-data for its workers: the folder must be world-readable, so it
    # cannot live under pytest's private tmp_path.
    folder = Path(tempfile.mkdtemp(prefix="adue-site-"))
    try:
        folder.chmod(0o755)
        cert.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
        for extra in cert.cert_chain_pems[1:]:
            extra.write_to_path(str(folder / "cert.pem"), append=True)
        cert.private_key_pem.write_to_path(str(folder / "key.pem"))
        (folder / "www").mkdir(mode=0o755)
        yield Site(folder, domain)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish(site: Site, relative: str, content: str) -> None:
    path = site.root / relative
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    path.write_text(content)
    for parent in [path, *path.relative_to(site.root).parents]:
        (site.root / parent).chmod(0o755 if (site.root / parent).is_dir() else 0o644)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(server: str, site: Site, snippet: Path | None) -> Iterator[int]:
    """Start `server` for `site`, including `snippet` (or nothing); yield its port."""
    with running_hosts(server, site, {site.domain: snippet}) as port:
        yield port


@contextmanager
def running_hosts(server: str, site: Site, hosts: dict[str, Path | None]) -> Iterator[int]:
    """Start `server` with one virtual host (chosen by SNI and Host) per name in `hosts`,
    each including its snippet, all on one port and one document root; yield the port.
    One start serves many snippets: the certificate must cover every name."""
    executable = binary(server)
    port = free_port()
    config = {"nginx": _nginx_config, "apache": _apache_config, "caddy": _caddy_config}[server](
        site, port, hosts
    )
    command = {
        "nginx": [executable, "-p", str(site.folder), "-c", str(config), "-e", "stderr"],
        "apache": [executable, "-f", str(config), "-DFOREGROUND"],
        "caddy": [executable, "run", "--config", str(config), "--adapter", "caddyfile"],
    }[server]
    env = {
        **os.environ,
        "HOME": str(site.folder),
        "XDG_DATA_HOME": str(site.folder / "data"),
        "XDG_CONFIG_HOME": str(site.folder / "config"),
    }
    log = (site.folder / f"{server}.log").open("w+")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    try:
        _wait_for_port(port, process, log)
        yield port
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: object) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    log.seek(0)  # type: ignore[attr-defined]
    output = log.read()  # type: ignore[attr-defined]
    raise RuntimeError(f"server did not start on {port} (exit {process.poll()}):\n{output}")


def _nginx_config(site: Site, port: int, hosts: dict[str, Path | None]) -> Path:
    folder = site.folder
    temp = "\n".join(
        f"  {kind}_temp_path {folder}/tmp-{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        f"""daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
{temp}
{"".join(_nginx_server(site, port, host, snippet) for host, snippet in hosts.items())}
}}
"""
    )
    return config


def _nginx_server(site: Site, port: int, host: str, snippet: Path | None) -> str:
    include = f"include {snippet};" if snippet else ""
    return f"""
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name {host};
    ssl_certificate {site.folder}/cert.pem;
    ssl_certificate_key {site.folder}/key.pem;
    root {site.root};
    {include}
  }}
"""


def _apache_config(site: Site, port: int, hosts: dict[str, Path | None]) -> Path:
    folder = site.folder
    modules = "\n".join(
        f"LoadModule {name}_module {APACHE_MODULES}/mod_{name}.so"
        for name in (
            "mpm_event",
            "authz_core",
            "mime",
            "ssl",
            "socache_shmcb",
            "rewrite",
            "alias",
            "dir",
        )
    )
    user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
    config = folder / "httpd.conf"
    config.write_text(
        f"""{modules}
{user}
ServerName localhost
Listen 127.0.0.1:{port}
PidFile {folder}/httpd.pid
DefaultRuntimeDir {folder}
Mutex file:{folder} default
ErrorLog /dev/stderr
LogLevel warn
TypesConfig /etc/mime.types
{"".join(_apache_host(site, port, host, snippet) for host, snippet in hosts.items())}
"""
    )
    return config


def _apache_host(site: Site, port: int, host: str, snippet: Path | None) -> str:
    include = f"Include {snippet}" if snippet else ""
    return f"""
<VirtualHost 127.0.0.1:{port}>
  ServerName {host}
  DocumentRoot {site.root}
  <Directory {site.root}>
    Require all granted
    AllowOverride All
  </Directory>
  SSLEngine on
  SSLCertificateFile {site.folder}/cert.pem
  SSLCertificateKeyFile {site.folder}/key.pem
  {include}
</VirtualHost>
"""


def _caddy_config(site: Site, port: int, hosts: dict[str, Path | None]) -> Path:
    folder = site.folder
    config = folder / "Caddyfile"
    config.write_text(
        f"""{{
  admin off
  auto_https off
  storage file_system {folder}/caddy-data
}}
{"".join(_caddy_site(site, port, host, snippet) for host, snippet in hosts.items())}
"""
    )
    return config


def _caddy_site(site: Site, port: int, host: str, snippet: Path | None) -> str:
    include = f"import {snippet}" if snippet else ""
    return f"""
https://{host}:{port} {{
  bind 127.0.0.1
  tls {site.folder}/cert.pem {site.folder}/key.pem
  root * {site.root}
  {include}
  file_server
}}
"""


# What the generated-config tests share: the servers they load, and the file each server's
# snippet is written to by `generate`.
SERVER_NAMES = list(SERVERS)
SNIPPET_FILE = {
    "nginx": "nginx-remotemanagement.conf",
    "apache": "apache-remotemanagement.conf",
    "caddy": "Caddyfile",
}
