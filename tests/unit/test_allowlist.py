"""The open-to-internet rule (components/allowlist.py): judged by what a list covers, not by how it is spelt."""

from __future__ import annotations

import pytest

from components.allowlist import (MIN_PREFIX, PUBLIC_CEILING, Allowlist, as_network, embedded_ipv4,
                                  open_to_internet_problem, parse_allowlist)


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


def test_all_but_one_slash_8_is_over_the_public_ceiling():
    problem = open_to_internet_problem([f"{first}.0.0.0/8" for first in range(255)])
    assert problem is not None and "over the ceiling of 16,777,216 (one /8)" in problem


def test_exactly_one_public_slash_8_is_at_the_ceiling_and_admitted():
    assert PUBLIC_CEILING[4] == 2**24
    assert open_to_internet_problem(["20.0.0.0/8"]) is None


def test_one_address_over_the_ceiling_is_open():
    assert "over the ceiling" in open_to_internet_problem(["20.0.0.0/8", "40.1.2.3/32"])


def test_private_ranges_do_not_count_towards_the_ceiling():
    assert open_to_internet_problem(["20.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                     "100.64.0.0/10"]) is None


def test_the_ipv6_ceiling_is_one_slash_32():
    assert open_to_internet_problem(["2a01::/32"]) is None
    assert "over the ceiling" in open_to_internet_problem(["2a01::/32", "2a02::1/128"])


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


def test_an_allowlist_parses_into_canonical_cidrs():
    assert parse_allowlist(["10.100.0.0/24", "2a01:AB::/48"], False, "port 9999") == (
        Allowlist(("10.100.0.0/24", "2a01:ab::/48"), False), None)


@pytest.mark.parametrize("entry", ["10.0.0.0/255.0.0.0", "0.0.0.0/0.0.0.0", "10.0.0.0/0.255.255.255", "10.1.2.3",
                                   "10.0.0.0/08", " 10.0.0.0/8", "10.0.0.0/8\n"])
def test_only_cidr_notation_is_accepted(entry):
    allowlist, problem = parse_allowlist([entry], False, "port 9999")
    assert allowlist == Allowlist((), False)
    assert problem is not None and problem.setting == "allowedSourceCidrs" and "CIDR" in problem.reason


@pytest.mark.parametrize("entry", ["192.0.2.0/24", "198.51.100.7/32", "203.0.113.0/28", "2001:db8::/48",
                                   "3fff:1::/64", "192.0.0.0/8"])
def test_documentation_ranges_are_refused(entry):
    _, problem = parse_allowlist([entry], False, "port 9999")
    assert problem is not None and "documentation range" in problem.reason


def test_a_list_with_allow_any_source_is_a_contradiction():
    allowlist, problem = parse_allowlist(["10.100.0.0/24"], True, "port 9999")
    assert allowlist == Allowlist((), False)
    assert problem is not None and problem.setting == "allowAnySource" and "contradicts" in problem.reason


def test_an_empty_allowlist_says_how_to_set_one():
    _, problem = parse_allowlist([], False, "port 9999")
    assert problem is not None
    assert "list at least one source CIDR for port 9999: pulumi config set --path 'allowedSourceCidrs[0]'" in \
        problem.reason


def test_a_near_total_allowlist_is_refused_by_the_settings_with_the_ceiling():
    _, problem = parse_allowlist([f"{first}.0.0.0/8" for first in range(1, 256)], False, "port 9999")
    assert problem is not None and "opens port 9999 to the internet" in problem.reason
    assert "ceiling of 16,777,216" in problem.reason
