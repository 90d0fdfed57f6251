"""Apache, NGINX, Caddy and IIS: snippets that go inside the site the admin already has.

None of them sets a document root: they work with the root the site already serves, so the
discovery document goes into that root's `.well-known/` folder.
"""

from __future__ import annotations

from wizard.core.artifacts.escaping import (
    apache_argument,
    apache_rewrite_substitution,
    caddy_string,
    iis_rewrite_url,
    nginx_string,
    xml_comment,
)
from wizard.core.artifacts.model import (
    QUERY_WHY_LINES,
    Artifact,
    Plan,
    Setup,
    publish_step,
    server_plan,
    why_comment,
)
from wizard.core.protocol import DOCUMENT_PATH, WELL_KNOWN_PATH

# The path as a regular expression (nginx, Apache and IIS alike): its dots literal.
_PATH_PATTERN = DOCUMENT_PATH.replace(".", r"\.")
_REGEX_PATH = rf"^/?{_PATH_PATTERN}$"
APACHE_ONCE = (
    "A <VirtualHost> (or DocumentRoot) that serves several of these domains needs it once."
)


def apache(setup: Setup) -> Plan:
    if setup.method == "redirect":
        vhost_rules, htaccess_rules = _apache_redirect(setup)
        steps = [
            "Enable mod_rewrite: sudo a2enmod rewrite (RHEL: it is on by default)."
            if setup.forward_query
            else "mod_alias (Redirect) is enabled by default.",
            *_apache_hosts(
                setup,
                "or use the .htaccess variant in its DocumentRoot (with AllowOverride FileInfo)",
            ),
            "Check and reload: sudo apachectl configtest && sudo systemctl reload apache2.",
        ]
    else:
        vhost_rules = (
            f'<Location "{WELL_KNOWN_PATH}">\n    ForceType application/json\n</Location>\n'
        )
        htaccess_rules = (
            '<Files "com.apple.remotemanagement">\n    ForceType application/json\n</Files>\n'
        )
        steps = [
            publish_step(setup) + " Put it under the site's DocumentRoot.",
            *_apache_hosts(setup, "or put the .htaccess variant in DocumentRoot/.well-known/"),
            "Check and reload: sudo apachectl configtest && sudo systemctl reload apache2.",
        ]
    header = setup.commented("# ", ("Valid inside a <VirtualHost> block.",))
    htaccess_header = setup.commented("# ", (".htaccess variant.",))
    # Where the steps put the .htaccess variant: the DocumentRoot for the redirect (its rule
    # names the path from there), DocumentRoot/.well-known/ beside the document it types.
    htaccess = ".htaccess" if setup.method == "redirect" else ".well-known/.htaccess"
    configs = [
        Artifact(
            "apache-remotemanagement.conf", "Apache: inside <VirtualHost>", header + vhost_rules
        ),
        Artifact(htaccess, "Apache: .htaccess variant", htaccess_header + htaccess_rules),
    ]
    return server_plan("apache", setup, configs, steps)


def _apache_hosts(setup: Setup, variant: str) -> list[str]:
    return setup.per_domain(
        lambda domain: (
            f"For {domain}: paste apache-remotemanagement.conf inside its <VirtualHost *:443> "
            f"(ServerName or ServerAlias), {variant}."
        ),
        "A <VirtualHost> (or DocumentRoot) that serves several of these domains needs it once.",
    )


def _apache_redirect(setup: Setup) -> tuple[str, str]:
    target = setup.redirect_target
    if setup.forward_query:
        # QSA merges the request's query after the target's own, with no stray `&` when
        # the request has none; NE keeps mod_rewrite from escaping the target again.
        rules = (
            why_comment("# ") + "RewriteEngine On\n"
            f"RewriteRule {_REGEX_PATH} {apache_rewrite_substitution(target)} [R=301,QSA,NE,L]\n"
        )
        return rules, rules
    # The vendor's form (mod_alias): drops the device's query when the target has its own.
    rule = f"Redirect 301 {WELL_KNOWN_PATH} {apache_argument(target)}\n"
    return rule, rule


def nginx(setup: Setup) -> Plan:
    if setup.method == "redirect":
        body = _nginx_redirect(setup)
        steps = [
            *_nginx_blocks(setup),
            "Check and reload: sudo nginx -t && sudo systemctl reload nginx.",
        ]
    else:
        body = (
            f"location = {WELL_KNOWN_PATH} {{\n"
            "    # The file has no extension, so nginx would send its default type.\n"
            "    default_type application/json;\n"
            "}\n"
        )
        steps = [
            publish_step(setup) + " Put it under the server's root.",
            *_nginx_blocks(setup),
            "Check and reload: sudo nginx -t && sudo systemctl reload nginx.",
        ]
    header = setup.commented("# ", ("Valid inside a server { } block.",))
    config = Artifact("nginx-remotemanagement.conf", "NGINX: inside server { }", header + body)
    return server_plan("nginx", setup, [config], steps)


def _nginx_blocks(setup: Setup) -> list[str]:
    return setup.per_domain(
        lambda domain: (
            f"For {domain}: paste nginx-remotemanagement.conf (or include it) inside its "
            "server { } block that listens on 443."
        ),
        "A server { } block that serves several of these domains needs the lines once.",
    )


