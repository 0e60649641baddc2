"""fork_map: results in order, from other processes, exceptions passed on."""

from __future__ import annotations

import os

import pytest

from evstudy.errors import InputError
from evstudy.parallel import fork_map, workers_for


def test_results_come_back_in_order_from_other_processes():
    parent = os.getpid()
    offset = 1000  # a closure: inherited by the forked workers, never pickled
    found = fork_map(lambda i: (i + offset, os.getpid()), range(40), workers=2, cost=lambda i: i)
    assert [value for value, _ in found] == list(range(1000, 1040))
    assert parent not in {pid for _, pid in found}


def test_one_worker_runs_here_in_order():
    seen = []
    assert fork_map(lambda i: seen.append(i) or i * 2, [3, 1, 2], workers=1) == [6, 2, 4]
    assert seen == [3, 1, 2]


def test_the_first_failing_item_raises_its_own_error():
    def check(i):
        if i in (3, 7):
            raise InputError(f"file{i}.txt", "line 2", "broken", "fix it")
        return i

    with pytest.raises(InputError, match="file3"):
        fork_map(check, range(10), workers=2)


def test_an_error_that_cannot_be_pickled_still_says_what_went_wrong():
    class Local(Exception):  # defined in a function: pickle cannot find it
        pass

    def fail(i):
        raise Local(f"item {i} failed")

    with pytest.raises(RuntimeError, match="item 0 failed"):
        fork_map(fail, [0, 1], workers=2)


def test_workers_are_checked_and_capped():
    assert workers_for(3, 8) == 3
    assert workers_for(0) == 1
    with pytest.raises(ValueError, match="`workers` must be a positive integer"):
        workers_for(5, 0)
    with pytest.raises(ValueError, match="`workers` must be a positive integer"):
        fork_map(str, [1], workers=True)


def test_input_and_validation_errors_survive_the_trip_between_processes():
    import pickle

    from evstudy.errors import Problem, ValidationError

    single = InputError("a.csv", "row 3", "blank", "fill it in")
    again = pickle.loads(pickle.dumps(single))
    assert type(again) is InputError and str(again) == str(single)
    assert again.problem == single.problem
    many = ValidationError([single.problem, Problem("b.csv", "row 1", "bad", "fix")], "ingest")
    again = pickle.loads(pickle.dumps(many))
    assert str(again) == str(many) and again.problems == many.problems


def test_a_background_result_is_computed_in_another_process():
    from evstudy.parallel import in_background

    with in_background(lambda a, b: (a + b, os.getpid()), 2, 3) as job:
        value, pid = job.result()
        assert job.result() == (value, pid)  # asked again: the same, not recomputed
    assert value == 5 and pid != os.getpid()


def test_a_background_error_is_raised_by_result_and_a_slow_job_is_stopped():
    import time

    from evstudy.parallel import in_background

    def broken():
        raise InputError("raw/register.xlsx", "row 2", "no name", "fill it in")

    with in_background(broken) as job, pytest.raises(InputError, match="row 2"):
        job.result()
    start = time.monotonic()
    with in_background(time.sleep, 60) as slow:
        pass
    assert time.monotonic() - start < 30
    assert not slow._process.is_alive()
