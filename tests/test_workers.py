"""Chart workers that last: a worker is replaced after a number of charts (or past a
resident-memory mark) before the memory limit can kill it; a chart whose warm worker died
is drawn again in a fresh one before it is blamed; the charts finished before a failure
stay in the cache, so the build after the fix draws only what is left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import make_site, run

from broadsheet import workers
from broadsheet.data import Package

PIDS = """\
import os

import altair as alt
import pandas as pd

from broadsheet import chart
{extra}

@chart("pid-one")
def pid_one():
    return alt.Chart(pd.DataFrame({{"worker": [str(os.getpid())]}})).mark_point().encode(y="worker:N")


@chart("pid-two")
def pid_two():
    return alt.Chart(pd.DataFrame({{"worker": [str(os.getpid())]}})).mark_point().encode(y="worker:N")


@chart("pid-three")
def pid_three():
{body}
    return alt.Chart(pd.DataFrame({{"worker": [str(os.getpid())]}})).mark_point().encode(y="worker:N")
"""
PAGE = """\
---
title: Workers
description: Charts that tell which worker drew them.
---

```chart
id: pid-one
title: One
description: The worker's process id.
```

```chart
id: pid-two
title: Two
description: The worker's process id.
```

```chart
id: pid-three
title: Three
description: The worker's process id.
```
"""


def pid_site(tmp_path: Path, body: str = "    pass", extra: str = "") -> Path:
    site = make_site(tmp_path)
    (site / "charts/pids.py").write_text(PIDS.format(body=body, extra=extra))
    (site / "content/zz-workers.md").write_text(PAGE)  # (last: its charts are drawn after the site's own)
    return site


def drawn_by(site: Path) -> list[str]:
    html = (site / "public/zz-workers/index.html").read_text()
    return [re.search(rf'id="{c}".*?<td>(\d+)</td>', html, re.S).group(1) for c in ("pid-one", "pid-two", "pid-three")]  # type: ignore[union-attr]


@pytest.fixture(autouse=True)
def one_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROADSHEET_WORKERS", "1")
    while workers._idle:  # (each test starts its workers afresh)
        workers._idle.pop().stop()


def test_a_warm_worker_draws_chart_after_chart(tmp_path: Path) -> None:
    site = pid_site(tmp_path)
    assert run(site, cache=tmp_path / "cache") == 0
    assert len(set(drawn_by(site))) == 1


def test_a_worker_is_replaced_after_its_share_of_charts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "RECYCLE_AFTER", 1)
    site = pid_site(tmp_path)
    assert run(site, cache=tmp_path / "cache") == 0
    assert len(set(drawn_by(site))) == 3


def test_a_chart_whose_warm_worker_died_is_drawn_again_in_a_fresh_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first time, the chart's worker is killed (as the memory limit kills a worker whose
    memory grew over earlier charts); a fresh worker draws it."""
    marker = tmp_path / "died-once"
    monkeypatch.setenv("BROADSHEET_TEST_MARKER", str(marker))
    body = '    if not os.path.exists(os.environ["BROADSHEET_TEST_MARKER"]):\n'
    body += '        open(os.environ["BROADSHEET_TEST_MARKER"], "w").close()\n        os.kill(os.getpid(), signal.SIGKILL)'
    site = pid_site(tmp_path, body, extra="import signal\n")
    assert run(site, cache=tmp_path / "cache") == 0
    assert marker.exists()
    one, two, three = drawn_by(site)
    assert one == two != three


def test_a_chart_that_kills_a_fresh_worker_too_is_blamed(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    site = pid_site(tmp_path, "    os.kill(os.getpid(), signal.SIGKILL)", extra="import signal\n")
    assert run(site, cache=tmp_path / "cache") == 1
    err = capfd.readouterr().err
    assert "charts/pids.py:20: chart 'pid-three' could not be rendered: the renderer process died (killed by signal 9)" in err, err


def test_charts_drawn_before_a_failure_stay_cached(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    site = pid_site(tmp_path, '    raise ValueError("not yet")')
    cache = tmp_path / "cache"
    assert run(site, cache=cache) == 1
    assert "charts/pids.py:21: chart 'pid-three' failed: ValueError: not yet" in capfd.readouterr().err
    (site / "charts/pids.py").write_text(PIDS.format(body="    pass", extra=""))
    assert run(site, cache=cache) == 0
    summary = capfd.readouterr().out
    charts = int(re.search(r"(\d+) charts \((\d+) from cache\)", summary).group(1))  # type: ignore[union-attr]
    assert f"{charts} charts ({charts - 1} from cache)" in summary, summary  # (only the chart whose function changed)


def test_the_time_limit_counts_a_charts_own_work_not_a_busy_machines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chart that waits 3 s (as one slowed by a busy machine does) is not stopped by a
    2 s limit: what the limit counts is the CPU time a chart uses, as a loop does."""
    monkeypatch.setenv("BROADSHEET_CHART_TIMEOUT", "2")
    site = pid_site(tmp_path, "    time.sleep(3)", extra="import time\n")
    assert run(site, cache=tmp_path / "cache") == 0


def test_a_worker_takes_the_steps_of_the_chart_it_compiled_and_another_worker_the_other_charts(tmp_path: Path) -> None:
    """A scrolly step transforms its chart's compiled spec, kept in the worker that compiled it
    (``compiled``): the steps go there while other charts are left, not to a second worker
    that would run the chart function again."""
    pool = workers.ChartWorkers(Package({}), tmp_path, 12)
    one, two = object(), object()  # (two workers' connections: only the choice is tested here)
    pool.workers = {one: None, two: None}
    families = ["coal", "coal", "coal", "trade", "oil", "coal"]
    pool.holds = {one: {"coal"}}  # (worker one is drawing the first step)
    todo = [1, 2, 3, 4, 5]
    assert pool._pick(two, todo, families) == 2  # (trade: coal is worker one's)
    assert pool._pick(one, todo, families) == 0  # (the next step of coal)
    pool.holds[two] = {"trade"}
    assert pool._pick(two, [2, 4, 5], families) == 1  # (oil)
    assert pool._pick(two, [2, 5], families) == 0  # (only coal is left: worker two compiles it too rather than wait)