def _nginx_redirect(setup: Setup) -> str:
    target = setup.redirect_target
    if not setup.forward_query:
        return f"location = {WELL_KNOWN_PATH} {{\n    return 301 {nginx_string(target)};\n}}\n"
    # `return` does not append arguments by itself, and "TARGET&$args" would leave a
    # dangling `&` when the request has none: append only when $args is non-empty.
    return (
        f"location = {WELL_KNOWN_PATH} {{\n"
        + why_comment("# ", "    ")
        + f"    set $adue_target {nginx_string(target)};\n"
        "    if ($args) {\n"
        f'        set $adue_target "${{adue_target}}{setup.query_separator}${{args}}";\n'
        "    }\n"
        "    return 301 $adue_target;\n"
        "}\n"
    )


def caddy(setup: Setup) -> Plan:
    if setup.method == "redirect":
        target = setup.redirect_target
        if setup.forward_query:
            # A `route` keeps the order: with a query, append it; without, the bare target
            # (so there is never a dangling separator).
            body = why_comment("# ") + (
                f"route {WELL_KNOWN_PATH} {{\n"
                '    @adue_with_query expression {query} != ""\n'
                "    redir @adue_with_query "
                f"{caddy_string(target + setup.query_separator, '{query}')} 301\n"
                f"    redir {caddy_string(target)} 301\n"
                "}\n"
            )
        else:
            body = f"redir {WELL_KNOWN_PATH} {caddy_string(target)} 301\n"
        steps = [
            *_caddy_blocks(setup),
            "Reload: sudo systemctl reload caddy (or caddy reload).",
        ]
    else:
        body = f"header {WELL_KNOWN_PATH} Content-Type application/json\n"
        steps = [
            publish_step(setup) + " Put it under the site's root (file_server serves it).",
            *_caddy_blocks(setup),
            "Reload: sudo systemctl reload caddy (or caddy reload).",
        ]
    header = setup.commented("# ", ("Valid inside a site block.",))
    config = Artifact("Caddyfile", "Caddy: inside the site block", header + body)
    return server_plan("caddy", setup, [config], steps)


def _caddy_blocks(setup: Setup) -> list[str]:
    return setup.per_domain(
        lambda domain: (
            f"For {domain}: paste the Caddyfile lines inside its site block, or `import` the "
            "file there."
        ),
        "A site block that serves several of these domains needs the lines once.",
    )


def iis(setup: Setup) -> Plan:
    comment = "\n".join(
        f"     {xml_comment(line)}" for line in setup.header(as_typed=True)
    ).lstrip()
    if setup.method == "redirect":
        inner = _iis_redirect(setup)
        steps = [
            "Install the IIS URL Rewrite module (the MSI from Microsoft).",
            *_iis_sites(setup, "or add the rules in IIS Manager > URL Rewrite"),
        ]
    else:
        inner = (
            f'  <location path="{WELL_KNOWN_PATH.lstrip("/")}">\n'
            "    <system.webServer>\n"
            "      <staticContent>\n"
            '        <!-- IIS refuses to serve unmapped types; "." means extensionless. -->\n'
            '        <remove fileExtension="." />\n'
            '        <mimeMap fileExtension="." mimeType="application/json" />\n'
            "      </staticContent>\n"
            "    </system.webServer>\n"
            "  </location>\n"
        )
        steps = [
            publish_step(setup) + " Put it under the site's physical path.",
            *_iis_sites(setup, "keep your other settings"),
        ]
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!-- {comment} -->\n"
        "<configuration>\n"
        f"{inner}"
        "</configuration>\n"
    )
    config = Artifact("web.config", "IIS: complete web.config", content)
    return server_plan("iis", setup, [config], steps)


def _iis_sites(setup: Setup, how: str) -> list[str]:
    return setup.per_domain(
        lambda domain: (
            f"For {domain}: merge web.config into the root of the IIS site bound to it ({how})."
        ),
        "A site bound to several of these domains needs it once.",
    )


def _iis_redirect(setup: Setup) -> str:
    target = setup.redirect_target
    rule_open = (
        '      <rule name="{name}" stopProcessing="true">\n'
        f'        <match url="^{_PATH_PATTERN}$" />\n'
    )
    forward = ""
    with_query = iis_rewrite_url(target + setup.query_separator, "{C:0}")
    if setup.forward_query:
        forward = (
            f"        <!-- {' '.join(QUERY_WHY_LINES)} -->\n"
            + rule_open.format(name="ADUE discovery (with query)")
            + "        <conditions>\n"
            '          <add input="{QUERY_STRING}" pattern=".+" />\n'
            "        </conditions>\n"
            f'        <action type="Redirect" url={with_query} '
            'appendQueryString="false" redirectType="Permanent" />\n'
            "      </rule>\n"
        )
    plain = (
        rule_open.format(name="ADUE discovery")
        + f'        <action type="Redirect" url={iis_rewrite_url(target)} '
        'appendQueryString="false" redirectType="Permanent" />\n'
        "      </rule>\n"
    )
    return (
        "  <system.webServer>\n"
        "    <rewrite>\n"
        "      <rules>\n"
        f"{forward}{plain}"
        "      </rules>\n"
        "    </rewrite>\n"
        "  </system.webServer>\n"
    )
