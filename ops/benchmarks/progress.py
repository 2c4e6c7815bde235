"""Full progress recompute: ≤ 1.5 s at 300 cities, ≤ 15 s at 3,000 on 2 cores on PostgreSQL, its memory
bounded by one chunk of indicators (indicators.services.CHUNK), not by the number of cities."""

from indicators.models import Indicator
from indicators.services import indicator_progress_recompute
from ops.benchmarks import Row, measure
from plans.models import City

MIB_LIMIT = 300


def run(write, repeat: int = 3) -> list[Row]:
    cities = City.objects.filter(is_synthetic=True).count()
    seconds = 1.5 * max(1, cities / 300)  # 1.5 s at 300 cities, 15 s at 3,000
    row = measure(
        f"full recompute ({Indicator.objects.count()} indicators)",
        indicator_progress_recompute,
        repeat=repeat,
        warm=False,
    )
    row.target = f"≤ {seconds:.1f} s, ≤ {MIB_LIMIT} MB"
    row.met = row.median <= seconds * 1000 and row.peak_mib <= MIB_LIMIT
    write(f"progress: {row.operation}: runs {', '.join(f'{t / 1000:.2f} s' for t in row.timings_ms)}")
    return [row]
