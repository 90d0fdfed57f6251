"""`--nameserver ADDR[:PORT]` is read as `dig @server` reads it, and anything else is one
clear line."""

from __future__ import annotations

import pytest

from wizard.core.domains import InvalidInput
from wizard.core.prerequisites.dns_txt import Nameserver, parse_nameserver


@pytest.mark.parametrize(
    ("text", "address", "port", "shown"),
    [
        ("192.0.2.53", "192.0.2.53", 53, "192.0.2.53"),
        ("192.0.2.53:5353", "192.0.2.53", 5353, "192.0.2.53:5353"),
        ("192.0.2.53:53", "192.0.2.53", 53, "192.0.2.53"),
        (" 127.0.0.1:1 ", "127.0.0.1", 1, "127.0.0.1:1"),
        ("2001:db8::53", "2001:db8::53", 53, "2001:db8::53"),
        ("2001:DB8:0::53", "2001:db8::53", 53, "2001:db8::53"),
        ("::1", "::1", 53, "::1"),
        # A bare IPv6 address is all address, as for dig: ::1:53 is an address of its own.
        ("::1:53", "::1:53", 53, "::1:53"),
        ("[2001:db8::53]", "2001:db8::53", 53, "2001:db8::53"),
        ("[2001:db8::53]:5353", "2001:db8::53", 5353, "[2001:db8::53]:5353"),
        ("[::1]:65535", "::1", 65535, "[::1]:65535"),
    ],
)
def test_good_forms(text: str, address: str, port: int, shown: str) -> None:
    server = parse_nameserver(text)
    assert server == Nameserver(address, port)
    assert str(server) == shown
    assert parse_nameserver(str(server)) == server  # what is shown can be typed back


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("ns1.example.com", "not an IP address; give the server's address"),
        ("ns1.example.com:53", "not an IP address; give the server's address"),
        ("localhost", "not an IP address"),
        ("", "needs a DNS server's IP address"),
        ("   ", "needs a DNS server's IP address"),
        ("192.0.2.53:0", "the port must be a number from 1 to 65535"),
        ("192.0.2.53:65536", "the port must be a number from 1 to 65535"),
        ("192.0.2.53:http", "the port must be a number from 1 to 65535"),
        ("192.0.2.53:+53", "the port must be a number from 1 to 65535"),
        ("192.0.2.53:５３", "the port must be a number from 1 to 65535"),
        ("192.0.2.53:", "no port after the colon"),
        ("[2001:db8::53]:", "no port after the colon"),
        ("[2001:db8::53", "is not ADDR[:PORT]"),
        ("[2001:db8::53]5353", "is not ADDR[:PORT]"),
        ("[192.0.2.53]:53", "brackets are for an IPv6 address"),
        ("[ns1.example.com]:53", "not an IP address"),
        ("192.0.2.256", "not an IP address"),
        (":53", "not an IP address"),
        ("192.0.2.53:53:53", "not an IP address"),
    ],
)
def test_bad_forms_are_one_clear_line(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_nameserver(text)
    message = str(raised.value)
    assert message.startswith("--nameserver")
    assert says in message
    assert "\n" not in message and message.isprintable()


def test_the_label_names_the_field_and_hostile_input_is_shown_safely() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_nameserver("\x1b[2Jns1\n.example", label="Name server")
    message = str(raised.value)
    assert message.startswith("Name server '\\x1b[2Jns1\\n.example' is not an IP address")
    assert message.isprintable()
    with pytest.raises(InvalidInput) as raised:
        parse_nameserver("a" * 5000)
    assert len(str(raised.value)) < 300
