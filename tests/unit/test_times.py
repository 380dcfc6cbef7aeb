"""Timestamp parsing (core/times.py): hand-computed UTC epoch seconds, no qgis/Qt.

Every expected value is written out by hand with ``datetime(..., tzinfo=timezone.utc)`` (UTC
wall-clock), never computed with the code under test. Europe/London facts used here:
GMT (UTC+0) in winter, BST (UTC+1) from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC; on Sunday
2026-03-29 local clocks jump 01:00 -> 02:00 (01:xx does not exist) and on Sunday 2026-10-25 they
go back 02:00 -> 01:00 (01:xx happens twice: first BST, then GMT).
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

import numpy as np
import pytest

from hotspot_patrol_plugin.core.times import (
    AMBIGUOUS,
    MISSING,
    NONEXISTENT,
    OK,
    PROBLEM_TEXT,
    UNPARSEABLE,
    parse_instant,
    parse_times,
)


def utc(*args) -> float:
    """UTC epoch seconds of a UTC wall-clock time, e.g. utc(2026, 1, 15, 12, 0)."""
    return datetime(*args, tzinfo=timezone.utc).timestamp()


def parse(values, **kw):
    return parse_times(np.array(values, dtype=object), **kw)


def assert_seconds(parsed, expected):
    """Element-wise equality with NaN == NaN, and problem OK exactly where a value is expected."""
    got = parsed.seconds
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected)):
        if e is None:
            assert math.isnan(g), f"value {i}: expected NaN, got {g!r}"
            assert parsed.problem[i] != OK, f"value {i}: failed value marked OK"
        else:
            assert g == pytest.approx(e, abs=1e-6), f"value {i}: {g!r} != {e!r}"
            assert parsed.problem[i] == OK, f"value {i}: problem {parsed.problem[i]}"


# --------------------------------------------------------------------------- the constants
def test_hand_computed_constants_are_right():
    # guards the literals used below against typos (these are facts, not code under test)
    assert utc(2026, 1, 15, 12, 0) == 1768478400.0
    assert utc(2026, 7, 1, 11, 0) == 1782903600.0
    assert utc(1970, 1, 1, 0, 0) == 0.0


# --------------------------------------------------------------------------- ISO 8601 text
@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-01-15T12:00:00Z", utc(2026, 1, 15, 12, 0)),
        ("2026-01-15T12:00:00z", utc(2026, 1, 15, 12, 0)),
        ("2026-07-01T12:00:00Z", utc(2026, 7, 1, 12, 0)),
        ("2026-07-01T12:00:00+01:00", utc(2026, 7, 1, 11, 0)),
        ("2026-01-15T12:00:00+01:00", utc(2026, 1, 15, 11, 0)),
        ("2026-01-15T12:00:00-05:00", utc(2026, 1, 15, 17, 0)),
        ("2026-01-15T12:00:00+0530", utc(2026, 1, 15, 6, 30)),
        ("2026-01-15T12:00:00+00:00", utc(2026, 1, 15, 12, 0)),
        ("2026-01-15 12:00:00Z", utc(2026, 1, 15, 12, 0)),
        ("2026-01-15t12:00:00z", utc(2026, 1, 15, 12, 0)),
        ("20260115T120000Z", utc(2026, 1, 15, 12, 0)),
        ("2026-07-01T12:00:00 +01:00", utc(2026, 7, 1, 11, 0)),
        ("2026-07-01 12:00:00+01:00", utc(2026, 7, 1, 11, 0)),
        ("  2026-01-15T12:00:00Z  ", utc(2026, 1, 15, 12, 0)),
        # an explicit offset wins over the time zone, even inside the spring gap
        ("2026-03-29T01:30:00Z", utc(2026, 3, 29, 1, 30)),
        ("2026-03-29T01:30:00+00:00", utc(2026, 3, 29, 1, 30)),
        # and resolves the repeated autumn hour by itself
        ("2026-10-25T01:30:00+01:00", utc(2026, 10, 25, 0, 30)),
        ("2026-10-25T01:30:00+00:00", utc(2026, 10, 25, 1, 30)),
    ],
)
def test_iso_with_offset(text, expected):
    assert_seconds(parse([text]), [expected])


@pytest.mark.parametrize(
    "text, expected",
    [
        # winter: Europe/London is GMT = UTC
        ("2026-01-15T12:00:00", utc(2026, 1, 15, 12, 0)),
        ("2026-01-15 12:00:00", utc(2026, 1, 15, 12, 0)),
        ("2026-01-15T12:00", utc(2026, 1, 15, 12, 0)),
        ("2026-01-15t12:00:00", utc(2026, 1, 15, 12, 0)),
        ("20260115T120000", utc(2026, 1, 15, 12, 0)),
        ("2026-12-31T23:59:59", utc(2026, 12, 31, 23, 59, 59)),
        # summer: BST = UTC+1
        ("2026-07-01T12:00:00", utc(2026, 7, 1, 11, 0)),
        ("2026-07-01 12:00:00", utc(2026, 7, 1, 11, 0)),
        ("2026-07-01T00:30:00", utc(2026, 6, 30, 23, 30)),
        # just either side of the spring change (01:00 GMT -> 02:00 BST)
        ("2026-03-29T00:59:59", utc(2026, 3, 29, 0, 59, 59)),
        ("2026-03-29T02:00:00", utc(2026, 3, 29, 1, 0)),
        ("2026-03-29T02:30:00", utc(2026, 3, 29, 1, 30)),
        # just either side of the repeated autumn hour (unambiguous)
        ("2026-10-25T00:59:59", utc(2026, 10, 24, 23, 59, 59)),
        ("2026-10-25T02:00:00", utc(2026, 10, 25, 2, 0)),
        # date only: local midnight (BST in July, so 23:00 UTC the day before)
        ("2026-07-01", utc(2026, 6, 30, 23, 0)),
        ("2026-01-15", utc(2026, 1, 15, 0, 0)),
    ],
)
def test_naive_iso_is_local_to_europe_london(text, expected):
    assert_seconds(parse([text]), [expected])


def test_naive_in_other_timezones():
    assert_seconds(parse(["2026-07-01T12:00:00"], timezone="UTC"), [utc(2026, 7, 1, 12, 0)])
    # New York in July is EDT = UTC-4
    assert_seconds(parse(["2026-07-01T12:00:00"], timezone="America/New_York"), [utc(2026, 7, 1, 16, 0)])
    # offsets are not affected by the time zone
    assert_seconds(parse(["2026-07-01T12:00:00Z"], timezone="America/New_York"), [utc(2026, 7, 1, 12, 0)])


def test_fractional_seconds():
    parsed = parse(
        [
            "2026-01-15T12:00:00.25Z",
            "2026-07-01 12:00:00.125",
            "2026-01-15T12:00:00.500+01:00",
            "2026-01-15T12:00:00.000001Z",
            "2026-01-15T12:00:00.75",
        ]
    )
    expected = [
        utc(2026, 1, 15, 12, 0) + 0.25,
        utc(2026, 7, 1, 11, 0) + 0.125,
        utc(2026, 1, 15, 11, 0) + 0.5,
        utc(2026, 1, 15, 12, 0) + 1e-6,
        utc(2026, 1, 15, 12, 0) + 0.75,
    ]
    assert_seconds(parsed, expected)
    # binary fractions are exact: no rounding through nanosecond floats
    assert parsed.seconds[0] == 1768478400.25
    assert parsed.seconds[1] == 1782903600.125


def test_mixed_iso_forms_in_one_column():
    parsed = parse(
        [
            "2026-07-01T12:00:00",
            "2026-07-01 12:00:00Z",
            "2026-07-01T12:00:00.5+02:00",
            "2026-01-15 12:00",
        ]
    )
    assert_seconds(
        parsed,
        [
            utc(2026, 7, 1, 11, 0),
            utc(2026, 7, 1, 12, 0),
            utc(2026, 7, 1, 10, 0) + 0.5,
            utc(2026, 1, 15, 12, 0),
        ],
    )


# --------------------------------------------------------------------------- epoch numbers
def test_epoch_seconds_and_milliseconds_as_numbers():
    # 1768478400 s = 2026-01-15T12:00:00Z; as ms 1768478400000
    parsed = parse_times(np.array([1768478400, 1768478400000], dtype=np.int64))
    assert_seconds(parsed, [utc(2026, 1, 15, 12, 0), utc(2026, 1, 15, 12, 0)])
    parsed = parse_times(np.array([1768478400.5, 1768478400250.0, 0.0]))
    assert_seconds(parsed, [utc(2026, 1, 15, 12, 0) + 0.5, utc(2026, 1, 15, 12, 0) + 0.25, 0.0])


def test_epoch_as_digit_text():
    parsed = parse(["1768478400", "1768478400000", "1768478400250", "1768478400.5", " 1782903600 "])
    assert_seconds(
        parsed,
        [
            utc(2026, 1, 15, 12, 0),
            utc(2026, 1, 15, 12, 0),
            utc(2026, 1, 15, 12, 0) + 0.25,
            utc(2026, 1, 15, 12, 0) + 0.5,
            utc(2026, 7, 1, 11, 0),
        ],
    )


def test_epoch_is_utc_whatever_the_timezone():
    # summer epoch numbers are instants: no BST shift
    parsed = parse_times(np.array([1782903600]), timezone="Europe/London")
    assert_seconds(parsed, [utc(2026, 7, 1, 11, 0)])
    parsed = parse(["1782903600000"], timezone="America/New_York")
    assert_seconds(parsed, [utc(2026, 7, 1, 11, 0)])


def test_numbers_in_an_object_column():
    parsed = parse([1768478400, 1768478400000, 1768478400.5, "2026-01-15T12:00:00Z"])
    assert_seconds(parsed, [utc(2026, 1, 15, 12, 0)] * 2 + [utc(2026, 1, 15, 12, 0) + 0.5] + [utc(2026, 1, 15, 12, 0)])


def test_numeric_missing_values():
    parsed = parse_times(np.array([1768478400.0, np.nan, np.inf]))
    assert_seconds(parsed, [utc(2026, 1, 15, 12, 0), None, None])
    assert list(parsed.problem) == [OK, MISSING, MISSING]


# --------------------------------------------------------------------------- datetime values
def test_datetime64_is_wall_clock_in_timezone():
    values = np.array(
        ["2026-01-15T12:00:00", "2026-07-01T12:00:00", "NaT", "2026-07-01T12:00:00.250"],
        dtype="datetime64[ms]",
    )
    parsed = parse_times(values)
    assert_seconds(
        parsed,
        [utc(2026, 1, 15, 12, 0), utc(2026, 7, 1, 11, 0), None, utc(2026, 7, 1, 11, 0) + 0.25],
    )
    assert parsed.problem[2] == MISSING
    # in UTC the same values are the instants themselves
    assert_seconds(parse_times(values[:2], timezone="UTC"), [utc(2026, 1, 15, 12, 0), utc(2026, 7, 1, 12, 0)])


def test_datetime64_spring_gap_is_nonexistent():
    parsed = parse_times(np.array(["2026-03-29T01:30:00", "2026-03-29T02:30:00"], dtype="datetime64[s]"))
    assert_seconds(parsed, [None, utc(2026, 3, 29, 1, 30)])
    assert parsed.problem[0] == NONEXISTENT


def test_python_datetimes_in_an_object_column():
    parsed = parse(
        [
            datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc),  # aware: the instant
            datetime(2026, 7, 1, 12, 0),  # naive: London wall clock
        ]
    )
    assert_seconds(parsed, [utc(2026, 7, 1, 12, 0), utc(2026, 7, 1, 11, 0)])


# --------------------------------------------------------------------------- bad values
def test_missing_and_garbage_values():
    parsed = parse(
        [
            None,
            "",
            "   ",
            float("nan"),
            "NULL",
            "nan",
            "NaT",
            "garbage",
            "2026-13-01T00:00:00",
            "2026-02-30T12:00:00",
            "12:00",
            "2026-01-15T12:00:00Z",
        ]
    )
    assert list(parsed.problem) == [MISSING] * 7 + [UNPARSEABLE] * 4 + [OK]
    assert np.isnan(parsed.seconds[:11]).all()
    assert parsed.seconds[11] == utc(2026, 1, 15, 12, 0)
    assert parsed.problem_counts() == {PROBLEM_TEXT[MISSING]: 7, PROBLEM_TEXT[UNPARSEABLE]: 4}


def test_empty_input():
    parsed = parse_times(np.array([], dtype=object))
    assert parsed.seconds.shape == (0,) and parsed.problem.shape == (0,)
    assert parsed.problem_counts() == {}
    assert parse_times(np.array([], dtype=np.float64)).seconds.shape == (0,)


def test_spring_forward_time_does_not_exist():
    parsed = parse(
        [
            "2026-03-29T00:30:00",
            "2026-03-29T01:00:00",
            "2026-03-29T01:30:00",
            "2026-03-29T01:59:59",
            "2026-03-29T02:00:00",
        ]
    )
    assert list(parsed.problem) == [OK, NONEXISTENT, NONEXISTENT, NONEXISTENT, OK]
    assert parsed.seconds[0] == utc(2026, 3, 29, 0, 30)
    assert np.isnan(parsed.seconds[1:4]).all()
    assert parsed.seconds[4] == utc(2026, 3, 29, 1, 0)
    assert parsed.problem_counts() == {PROBLEM_TEXT[NONEXISTENT]: 3}


# --------------------------------------------------------------------------- autumn fall-back
def test_fall_back_hour_resolved_by_ping_order():
    # one unit walking through 00:50 BST ... 02:05 GMT with pings every 25-35 minutes
    parsed = parse(
        [
            "2026-10-25T00:50:00",
            "2026-10-25T01:10:00",  # first pass: BST
            "2026-10-25T01:40:00",  # BST
            "2026-10-25T01:05:00",  # clock went back: GMT
            "2026-10-25T01:35:00",  # GMT
            "2026-10-25T02:05:00",
        ]
    )
    assert_seconds(
        parsed,
        [
            utc(2026, 10, 24, 23, 50),
            utc(2026, 10, 25, 0, 10),
            utc(2026, 10, 25, 0, 40),
            utc(2026, 10, 25, 1, 5),
            utc(2026, 10, 25, 1, 35),
            utc(2026, 10, 25, 2, 5),
        ],
    )


def test_fall_back_same_wall_time_twice_is_one_hour_apart():
    parsed = parse(["2026-10-25T01:30:00", "2026-10-25T01:30:00"], group=np.array([7, 7]))
    assert_seconds(parsed, [utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)])


def test_fall_back_two_units_interleaved():
    rows = [
        ("A", "2026-10-25T01:50:00"),  # A: BST
        ("B", "2026-10-25T01:10:00"),  # B: BST
        ("A", "2026-10-25T01:05:00"),  # A: GMT (A's clock went back)
        ("B", "2026-10-25T01:20:00"),  # B: BST still
        ("C", "2026-10-25T03:00:00"),  # C: unambiguous
        ("B", "2026-10-25T01:05:00"),  # B: GMT
        ("A", "2026-10-25T01:15:00"),  # A: GMT
    ]
    group = np.array([u for u, _ in rows], dtype=object)
    expected = [
        utc(2026, 10, 25, 0, 50),
        utc(2026, 10, 25, 0, 10),
        utc(2026, 10, 25, 1, 5),
        utc(2026, 10, 25, 0, 20),
        utc(2026, 10, 25, 3, 0),
        utc(2026, 10, 25, 1, 5),
        utc(2026, 10, 25, 1, 15),
    ]
    assert_seconds(parse([t for _, t in rows], group=group), expected)
    # integer unit codes work the same
    codes = np.array([0, 1, 0, 1, 2, 1, 0])
    assert_seconds(parse([t for _, t in rows], group=codes), expected)
    # without groups the whole column is one ping order, which has several switches: unresolvable
    parsed = parse([t for _, t in rows])
    assert [int(p) for p in parsed.problem] == [AMBIGUOUS] * 4 + [OK] + [AMBIGUOUS] * 2
    assert parsed.seconds[4] == utc(2026, 10, 25, 3, 0)


def test_fall_back_cannot_be_inferred():
    rows = [
        ("A", "2026-10-25T01:30:00"),  # A's only ping in the repeated hour: BST or GMT?
        ("B", "2026-10-25T01:10:00"),  # B: increasing, never goes back: no switch to infer from
        ("B", "2026-10-25T01:40:00"),
        ("C", "2026-10-25T01:40:00"),  # C: resolvable
        ("C", "2026-10-25T01:10:00"),
        ("A", "2026-10-25T02:30:00"),  # unambiguous
    ]
    parsed = parse([t for _, t in rows], group=np.array([u for u, _ in rows]))
    assert [int(p) for p in parsed.problem] == [AMBIGUOUS, AMBIGUOUS, AMBIGUOUS, OK, OK, OK]
    assert_seconds(
        parsed,
        [None, None, None, utc(2026, 10, 25, 0, 40), utc(2026, 10, 25, 1, 10), utc(2026, 10, 25, 2, 30)],
    )
    assert parsed.problem_counts() == {PROBLEM_TEXT[AMBIGUOUS]: 3}


def test_fall_back_with_offsets_and_naive_mixed():
    # an offset value is never ambiguous; the unit's naive values are still inferred among themselves
    parsed = parse(
        [
            "2026-10-25T01:20:00",
            "2026-10-25T01:30:00+01:00",
            "2026-10-25T01:50:00",
            "2026-10-25T01:10:00",
        ],
        group=np.array([1, 1, 1, 1]),
    )
    assert_seconds(
        parsed,
        [
            utc(2026, 10, 25, 0, 20),
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 25, 0, 50),
            utc(2026, 10, 25, 1, 10),
        ],
    )


def test_fall_back_datetime64_with_groups():
    values = np.array(["2026-10-25T01:40:00", "2026-10-25T01:45:00", "2026-10-25T01:10:00"], dtype="datetime64[s]")
    parsed = parse_times(values, group=np.array([0, 0, 0]))
    assert_seconds(parsed, [utc(2026, 10, 25, 0, 40), utc(2026, 10, 25, 0, 45), utc(2026, 10, 25, 1, 10)])


# --------------------------------------------------------------------------- parse_instant
def test_parse_instant():
    assert parse_instant(None) is None
    assert parse_instant("") is None
    assert parse_instant("   ") is None
    assert parse_instant("2026-07-01T12:00:00Z") == utc(2026, 7, 1, 12, 0)
    assert parse_instant("2026-07-01T12:00:00") == utc(2026, 7, 1, 11, 0)
    assert parse_instant("2026-07-01 12:00:00+01:00") == utc(2026, 7, 1, 11, 0)
    assert parse_instant("2026-07-01") == utc(2026, 6, 30, 23, 0)
    assert parse_instant("2026-07-01T12:00:00", "UTC") == utc(2026, 7, 1, 12, 0)
    assert parse_instant(1768478400) == utc(2026, 1, 15, 12, 0)
    assert parse_instant(1768478400000) == utc(2026, 1, 15, 12, 0)
    assert parse_instant("1768478400000") == utc(2026, 1, 15, 12, 0)
    assert isinstance(parse_instant("2026-07-01T12:00:00Z"), float)


@pytest.mark.parametrize(
    "value, words",
    [
        ("garbage", "unparseable"),
        ("2026-03-29T01:30:00", "does not exist"),
        ("2026-10-25T01:30:00", "repeated autumn"),
        ("NULL", "missing"),
    ],
)
def test_parse_instant_errors(value, words):
    with pytest.raises(ValueError, match=words):
        parse_instant(value)


def test_inputs_are_not_modified():
    values = np.array(["2026-07-01T12:00:00", None, "1768478400"], dtype=object)
    copy = values.copy()
    group = np.array([1, 1, 2])
    parse_times(values, group=group)
    assert list(values) == list(copy)
    assert list(group) == [1, 1, 2]


def test_categorical_input_is_parsed_once_per_text_with_the_same_answers():
    """The CSV reader hands times over as a Categorical: every distinct text is parsed once, and
    the result (seconds, problems, the date-order note with its ROW counts) equals the plain path."""
    import pandas as pd

    texts = np.array(
        [
            "24/11/2026 14:05:09",
            "01/02/2026 10:00:00",
            "",
            None,
            "garbage",
            "2026-10-25 01:30:00",
            "2026-10-25 01:10:00",
            "2026-10-25 01:40:00",
            "2026-10-25 01:20:00",
            "1795608600000",
            "2026-03-29 01:30:00",
            "13/01/2026 00:00:00",
        ],
        dtype=object,
    )
    rng = np.random.default_rng(0)
    rows = texts[rng.integers(0, len(texts), 3000)]
    group = rng.integers(0, 3, 3000)
    plain = parse_times(rows, group=group)
    cat = parse_times(pd.Categorical(rows), group=group)
    assert np.array_equal(plain.seconds, cat.seconds, equal_nan=True)
    assert plain.problem.tolist() == cat.problem.tolist()
    assert cat.note == plain.note and cat.date_order == plain.date_order == "day-first"
    day_first_rows = int(np.isin(rows, ["24/11/2026 14:05:09", "13/01/2026 00:00:00"]).sum())
    assert f"{day_first_rows:,} have a first number above 12" in cat.note


# --------------------------------------------------------------------------- issue 13: numbers as times
def test_a_twenty_digit_number_is_one_unparseable_value_not_an_error():
    from hotspot_patrol_plugin.core.times import UNPARSEABLE

    p = parse_times(
        np.array(["2026-11-24T14:05:00Z", "99999999999999999999999", "12345678901234567890123"], dtype=object)
    )
    assert p.seconds[0] == 1795529100.0  # 2026-11-24T14:05:00Z, by hand: 20,781 days + 14:05
    assert np.isnan(p.seconds[1:]).all() and (p.problem[1:] == UNPARSEABLE).all()


@pytest.mark.parametrize(
    "scale, unit",
    [(1, "seconds"), (1_000, "milliseconds"), (1_000_000, "microseconds"), (1_000_000_000, "nanoseconds")],
)
def test_epoch_unit_is_decided_by_size_and_said(scale, unit):
    t = 1795529100  # 2026-11-24T14:05:00Z
    for values in (
        np.array([str(t * scale), str((t + 30) * scale)], dtype=object),
        np.array([t * scale, (t + 30) * scale], dtype=np.int64),
    ):
        p = parse_times(values)
        assert p.seconds.tolist() == [t, t + 30]
        assert (unit in p.note) == (unit != "seconds")


def test_epoch_beyond_year_9999_is_unparseable():
    p = parse_times(np.array([1e11 * 1e9 * 3], dtype=float))  # 3e20 ns = 3e11 s, year 11476
    assert np.isnan(p.seconds[0])


def test_times_of_a_numeric_field_that_is_not_a_time_are_called_implausible():
    from hotspot_patrol_plugin.core.times import plausibility_warning

    now = 1795529100.0
    assert "15 of 15 times fall before 1990 (e.g. 1970-01-01 00:00:21 UTC)" in plausibility_warning(
        np.arange(21.0, 36.0), now
    )
    assert plausibility_warning(np.array([now - 60, now]), now) == ""
    # one stray value among many is a row problem, not a wrong column
    assert plausibility_warning(np.r_[np.full(20, now), 5.0], now) == ""
