from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.demo import (
    demo_accounts_load,
    demo_figures_load,
    demo_remove,
    demo_supervision_load,
    demo_task_updates_load,
)


class Command(BaseCommand):
    help = "Load the labelled demo (演示数据): accounts for every role and generated figures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--remove",
            action="store_true",
            help="remove the demo and everything derived from it (results, flags, 督办 items, notifications, accounts)",
        )
        parser.add_argument("--force", action="store_true", help="load the demo even under IPCITY_PRODUCTION=1")
        parser.add_argument(
            "--skip-in-production", action="store_true", help="under IPCITY_PRODUCTION=1 say so and do nothing"
        )

    def handle(self, *args, remove, force, skip_in_production, **options):
        if remove:
            removed = demo_remove()
            self.stdout.write("删除演示数据：" + "，".join(f"{name} {n}" for name, n in removed.items()))
            return
        # Demo accounts share one published password: never on a real deployment by accident.
        if settings.PRODUCTION and skip_in_production:
            self.stdout.write("IPCITY_PRODUCTION=1: no demo; create an administrator: manage.py createsuperuser")
            return
        if settings.PRODUCTION and not force:
            raise CommandError(
                "IPCITY_PRODUCTION=1: load_demo refuses (demo accounts share a published password); add --force"
            )
        accounts = demo_accounts_load()
        self.stdout.write(f"演示账号 {len(accounts)} 个（密码见 fixtures/demo/accounts.yaml）: {', '.join(accounts)}")
        self.stdout.write(f"演示数据 {demo_figures_load()} 条")
        self.stdout.write(f"演示任务进展 {demo_task_updates_load()} 条")
        self.stdout.write(f"演示督办事项 {demo_supervision_load()} 项")
