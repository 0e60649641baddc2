"""Stratified sampling of local authorities: allocation, rerandomisation, reserves, site table."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from evstudy.cli import main
from evstudy.errors import ConfigError, ValidationError
from evstudy.io.tables import read_sites
from evstudy.sampling import (
    allocate,
    balance_table,
    draw_reserves,
    draw_sample,
    imbalance,
    read_frame,
    reserve_table,
    resolve_variables,
    site_table,
    write_site_table,
)

TYPES = {"County council": 12, "Unitary authority": 24, "Metropolitan district": 14}
REGIONS = ("North", "Midlands", "South", "London")
BANDS = ("lower", "middle", "higher")


def synthetic_frame(rows: int | None = None) -> pd.DataFrame:
    """50 invented authorities: three types, a region, an IMD decile, a band, a partner flag."""
    types = [t for t, n in TYPES.items() for _ in range(n)]
    n = len(types)
    frame = pd.DataFrame(
        {
            "code": [f"X{i:04d}" for i in range(1, n + 1)],
            "la_name": [f"Authority {i}" for i in range(1, n + 1)],
            "la_type": types,
            "tier": ["upper (two-tier area)" if t == "County council" else "single" for t in types],
            "region": [REGIONS[(i * 7) % 4] for i in range(n)],
            "imd_decile": pd.array([(i * 3) % 10 + 1 for i in range(n)], dtype="Int64"),
            "ethnic_minority_band": [BANDS[(i * 5) % 3] for i in range(n)],
            "foundations_partner": ["yes" if i % 9 == 0 else "no" for i in range(n)],
        }
    )
    frame.attrs["source"] = "synthetic.csv"
    return frame.head(rows) if rows else frame


@pytest.fixture
def frame_csv(tmp_path):
    path = tmp_path / "frame.csv"
    synthetic_frame().to_csv(path, index=False)
    return path


STRATA = ["la_type", "tier"]
BALANCE = ["region", "imd_decile", "ethnic_minority_band"]


# --- reading the frame ---------------------------------------------------------------------------


def test_read_frame_types_columns_and_remembers_the_file(frame_csv):
    frame = read_frame(frame_csv)
    assert frame.attrs["source"] == str(frame_csv)
    assert str(frame["imd_decile"].dtype) == "Int64"
    assert frame["la_type"].dtype == object and frame.shape == (50, 8)


def test_read_frame_refuses_a_repeated_header(tmp_path):
    path = tmp_path / "frame.csv"
    path.write_text("code,name,name\nA,x,y\n", encoding="utf-8")
    with pytest.raises(Exception, match="repeated column names"):
        read_frame(path)


def test_variables_resolve_by_site_table_name_or_frame_column():
    frame = synthetic_frame().rename(columns={"imd_decile": "imd2019_decile_of_153"})
    assert resolve_variables(frame, ["imd_decile", "REGION"]) == ["imd2019_decile_of_153", "region"]


def test_a_missing_variable_names_the_file_the_variable_and_the_columns():
    frame = synthetic_frame().drop(columns="ethnic_minority_band")
    with pytest.raises(ValidationError) as info:
        draw_sample(frame, k=5, strata=STRATA, balance=["ethnic_minority_band", "rurality"])
    message = str(info.value)
    assert "synthetic.csv" in message and len(info.value.problems) == 2
    assert "'ethnic_minority_band'" in message and "'rurality'" in message
    assert "la_type, tier, region" in message  # the columns it does have
    assert resolve_variables(frame, ["ethnic_minority_band", "region"], required=False) == [
        "region"
    ]


# --- allocation ----------------------------------------------------------------------------------


def test_largest_remainder_reproduces_the_textbook_example():
    # Wikipedia, "Largest remainder method" (Hare quota): 100,000 votes, 10 seats ->
    # Yellows 5, Whites 2, Reds 1, Greens 1, Blues 1, Pinks 0.
    votes = {"Yellows": 470, "Whites": 160, "Reds": 158, "Greens": 120, "Blues": 61, "Pinks": 31}
    frame = pd.DataFrame({"party": [p for p, n in votes.items() for _ in range(n)]})
    seats = allocate(frame, k=10, strata=["party"]).set_index("party")["seats"]
    assert seats.to_dict() == {
        "Yellows": 5,
        "Whites": 2,
        "Reds": 1,
        "Greens": 1,
        "Blues": 1,
        "Pinks": 0,
    }


def test_allocation_matches_largest_remainder_by_hand():
    # sizes 12, 24, 14 of 50, k = 9: quotas 2.16, 4.32, 2.52 -> floors 2, 4, 2 (8 seats);
    # the largest remainder (0.52, metropolitan) takes the ninth.
    table = allocate(synthetic_frame(), k=9, strata=STRATA).set_index("la_type")
    assert table["n_frame"].to_dict() == TYPES
    assert table["quota"].round(2).to_dict() == {
        "County council": 2.16,
        "Unitary authority": 4.32,
        "Metropolitan district": 2.52,
    }
    assert table["seats"].to_dict() == {
        "County council": 2,
        "Unitary authority": 4,
        "Metropolitan district": 3,
    }


def test_forced_units_raise_their_strata_seats_and_the_rest_share_what_is_left():
    frame = synthetic_frame()
    counties = frame.loc[frame["la_type"] == "County council", "la_name"].head(4).tolist()
    # k = 9 gives counties 2 seats; forcing 4 in fixes them at 4, and the other 5 seats go
    # 24:14 by largest remainder: quotas 3.16, 1.84 -> floors 3, 1; remainder 0.84 wins.
    table = allocate(frame, k=9, strata=STRATA, include=counties).set_index("la_type")
    assert table["seats"].to_dict() == {
        "County council": 4,
        "Unitary authority": 3,
        "Metropolitan district": 2,
    }
    assert table["forced"].to_dict() == {
        "County council": 4,
        "Unitary authority": 0,
        "Metropolitan district": 0,
    }


def test_k_is_validated():
    with pytest.raises(ValueError, match=r"`k` must be one of 1\.\.50"):
        allocate(synthetic_frame(), k=51)
    names = synthetic_frame()["la_name"].head(4).tolist()
    with pytest.raises(ConfigError, match="4 authorities are force-included, more than k = 3"):
        allocate(synthetic_frame(), k=3, include=names)


# --- balance -------------------------------------------------------------------------------------


def test_balance_table_by_hand():
    frame = pd.DataFrame({"region": ["a", "a", "b", "b"], "imd": pd.array([1, 2, 3, 4], "Int64")})
    table = balance_table(frame, frame.iloc[2:], variables=["region", "imd"])
    levels = table.set_index("level")
    assert levels.loc["b", "frame_pct"] == 0.5 and levels.loc["b", "sample_pct"] == 1.0
    assert levels.loc["b", "std_diff"] == pytest.approx(1.0)  # (1 - 0.5) / sqrt(0.25)
    assert levels.loc["a", "std_diff"] == pytest.approx(-1.0)
    numeric = table[table["kind"] == "numeric"].iloc[0]
    # (3.5 - 2.5) / population SD of 1..4, sqrt(1.25)
    assert numeric["std_diff"] == pytest.approx(1 / np.sqrt(1.25))
    assert imbalance(frame, frame.iloc[2:], variables=["region", "imd"]) == pytest.approx(
        2 + 1 / np.sqrt(1.25)
    )


@pytest.mark.parametrize("seed", range(6))
def test_rerandomisation_is_never_worse_than_a_plain_stratified_draw(seed):
    frame = synthetic_frame()
    options = {"k": 9, "strata": STRATA, "balance": BALANCE, "seed": seed}
    best = draw_sample(frame, **options, candidates=500)
    plain = draw_sample(frame, **options, candidates=1)
    seats = allocate(frame, k=9, strata=STRATA).set_index("stratum")["seats"]
    for sample in (best, plain):  # both honour the allocation
        assert sample["stratum"].value_counts().sort_index().equals(seats.sort_index())
    assert imbalance(frame, best, variables=BALANCE) <= imbalance(frame, plain, variables=BALANCE)


def test_rerandomisation_improves_balance_on_average():
    frame = synthetic_frame()
    gains = [
        imbalance(
            frame,
            draw_sample(frame, k=9, strata=STRATA, balance=BALANCE, seed=s, candidates=c),
            variables=BALANCE,
        )
        for s in range(5)
        for c in (1, 500)
    ]
    plain, best = np.mean(gains[0::2]), np.mean(gains[1::2])
    assert best < 0.6 * plain


def test_with_enough_candidates_the_best_balanced_sample_is_found():
    # 3 strata of 4 units, one seat each: 64 possible samples, enumerated here.
    frame = synthetic_frame()[lambda f: f.groupby("la_type").cumcount() < 4].reset_index(drop=True)
    groups = [frame.index[frame["la_type"] == t] for t in TYPES]
    best = min(
        imbalance(frame, frame.loc[list(combo)], variables=BALANCE)
        for combo in itertools.product(*groups)
    )
    sample = draw_sample(frame, k=3, strata=STRATA, balance=BALANCE, seed=3, candidates=2000)
    assert imbalance(frame, sample, variables=BALANCE) == pytest.approx(best)


# --- force-includes and determinism --------------------------------------------------------------


def test_force_included_units_are_in_the_sample_by_name_or_code_in_any_case():
    frame = synthetic_frame()
    sample = draw_sample(
        frame, k=9, strata=STRATA, balance=BALANCE, include=["authority 7", "X0040"], seed=1
    )
    assert {"Authority 7", "Authority 40"} <= set(sample["la_name"])
    assert sorted(sample.loc[sample["forced"], "la_name"]) == ["Authority 40", "Authority 7"]
    assert sample["forced"].sum() == 2


def test_an_unknown_include_is_an_error_with_suggestions():
    with pytest.raises(ValidationError) as info:
        draw_sample(synthetic_frame(), k=5, include=["Authority 7", "Autority 8"])
    assert len(info.value.problems) == 1
    assert "'Autority 8' matches no unit" in str(info.value)
    assert "did you mean 'Authority 8'" in str(info.value)


def test_same_seed_same_sample_and_different_seeds_usually_differ():
    frame = synthetic_frame()
    options = {"k": 9, "strata": STRATA, "balance": BALANCE, "candidates": 200}
    first = draw_sample(frame, **options, seed=11)
    assert first.equals(draw_sample(frame, **options, seed=11))
    samples = {tuple(draw_sample(frame, **options, seed=s).index) for s in range(10)}
    assert len(samples) >= 5


# --- reserves ------------------------------------------------------------------------------------


def test_reserves_come_from_the_same_stratum_and_not_from_the_sample():
    frame = synthetic_frame()
    sample = draw_sample(frame, k=9, strata=STRATA, balance=BALANCE, seed=2)
    reserves = draw_reserves(frame, sample, strata=STRATA, balance=BALANCE)
    assert list(reserves["replaces"]) == list(sample.index)  # one each, in the sample's order
    assert not reserves.index.isin(sample.index).any()
    assert reserves.index.is_unique
    chosen = sample.loc[reserves["replaces"], "la_type"].to_numpy()
    assert (reserves["la_type"].to_numpy() == chosen).all()
    assert reserves["distance"].between(0, 1).all()


def test_a_unit_with_an_identical_spare_twin_gets_it_as_reserve():
    frame = synthetic_frame()
    twin = frame.iloc[[0]].assign(code="X9999", la_name="Twin")
    frame = pd.concat([frame, twin], ignore_index=True)
    frame.attrs["source"] = "synthetic.csv"
    sample = draw_sample(frame, k=9, strata=STRATA, balance=BALANCE, include=["X0001"], seed=4)
    reserves = draw_reserves(frame, sample, strata=STRATA, balance=BALANCE).set_index("replaces")
    assert reserves.loc[0, "la_name"] == "Twin" and reserves.loc[0, "distance"] == 0


def test_a_stratum_with_no_spare_unit_leaves_its_sites_without_reserves():
    frame = synthetic_frame()
    counties = frame.loc[frame["la_type"] == "County council", "la_name"].tolist()
    sample = draw_sample(frame, k=14, strata=STRATA, include=counties, seed=0)
    reserves = draw_reserves(frame, sample, strata=STRATA)
    assert (reserves["la_type"] != "County council").all()
    assert len(reserves) == len(sample) - len(counties)


# --- the site table ------------------------------------------------------------------------------


def test_site_table_is_what_ingest_reads_with_the_frames_labels(tmp_path):
    frame = synthetic_frame()
    sample = draw_sample(frame, k=6, strata=STRATA, balance=BALANCE, seed=5)
    sites = site_table(sample, extra=["foundations_partner"])
    path = write_site_table(sites, tmp_path / "sites.csv")
    read = read_sites(path)
    assert list(read["site_id"]) == ["S01", "S02", "S03", "S04", "S05", "S06"]
    assert list(read["site_name"]) == list(sample["la_name"])
    assert list(read["tier"]) == list(sample["tier"])  # "upper (two-tier area)" kept as is
    assert list(read["imd_decile"]) == list(sample["imd_decile"])
    assert list(read["foundations_partner"]) == list(sample["foundations_partner"] == "yes")
    # The same seed from scratch gives the same file, byte for byte, with LF line endings.
    again = site_table(
        draw_sample(synthetic_frame(), k=6, strata=STRATA, balance=BALANCE, seed=5),
        extra=["foundations_partner"],
    )
    assert path.read_bytes() == write_site_table(again, tmp_path / "again.csv").read_bytes()
    assert b"\r" not in path.read_bytes()


def test_reserve_table_takes_over_the_ids_of_the_sites_it_replaces(tmp_path):
    frame = synthetic_frame()
    sample = draw_sample(frame, k=6, strata=STRATA, balance=BALANCE, seed=5)
    sites = site_table(sample)
    reserves = reserve_table(frame, sample, sites, strata=STRATA, balance=BALANCE)
    assert list(reserves["site_id"]) == list(sites["site_id"])
    assert list(reserves["replaces"]) == list(sites["site_name"])
    assert read_sites(write_site_table(reserves, tmp_path / "reserves.csv")).shape[0] == 6


# --- the command ---------------------------------------------------------------------------------


def test_cli_prints_the_balance_table_and_writes_sites(frame_csv, tmp_path, capsys):
    out = tmp_path / "out" / "sites.csv"
    argv = ["sample", "--frame", str(frame_csv), "-k", "6", "--seed", "3", "--out", str(out)]
    assert main([*argv, "--reserves", "--include", "Authority 3"]) == 0
    text = capsys.readouterr().out
    assert "Balance, frame against sample" in text and "std_diff" in text
    assert "Reserves" in text and "Imbalance" in text
    assert len(read_sites(out)) == 6 and (tmp_path / "out" / "sites_reserves.csv").is_file()
    assert "Authority 3" in set(read_sites(out)["site_name"])


def test_cli_user_errors_exit_2_with_the_message(frame_csv, capsys):
    argv = ["sample", "--frame", str(frame_csv), "-k", "6", "--balance", "rurality"]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert "there is no 'rurality' column" in error and str(frame_csv) in error
    assert "Traceback" not in error


@pytest.mark.shared
def test_real_frame_done_when(shared_dir, tmp_path, capsys):
    frame_path = shared_dir / "data" / "england-upper-tier-las.csv"
    out = tmp_path / "sites.csv"
    argv = ["sample", "--frame", str(frame_path), "-k", "9", "--seed", "1", "--out", str(out)]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Balance, frame against sample" in text and "imd2019_decile_of_153" in text
    # The frame lacks some of the site table's columns: they are left blank and named, for
    # the researcher to fill in (no sponsor-specific column is guessed).
    table = pd.read_csv(out, dtype=str)
    blank = [c for c in table.columns if table[c].isna().all()]
    assert blank and f"The frame has no {', '.join(blank)}" in text
    for column in blank:
        table[column] = "no" if column != "ethnic_minority_band" else "middle"
    write_site_table(table, out)
    sites = read_sites(out)
    assert len(sites) == 9
    assert sites["la_type"].value_counts().to_dict() == {
        "Unitary authority": 4,  # 63 x 9 / 153 = 3.71
        "Metropolitan district": 2,  # 2.12
        "London borough": 2,  # 1.94
        "County council": 1,  # 1.24
    }
    assert main([*argv[:-1], str(tmp_path / "again.csv")]) == 0
    assert main([*argv[:-1], str(tmp_path / "third.csv")]) == 0
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "third.csv").read_bytes()


@pytest.mark.shared
def test_real_frame_rerandomisation_and_reserves(shared_dir):
    frame = read_frame(shared_dir / "data" / "england-upper-tier-las.csv")
    assert len(frame) == 153
    balance = resolve_variables(frame, ["region", "rurality", "imd_decile"])
    options = {"k": 9, "strata": STRATA, "balance": balance, "seed": 1}
    best, plain = draw_sample(frame, **options), draw_sample(frame, **options, candidates=1)
    assert imbalance(frame, best, variables=balance) < imbalance(frame, plain, variables=balance)
    reserves = draw_reserves(frame, best, strata=STRATA, balance=balance)
    assert len(reserves) == 9 and not reserves.index.isin(best.index).any()
    assert (reserves["la_type"].to_numpy() == best["la_type"].to_numpy()).all()
