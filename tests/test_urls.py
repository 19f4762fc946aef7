"""Which API addresses may carry the key over plain http: only ones that cannot leave this machine.

"Loopback" means an IP literal that Python's ``ipaddress`` calls loopback (127.0.0.0/8, ``::1``,
IPv4-mapped ``::ffff:127.x.y.z``) or the name ``localhost`` exactly. Anything a resolver must be
asked about (a DNS name that merely looks local) travels over the network, so plain http to it
needs ``--insecure``.
"""

from __future__ import annotations

import pytest

from unibox_tui.api.errors import InsecureURLError
from unibox_tui.api.urls import is_loopback, normalise_base_url, same_api_address

#: (address, accepted over plain http without --insecure?, why)
PLAIN_HTTP_CASES = [
    ("http://127.0.0.1:8765", True, "the IPv4 loopback address"),
    ("http://127.0.0.2", True, "anything in 127.0.0.0/8 is loopback"),
    ("http://127.255.255.254:80", True, "the top of 127.0.0.0/8"),
    ("http://[::1]:8765", True, "the IPv6 loopback address"),
    ("http://[::ffff:127.0.0.1]", True, "IPv4-mapped 127.0.0.1: the kernel connects to 127.0.0.1"),
    ("http://[::ffff:7f00:1]", True, "the same mapped address written in hex"),
    ("http://localhost:8765", True, "the reserved name, resolved from the hosts file"),
    ("http://LocalHost", True, "host names are case-insensitive"),
    ("http://localhost.", False, "a fully-qualified name may be sent to a DNS server: not trusted"),
    ("http://127.attacker.example", False, "a DNS name that only starts like 127."),
    ("http://127.0.0.1.nip.io", False, "a DNS name that a public service resolves to 127.0.0.1"),
    ("http://localhost.attacker.example", False, "a DNS name that only starts like localhost"),
    ("http://0x7f.1", False, "hex shorthand: not an address ipaddress accepts (resolver-dependent)"),
    ("http://2130706433", False, "a decimal integer: not an address ipaddress accepts"),
    ("http://0177.0.0.1", False, "octal octets: ipaddress refuses leading zeros"),
    ("http://017700000001", False, "a whole octal integer"),
    ("http://127.1", False, "the short form inet_aton accepts but ipaddress does not"),
    ("http://0.0.0.0", False, "the unspecified address, not loopback"),
    ("http://[::]", False, "the unspecified IPv6 address"),
    ("http://[::ffff:10.0.0.1]", False, "a mapped address that is not loopback"),
    ("http://10.0.0.5", False, "a private address is still the network"),
    ("http://127.0.0.1@evil.example", False, "user-info: the host is evil.example"),
    ("http://localhost:80@evil.example", False, "user-info with a port-looking part"),
    ("http://evil.example#@127.0.0.1", False, "the fragment hides nothing: the host is evil.example"),
    ("http://evil.example\\@127.0.0.1", False, "a backslash: parsers disagree on where the host ends"),
    ("http://127.0.0.1 .evil.example", False, "a space in the host"),
]


@pytest.mark.parametrize("url,accepted,why", PLAIN_HTTP_CASES, ids=[case[0] for case in PLAIN_HTTP_CASES])
def test_plain_http_is_accepted_only_for_addresses_that_cannot_leave_the_machine(url, accepted, why):
    if accepted:
        assert normalise_base_url(url).startswith("http://"), why
    else:
        with pytest.raises(InsecureURLError):
            normalise_base_url(url)


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1@evil.example", "https://user:pw@reachkit.ai", "https://reachkit.ai?x=1", "https://reachkit.ai/#x"],
)
def test_user_info_queries_and_fragments_are_never_an_api_address(url):
    """A user name in front of the host is the classic way to disguise where a URL goes."""
    with pytest.raises(InsecureURLError):
        normalise_base_url(url, allow_insecure=True)


def test_insecure_allows_plain_http_to_any_host_but_not_a_disguised_one():
    assert normalise_base_url("http://127.attacker.example", allow_insecure=True) == "http://127.attacker.example"
    with pytest.raises(InsecureURLError):
        normalise_base_url("http://127.0.0.1@evil.example", allow_insecure=True)


def test_is_loopback_on_bare_hosts():
    assert is_loopback("127.0.0.1") and is_loopback("[::1]") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("127.attacker.example") and not is_loopback("") and not is_loopback("localhost.")


def test_same_api_address_ignores_only_spelling():
    assert same_api_address("https://Reachkit.AI/api/v1/", "https://reachkit.ai")
    assert same_api_address("reachkit.ai", "https://reachkit.ai:443")
    assert same_api_address("http://127.0.0.1:80", "http://127.0.0.1/")
    assert not same_api_address("https://reachkit.ai", "https://eu.reachkit.ai")
    assert not same_api_address("http://127.0.0.1:8001", "http://127.0.0.1:8002")
    assert not same_api_address("http://reachkit.ai", "https://reachkit.ai")
