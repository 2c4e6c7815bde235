"""manage.py import_users: a city's first-day users from .xlsx or .csv, every row through the users page's
service; any bad row is reported by its row number and nothing is saved."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.models import AuditEvent, Role
from plans.models import DepartmentAlias

pytestmark = pytest.mark.django_db
HEADER = ["用户名", "姓名", "角色", "部门", "邮箱", "初始密码", "城市用户管理员"]


def xlsx(tmp_path, rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "users.xlsx"
    book.save(path)
    return path


def csv_file(tmp_path, rows, header=HEADER):
    path = tmp_path / "users.csv"
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    return path


def run(city, path):
    from io import StringIO

    out = StringIO()
    call_command("import_users", city, str(path), stdout=out)
    return out.getvalue()


def test_imports_a_citys_users_from_xlsx(tmp_path, standing):
    DepartmentAlias.objects.create(department=standing.department, alias="科技局")
    path = xlsx(
        tmp_path,
        [
            ["zhao", "赵一", "填报人员", "", "zhao@example.cn", "Chushi-2025!x", "是"],
            ["qian", "钱二", "部门用户", "科技局", "", "", ""],
            ["sun", "孙三", "领导小组成员", "", "", "Chushi-2025!y", "否"],
        ],
    )
    out = run("own", path)
    assert "已导入 本市 的 3 个用户" in out
    zhao, qian = User.objects.get(username="zhao"), User.objects.get(username="qian")
    assert zhao.check_password("Chushi-2025!x") and zhao.profile.manages_users
    assert zhao.profile.role == Role.BUREAU_STAFF and zhao.profile.city == standing.city
    assert qian.profile.department == standing.department and qian.profile.must_change_password
    generated = [line.split("\t") for line in out.splitlines() if "\t" in line]
    assert [name for name, _ in generated] == ["qian"] and qian.check_password(generated[0][1])
    assert AuditEvent.objects.filter(kind="user_created").count() == 3


def test_imports_from_csv(tmp_path, standing):
    run("own", csv_file(tmp_path, [["li", "李四", "审核人员", "", "", "Chushi-2025!x", ""]]))
    assert User.objects.get(username="li").profile.role == Role.REVIEWER


def test_bad_rows_are_reported_by_number_and_nothing_is_saved(tmp_path, standing):
    path = xlsx(
        tmp_path,
        [
            ["good", "好", "填报人员", "", "", "Chushi-2025!x", ""],
            ["staff", "重名", "填报人员", "", "", "Chushi-2025!x", ""],
            ["boss", "老板", "系统管理员", "", "", "Chushi-2025!x", ""],
            ["dep", "部门", "部门用户", "不存在的局", "", "Chushi-2025!x", ""],
            ["", "无名", "填报人员", "", "", "", ""],
            ["weak", "弱", "填报人员", "", "", "123", ""],
            ["lead", "组长", "领导小组成员", "", "", "Chushi-2025!x", "是"],
            ["good", "重复", "填报人员", "", "", "Chushi-2025!x", ""],
            ["odd", "怪", "皇帝", "", "bad-mail", "Chushi-2025!x", "也许"],
        ],
    )
    with pytest.raises(CommandError) as error:
        run("own", path)
    message = str(error.value)
    assert "未导入任何用户" in message
    for expected in (
        "第3行：用户名：用户名“staff”已存在",
        "第4行：角色：不能授予该角色",
        "第5行：部门：本市没有部门“不存在的局”",
        "第6行：用户名：该字段是必填项",
        "第7行：初始密码：密码太短",
        "第8行：城市用户管理员：只有市场监管局的填报或审核人员",
        "第9行：用户名：用户名“good”已存在",
        "第10行：角色：未知角色“皇帝”",
        "第10行：邮箱：",
        "第10行：城市用户管理员：请填写“是”或“否”",
    ):
        assert expected in message, expected
    assert "第2行" not in message
    assert not User.objects.filter(username__in=["good", "boss", "dep", "lead", "odd"]).exists()
    assert not AuditEvent.objects.filter(kind="user_created").exists()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp: xlsx(tmp, [["a"]], header=["姓名"]), "第1行缺少列：用户名、角色"),
        (lambda tmp: xlsx(tmp, [["a", "填报人员", "x"]], header=["用户名", "角色", "职务"]), "第1行有未知列：职务"),
        (lambda tmp: xlsx(tmp, []), "文件中没有用户"),
        (lambda tmp: (tmp / "u.txt").write_text("x") and tmp / "u.txt", "只支持 .xlsx 或 .csv"),
        (lambda tmp: (tmp / "u.xlsx").write_text("not a workbook") and tmp / "u.xlsx", "无法读取 Excel 文件"),
        (lambda tmp: tmp / "missing.csv", "找不到文件"),
    ],
)
def test_bad_files_say_why(tmp_path, standing, make, message):
    with pytest.raises(CommandError, match=message):
        run("own", make(tmp_path))


def test_unknown_city_is_refused(tmp_path, standing):
    with pytest.raises(CommandError, match="没有代码为“nowhere”的城市"):
        run("nowhere", xlsx(tmp_path, [["a", "", "填报人员", "", "", "Chushi-2025!x", ""]]))
