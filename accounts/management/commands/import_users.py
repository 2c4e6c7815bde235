"""manage.py import_users <city code> <file.xlsx|.csv>: a city's first-day users, all or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.imports import UserFileError, users_file_read
from accounts.models import city_model
from accounts.services import UserImportError, users_import


class Command(BaseCommand):
    help = (
        "从 .xlsx 或 .csv 导入一个城市的用户。列：用户名、姓名、角色、部门、邮箱、初始密码、城市用户管理员"
        "（是/否）。任一行有错则全部不导入；初始密码留空时自动生成并打印。"
    )

    def add_arguments(self, parser):
        parser.add_argument("city", help="城市代码，例如 chaoyang")
        parser.add_argument("file", type=Path)

    def handle(self, *args, city, file, **options):
        city_obj = city_model().objects.filter(code=city).first()
        if city_obj is None:
            raise CommandError(f"没有代码为“{city}”的城市。")
        if not file.exists():
            raise CommandError(f"找不到文件 {file}。")
        try:
            created = users_import(city=city_obj, rows=users_file_read(file))
        except UserFileError as error:
            raise CommandError(str(error)) from error
        except UserImportError as error:
            raise CommandError("未导入任何用户：\n" + "\n".join(error.errors)) from error
        self.stdout.write(f"已导入 {city_obj.name} 的 {len(created)} 个用户，首次登录须修改初始密码。")
        for user in created:
            if user.generated:
                self.stdout.write(f"{user.username}\t{user.password}")
