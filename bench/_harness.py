"""The timing harness shared by the benchmarks: each library in its own block after a short
pause (the thread pools of the previous library go quiet), blocks interleaved over rounds in
alternating order, medians throughout (see DESIGN.md, "Performance method")."""
from __future__ import annotations

import statistics
import time


def time_block(fn, calls: int, pause: float = 0.0, reduce=statistics.median,
               clock=time.perf_counter) -> float:
    """Seconds per call of fn: reduce (the median) over `calls` timed calls, after a pause and
    one untimed warm-up call (allocator caches, page faults, thread pool start). clock may be
    time.thread_time, which a loaded machine's waits for a core do not inflate."""
    time.sleep(pause)
    fn()
    samples = []
    for _ in range(calls):
        start = clock()
        fn()
        samples.append(clock() - start)
    return reduce(samples)


def run_step(fn, inputs, backward: bool) -> None:
    """Calls fn(); with backward, also backpropagates the sum of its output into inputs and
    clears their gradients (so that no call accumulates into the last one's)."""
    out = fn()
    if backward:
        out.sum().backward()
        for t in inputs:
            t.grad = None


def interleave(fns: dict, rounds: int, calls: int, pause: float) -> dict:
    """{library: [seconds per call of each round]} for {library: fn}, one time_block per library
    and round, the libraries' order reversed every other round."""
    libs = list(fns)
    times = {lib: [] for lib in libs}
    for r in range(rounds):
        for lib in (libs if r % 2 == 0 else libs[::-1]):
            times[lib].append(time_block(fns[lib], calls, pause))
    return times


def median_ratio(times: dict, other: str, base: str = "ember") -> float:
    """The median over rounds of other's time / base's time."""
    return statistics.median(o / b for o, b in zip(times[other], times[base]))


def summarize(times: dict, nbytes: int) -> dict:
    """A row's columns from interleave()'s times: each library's median ms and GB/s (for
    nbytes moved per call), and vs_<library>, its median_ratio against ember (the first)."""
    libs = list(times)
    row = {}
    for lib in libs:
        ms = statistics.median(times[lib]) * 1e3
        row[f"{lib}_ms"] = ms
        row[f"{lib}_gbps"] = nbytes / (ms / 1e3) / 1e9
    for other in libs[1:]:
        row[f"vs_{other}"] = median_ratio(times, other, libs[0])
    return row
