"""Contact details in free text: what is redacted, in which spellings, and what is left alone.

The positive cases are the spellings issue 19 lists and their usual variants; property
tests generate more of them. The negative cases are the numbers and words of ordinary
research prose, which redaction must not damage.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evstudy.contacts import (
    PLACEHOLDERS,
    ContactRedactor,
    TextRedactor,
    find_contacts,
    national_number,
)
from evstudy.privacy import NameRedactor

REGISTER_EMAILS = ["priya.shah@ullsbridge.gov.uk", "jo.lee@council.gov.uk"]
REGISTER_PHONES = ["07700 900123", "020 7946 0018"]


@pytest.fixture(scope="module")
def generic():
    return ContactRedactor()


@pytest.fixture(scope="module")
def register():
    return ContactRedactor(emails=REGISTER_EMAILS, phones=REGISTER_PHONES)


# -- emails ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "jo dot lee at council dot gov dot uk",
        "priya.shah at ullsbridge.gov.uk",
        "priya.shah@ullsbridge.gov.uk",
        "priya.shah @ ullsbridge.gov.uk",
        "priya.shah[at]ullsbridge.gov.uk",
        "priya.shah [at] ullsbridge [dot] gov [dot] uk",
        "priya.shah(at)ullsbridge(dot)gov(dot)uk",
        "priya.shah (at) ullsbridge.gov.uk",
        "priya.shah{at}ullsbridge.gov.uk",
        "priya.shah AT ullsbridge DOT gov DOT uk",
        "priya.shahATullsbridgeDOTgovDOTuk",
        "Priya.Shah At Ullsbridge Dot Gov Dot Uk".lower(),
        "jo_lee at council.gov.uk",
        "jo-lee at council dot org",
        "jo at council dot gov dot uk",
        "jo@nhs.net",
    ],
)
def test_emails_in_any_spelling_are_redacted_whole(generic, email):
    assert generic(f"You can reach her on {email}, any time.") == (
        "You can reach her on [email], any time."
    )


@pytest.mark.parametrize(
    "spelling",
    [
        "priyadotshahatullsbridgedotgovdotuk",  # every separator spelt and run together
        "priya shah at ullsbridge dot gov dot uk",  # the local part's dot said as a pause
        "PRIYA.SHAH@ULLSBRIDGE.GOV.UK",
        "priya . shah @ ullsbridge . gov . uk",
        "priya.shah [ at ] ullsbridge [ dot ] gov [ dot ] uk",
        "priya period shah at ullsbridge dot gov dot uk",
    ],
)
def test_a_register_email_is_matched_in_spellings_the_general_pattern_misses(
    generic, register, spelling
):
    assert register(f"Email {spelling} today") == "Email [email] today"
    # The general pattern alone leaves at least the first of these, which is why the
    # register's values are matched on their own.
    if spelling == "priyadotshahatullsbridgedotgovdotuk":
        assert generic(spelling) == spelling


_LABEL = st.text("bcdfghjkmnpqrstvwxz", min_size=3, max_size=8).map(lambda s: "q" + s)
_AT_SPELLINGS = ["@", " @ ", " at ", " AT ", "[at]", " [at] ", "(at)", " (at) ", "{at}"]
_DOT_SPELLINGS = [".", " dot ", " DOT ", "[dot]", " [dot] ", "(dot)", " (dot) "]


@settings(max_examples=200, deadline=None)
@given(
    local=st.lists(_LABEL, min_size=1, max_size=3),
    domain=st.lists(_LABEL, min_size=1, max_size=3),
    tld=st.sampled_from(["uk", "gov.uk", "org.uk", "com", "org", "net", "nhs.uk", "ac.uk"]),
    at=st.sampled_from(_AT_SPELLINGS),
    dot=st.sampled_from(_DOT_SPELLINGS),
    local_dot=st.sampled_from([".", " dot ", "[dot]", "_", "-"]),
)
def test_property_spelt_out_emails_leave_nothing_behind(
    generic, local, domain, tld, at, dot, local_dot
):
    # A one-word local part before a bare "at" could be prose; it is covered by the
    # register matching and by the case above ("jo at council dot gov dot uk").
    if len(local) == 1 and at.strip().casefold() == "at" and dot == ".":
        local = [*local, "x"]
    address = local_dot.join(local) + at + dot.join([*domain, *tld.split(".")])
    redacted = generic(f"Contact: {address}. Thanks")
    assert redacted == "Contact: [email]. Thanks", address


# -- phone numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "+44 7700 900 123",
        "020 7946 0018",
        "02079460018",
        "020-7946-0018",
        "020.7946.0018",
        "(020) 7946 0018",
        "+44 (0)20 7946 0018",
        "+44 20 7946 0018",
        "+442079460018",
        "0044 20 7946 0018",
        "07700 900123",
        "07700 900 123",
        "07700-900-123",
        "0161 496 0000",
        "01632 960902",
        "0113 496 0000",
        "0800 123 4567",
    ],
)
def test_uk_phone_numbers_in_their_common_formats_are_redacted(generic, phone):
    assert generic(f"Ring {phone} after 5.") == "Ring [phone] after 5."
    assert generic(f"tel:{phone}") == "tel:[phone]"


@pytest.mark.parametrize(
    "spelling",
    ["0 7 7 0 0 9 0 0 1 2 3", "077 009 001 23", "+4 4 7 7 0 0 9 0 0 1 2 3", "07700/900/123"],
)
def test_a_register_phone_is_matched_with_its_digits_split_in_any_way(register, spelling):
    assert register(f"my mobile is {spelling}.") == "my mobile is [phone]."


def test_a_number_followed_by_another_loses_only_the_phone(generic):
    assert generic("020 7946 0018 2019") == "[phone] 2019"


_SEPARATOR = st.sampled_from([" ", "-", ".", ""])


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["mobile", "london", "area4", "area5"]),
    digits=st.text("0123456789", min_size=8, max_size=8),
    prefix=st.sampled_from(["0", "+44 ", "+44", "+44 (0)", "0044 "]),
    sep=_SEPARATOR,
)
def test_property_uk_numbers_grouped_any_way_are_redacted(generic, kind, digits, prefix, sep):
    national = {
        "mobile": "77" + digits[:8],  # 07 + 9 digits
        "london": "20" + digits,  # 020 + 8 digits
        "area4": "113" + digits[:7],  # 0113 + 7 digits
        "area5": "1632" + digits[:6],  # 01632 + 6 digits
    }[kind]
    groups = {
        "mobile": [national[:4], national[4:7], national[7:]],
        "london": [national[:2], national[2:6], national[6:]],
        "area4": [national[:3], national[3:6], national[6:]],
        "area5": [national[:4], national[4:]],
    }[kind]
    phone = prefix + sep.join(groups)
    assert national_number(phone) == "0" + national
    assert generic(f"call {phone} now") == "call [phone] now", phone


# -- postcodes and IP addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode", ["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "ls1 4ap", "EC1A1BB"]
)
def test_postcodes_are_redacted(generic, postcode):
    assert generic(f"the office at {postcode}, by the station") == (
        "the office at [postcode], by the station"
    )


def test_ip_addresses_are_redacted_and_version_numbers_are_not(generic):
    assert generic("from 81.2.69.160 at night") == "from [IP address] at night"
    assert generic("Python 3.11.7.1 and release 1.2.3.4") == "Python 3.11.7.1 and release 1.2.3.4"


# -- what must stay -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We need to look at the data at the end of the year.",
        "Look at gov.uk for the guidance, and we looked at bbc.co.uk too.",
        "You have to dot the i's and cross the t's.",
        "It was published at what.works and at www.eif.org.uk.",
        "In 2019-2020 we spent £1,200,000, up 12.5% on 2018/19.",
        "Between 2019 and 2023, 4-5 sites, 10-12 people and 1,234 referrals.",
        "We met on 01/02/2023, 2023-01-15 and 15.01.2023 at 10:30 or 09:00-17:00.",
        "Sites S01, S02 and S09 and documents IF-S01-03, SVY-R012-Q7 and K00123.",
        "version 1.2.3, v2.0.1, Python 3.11.7 and 0.5 of 0.25",
        "A budget of £0.5m, 50,000 children and 100,000 families; 12345 in 2021.",
        "Year 10 and Y10 2nd term, the 1st and 3rd of May, the M62 and A1 roads.",
        "a ratio of 1:20, 200:1, 3 to 5 years, 24/7 and 365 days",
        "room 0.12 and page 012",
        "Covid-19 in 2020, NHS 111 and 999 calls",
        "info at the front desk; the data dot plots",
    ],
)
def test_ordinary_prose_and_numbers_are_left_alone(generic, text):
    assert generic(text) == text
    assert list(find_contacts(text)) == []


@settings(max_examples=300, deadline=None)
@given(
    number=st.one_of(
        st.integers(0, 10**9).map(lambda n: f"£{n:,}"),
        st.integers(0, 10**9).map(lambda n: f"{n:,}"),
        st.integers(1900, 2100).map(str),
        st.tuples(st.integers(1900, 2100), st.integers(0, 99)).map(lambda t: f"{t[0]}/{t[1]:02d}"),
        st.tuples(st.integers(1, 28), st.integers(1, 12), st.integers(1990, 2030)).map(
            lambda t: f"{t[0]:02d}/{t[1]:02d}/{t[2]}"
        ),
        st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}"),
        st.floats(0, 100, allow_nan=False).map(lambda f: f"{f:.1f}%"),
        st.tuples(st.integers(0, 99), st.integers(0, 99)).map(lambda t: f"{t[0]}-{t[1]}"),
        st.tuples(st.integers(0, 20), st.integers(0, 99), st.integers(0, 99)).map(
            lambda t: f"{t[0]}.{t[1]}.{t[2]}"
        ),
        st.integers(1, 99).map(lambda n: f"S{n:02d}"),
    ),
    words=st.sampled_from(["in", "at", "about", "from", "rose to", "dot"]),
)
def test_property_numbers_of_research_prose_are_left_alone(generic, number, words):
    text = f"The figure {words} {number} and {number} again"
    assert generic(text) == text


# -- the redactor ingest uses ---------------------------------------------------------------


def test_text_redactor_takes_contact_details_before_names():
    redact = TextRedactor(
        NameRedactor(["Priya Shah"]), ContactRedactor(emails=["priya.shah@ullsbridge.gov.uk"])
    )
    assert redact("Priya Shah said: email Priya Shah at ullsbridge dot gov dot uk") == (
        "[name] said: email [email]"
    )


def test_find_contacts_names_each_kind_in_order():
    text = "jo@x.org, 020 7946 0018, SW1A 1AA and 10.0.0.1"
    assert list(find_contacts(text)) == [
        ("email", "jo@x.org"),
        ("phone", "020 7946 0018"),
        ("postcode", "SW1A 1AA"),
        ("ip", "10.0.0.1"),
    ]
    assert set(PLACEHOLDERS) == {"email", "phone", "postcode", "ip"}
    assert all(re.fullmatch(r"\[[\w ]+\]", p) for p in PLACEHOLDERS.values())
