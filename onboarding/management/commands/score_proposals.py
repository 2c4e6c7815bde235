import time

import yaml
from django.core.management.base import BaseCommand, CommandError

from onboarding.extract import propose
from onboarding.scoring import document_scores, total
from ops.fixtures import PLAN_FIXTURE_DIR

SOURCES = PLAN_FIXTURE_DIR / "sources"


def _cell(score) -> str:
    return (
        f"{score.matched}/{score.expected} 召回 {score.recall:6.1%}  提出 {score.found:3d} 准确 {score.precision:6.1%}"
    )


class Command(BaseCommand):
    help = (
        "Measure the proposals on the five seed documents against the checked fixtures: indicators (target value "
        "and unit agree, names share half of the shorter name) and assignments (task, department, role); with "
        "every rule and leave-one-out."
    )

    def handle(self, *args, **options):
        documents = []
        for path in sorted(PLAN_FIXTURE_DIR.glob("*.yaml")):
            fixture = yaml.safe_load(path.read_text(encoding="utf-8"))
            source = SOURCES / fixture["plan"]["source_file"]
            if not source.exists():
                raise CommandError(f"{path.name}: source {source} missing")
            documents.append((fixture["city"]["code"], source.read_text(encoding="utf-8"), fixture))
        rows = document_scores(documents)
        for title, ind_key, asg_key in (
            ("全部规则", "indicators", "assignments"),
            ("留一法（去掉只在本文件上起作用的规则）", "loo_indicators", "loo_assignments"),
        ):
            self.stdout.write(f"\n{title}")
            self.stdout.write(f"{'文件':<12}{'指标':<44}{'分工':<44}")
            for row in rows:
                self.stdout.write(f"{row['document']:<12}{_cell(row[ind_key]):<44}{_cell(row[asg_key]):<44}")
            ind, asg = total([r[ind_key] for r in rows]), total([r[asg_key] for r in rows])
            self.stdout.write(f"{'合计':<12}{_cell(ind):<44}{_cell(asg):<44}")
        self.stdout.write("\n只在一个文件上起作用的规则（留一法中去掉）：")
        for row in rows:
            self.stdout.write(f"  {row['document']}: {', '.join(row['own_rules']) or '无'}")
        timings = []
        for _label, text, _fixture in documents:
            started = time.perf_counter()
            propose(text)
            timings.append((time.perf_counter() - started) * 1000)
        self.stdout.write(f"\n每份文件提出用时：{', '.join(f'{t:.0f} ms' for t in timings)}")
