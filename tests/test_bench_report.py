"""The benchmark's report of what the host took from each run (bench/run.py)."""

import importlib.util
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_host_waits_are_the_shares_of_steal_and_iowait_between_two_readings(bench):
    # user, nice, system, idle, iowait, irq, softirq, steal
    before = [1000, 0, 200, 5000, 100, 0, 10, 300]
    after = [1600, 0, 300, 5200, 150, 0, 10, 350]  # 1,000 ticks: 50 iowait, 50 steal
    assert bench.host_waits(before, after) == "5%, 5%"
    assert bench.host_waits(None, after) == "–"
    assert bench.host_waits(before, after[:4]) == "–"


def test_cpu_times_reads_this_machine(bench):
    first = bench.cpu_times()
    assert first is not None and len(first) == 8  # Linux, where the benchmark runs
    assert all(later >= earlier for earlier, later in zip(first, bench.cpu_times(), strict=True))
