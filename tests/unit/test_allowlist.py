"""The open-to-internet rule (components/allowlist.py): judged by what a list covers, not by how it is spelt."""

from __future__ import annotations

import pytest

from components.allowlist import MIN_PREFIX, as_network, embedded_ipv4, open_to_internet_problem


@pytest.mark.parametrize("source", ["0.0.0.0/0", "0.0.0.0/00", "0.0.0.0/000", "1.2.3.4/0", " 0.0.0.0/0 ", "::/0",
                                    "0::/0", "0:0:0:0:0:0:0:0/0", "::ffff:0.0.0.0/96"])
def test_every_spelling_of_all_addresses_is_open(source):
    assert "/0" in open_to_internet_problem([source])


@pytest.mark.parametrize("source", ["*", "Any", "ANY", "any", "Internet", "INTERNET", "internet"])
def test_wildcards_and_the_internet_tag_are_open_in_any_case(source):
    assert "means any source" in open_to_internet_problem([source])


@pytest.mark.parametrize("source", ["AzureCloud", "Storage.WestEurope", "office", "10.0.0.300/24"])
def test_anything_that_is_not_an_address_counts_as_open(source):
    assert "not an IP address or CIDR" in open_to_internet_problem([source])


def test_two_halves_of_ipv4_are_open():
    assert open_to_internet_problem(["0.0.0.0/1", "128.0.0.0/1"]) is not None


def test_entries_at_the_minimum_prefix_that_together_cover_ipv4_are_open():
    problem = open_to_internet_problem([f"{first}.0.0.0/8" for first in range(256)])
    assert problem == "together its 256 IPv4 entries cover all of IPv4"


def test_all_but_one_slash_8_is_not_open():
    assert open_to_internet_problem([f"{first}.0.0.0/8" for first in range(255)]) is None


@pytest.mark.parametrize(("source", "version"), [("10.0.0.0/7", 4), ("2000::/3", 6), ("2001:db8::/31", 6)])
def test_a_prefix_shorter_than_the_minimum_is_open(source, version):
    assert f"must be /{MIN_PREFIX[version]} or narrower" in open_to_internet_problem([source])


@pytest.mark.parametrize("source", ["0.0.0.0", "::"])
def test_the_unspecified_address_is_open(source):
    assert "unspecified address" in open_to_internet_problem([source])


@pytest.mark.parametrize("sources", [["203.0.113.0/28"], ["10.0.0.0/8", "192.168.1.7"], ["2001:db8::/32"],
                                     ["VirtualNetwork", "203.0.113.9/32"], []])
def test_office_ranges_and_private_tags_are_not_open(sources):
    assert open_to_internet_problem(sources) is None


@pytest.mark.parametrize("source", ["::/64", "::/80", "::ffff:0:0/95", "::ffff:0:0/96", "::/32", "64:ff9b::/64",
                                    "64:ff9b::/96", "64:ff9b:1::/48", "64:ff9b:1:2::/64", "2001::/32",
                                    "2001:0:abcd::/48", "2001:0:abcd:1::/96"])
def test_an_ipv6_range_spanning_an_ipv4_embedding_range_reaches_all_of_ipv4(source):
    assert "reaches IPv4 0.0.0.0/0" in open_to_internet_problem([source])


@pytest.mark.parametrize(("source", "ipv4"), [("::ffff:0:0/100", "0.0.0.0/4"), ("64:ff9b::a00:0/101", "8.0.0.0/5"),
                                              ("64:ff9b:1::/100", "0.0.0.0/4"),
                                              ("2001:0:abcd::ffff:ffff/100", "0.0.0.0/4")])
def test_an_embedded_ipv4_prefix_shorter_than_the_minimum_is_open(source, ipv4):
    assert f"reaches IPv4 {ipv4}" in open_to_internet_problem([source])


@pytest.mark.parametrize("sources", [["::ffff:203.0.113.0/124"], ["64:ff9b::cb00:7100/120"], ["::ffff:10.0.0.0/104"],
                                     ["2001:0:abcd::34ff:8eff/128"]])
def test_an_embedded_office_range_is_not_open(sources):
    assert open_to_internet_problem(sources) is None


def test_the_ipv4_reached_through_embedding_counts_towards_covering_ipv4():
    mapped_and_plain = [f"::ffff:{first:x}00:0/104" for first in range(128)] + [f"{f}.0.0.0/8" for f in range(128, 256)]
    assert open_to_internet_problem(mapped_and_plain) == "together its 256 IPv4 entries cover all of IPv4"


def test_teredo_client_addresses_are_read_inverted():
    # 2001:0:4136:e378:8000:63bf:3fff:fdd2 is RFC 4380's example client 192.0.2.45.
    assert [str(n) for n in embedded_ipv4(as_network("2001:0:4136:e378:8000:63bf:3fff:fdd2"))] == ["192.0.2.45/32"]
