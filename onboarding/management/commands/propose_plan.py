import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import Invalid
from onboarding.extract import propose
from onboarding.services import notice_text, proposal_confirm
from onboarding.sources import document_text


class Command(BaseCommand):
    help = (
        "Read a plan document (.txt, .docx, text-layer .pdf) and print the proposed plan: metadata, indicators, "
        "tasks with lead/responsible units, leading group, each with its quote; --save loads them as load_plans would."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument("--save", action="store_true", help="load the proposals as a plan (one transaction)")
        parser.add_argument("--city-code", help="lowercase code of the city to create or update (with --save)")
        parser.add_argument("--city-name", help="the city's Chinese name (default: read from the title)")

    def handle(self, *args, file, format, save, city_code, city_name, **options):
        try:
            text = document_text(name=file.name, data=file.read_bytes())
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        except Invalid as exc:
            raise CommandError(f"{file.name}: {exc}") from exc
        started = time.perf_counter()
        proposal = propose(text)
        elapsed = time.perf_counter() - started
        if format == "json":
            self.stdout.write(json.dumps(proposal, ensure_ascii=False, indent=2))
        else:
            plan = proposal["plan"]
            self.stdout.write(
                f"{plan['title']}  {plan['document_number'] or ''}  {plan['period_start']}—{plan['period_end']}"
            )
            for i in proposal["indicators"]:
                self.stdout.write(
                    f"  指标 {i['name']}: {i['target_value']} {i['unit']} ({i['target_form']})  «{i['quote']}»"
                )
            for t in proposal["tasks"]:
                self.stdout.write(
                    f"  任务 {t['section']}{t['number']} {t['title']}: 牵头 {t['lead']} 责任 {t['responsible']}"
                )
        for notice in proposal["notices"]:
            self.stderr.write(notice_text(notice))
        self.stderr.write(f"proposed in {elapsed * 1000:.0f} ms")
        if not save:
            return
        if not city_code:
            raise CommandError("--save needs --city-code")
        name = city_name or proposal["plan"].get("city_name")
        if not name:
            raise CommandError("--save needs --city-name: the title names no city")
        try:
            plan_code, report = proposal_confirm(proposal=proposal, city_code=city_code, city_name=name)
        except Invalid as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"已保存：{plan_code}")
        for line in report.lines():
            self.stderr.write(f"  {line}")
