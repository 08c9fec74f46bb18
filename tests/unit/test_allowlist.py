"""The open-to-internet rule (components/allowlist.py): judged by what a list covers, not by how it is spelt."""

from __future__ import annotations

import pytest

from components.allowlist import MIN_PREFIX, open_to_internet_problem


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
