"""The users page: a city user administrator manages their own city's users, never a role above their own,
never another city's users (404); the system administrator manages everyone; nobody else sees the pages."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from accounts.models import AuditEvent, Profile, Role
from accounts.rules import grantable_roles
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Chushi-2025!x"

# Who reaches the users page and the audit page (everyone else: 404, anonymous: the login page).
MANAGERS = {"city_admin", "other_city_admin", "admin"}
ALL = [
    "staff",
    "reviewer",
    "leader",
    "department_user",
    "provincial",
    "other_staff",
    "city_admin",
    "other_city_admin",
    "admin",
]


def login(client, world, name):
    client.force_login(getattr(world, name))
    return client


def new_user(**overrides):
    data = {"username": "wang", "full_name": "王五", "email": "", "role": Role.BUREAU_STAFF}
    data.update(password1=PASSWORD, password2=PASSWORD)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("url", ["users", "user_create", "audit_log"])
def test_only_user_administrators_reach_the_users_pages(client, admins, name, url):
    response = login(client, admins, name).get(reverse(url))
    assert response.status_code == (200 if name in MANAGERS else 404)


@pytest.mark.parametrize("url", ["users", "user_create", "audit_log", "api_tokens"])
def test_anonymous_is_sent_to_the_login_page(client, admins, url):
    response = client.get(reverse(url))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_city_admin_lists_only_their_citys_users(client, admins):
    page = login(client, admins, "city_admin").get(reverse("users")).content.decode()
    for own in ("staff", "reviewer", "leader", "dept", "city_admin"):
        assert f">{own}</a>" in page
    for foreign in ("other_staff", "other_reviewer", "provincial", ">admin<", "other_city_admin"):
        assert foreign not in page


def test_system_admin_lists_everyone(client, admins):
    page = login(client, admins, "admin").get(reverse("users")).content.decode()
    for name in ("staff", "other_staff", "provincial", "other_city_admin"):
        assert f">{name}</a>" in page


@pytest.mark.parametrize("target", ["other_staff", "other_reviewer", "other_city_admin", "provincial", "admin"])
@pytest.mark.parametrize("url", ["user_edit", "user_active", "user_unlock"])
def test_another_citys_users_answer_404(client, admins, target, url):
    client = login(client, admins, "city_admin")
    pk = getattr(admins, target).pk
    response = client.get(reverse(url, args=[pk])) if url == "user_edit" else client.post(reverse(url, args=[pk]))
    assert response.status_code == 404


def test_city_admin_creates_a_user_of_their_city_with_a_first_password(client, admins):
    client = login(client, admins, "city_admin")
    data = new_user(role=Role.DEPARTMENT, department=admins.department.pk)
    response = client.post(reverse("user_create"), data)
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="wang")
    assert user.check_password(PASSWORD) and user.first_name == "王五"
    assert user.profile.city == admins.city and user.profile.department == admins.department
    assert user.profile.must_change_password
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.USER_CREATED)
    assert event.actor == admins.city_admin and event.target == user and event.city == admins.city


def test_city_admin_cannot_put_a_user_in_another_city(client, admins):
    """The city field does not exist for them; a city posted anyway is ignored."""
    client = login(client, admins, "city_admin")
    client.post(reverse("user_create"), new_user(city=admins.other_city.pk))
    assert User.objects.get(username="wang").profile.city == admins.city


def test_city_admin_cannot_use_another_citys_department(client, admins):
    foreign = DepartmentFactory(city=admins.other_city, name="外市科技局")
    client = login(client, admins, "city_admin")
    response = client.post(reverse("user_create"), new_user(role=Role.DEPARTMENT, department=foreign.pk))
    assert response.status_code == 200 and "所属部门" in response.content.decode()
    assert not User.objects.filter(username="wang").exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVINCIAL])
def test_city_admin_cannot_give_a_role_above_their_own(client, admins, role):
    client = login(client, admins, "city_admin")
    response = client.post(reverse("user_create"), new_user(role=role))
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not User.objects.filter(username="wang").exists()


def test_city_admin_cannot_raise_an_existing_user_above_their_own(client, admins):
    client = login(client, admins, "city_admin")
    response = client.post(reverse("user_edit", args=[admins.leader.pk]), {"role": Role.ADMIN})
    assert response.status_code == 200
    admins.leader.refresh_from_db()
    assert admins.leader.profile.role == Role.LEADER and not admins.leader.is_superuser


def test_grantable_roles_never_exceed_the_actors(admins):
    assert set(grantable_roles(admins.city_admin)) == {
        Role.BUREAU_STAFF,
        Role.REVIEWER,
        Role.LEADER,
        Role.DEPARTMENT,
    }
    assert set(grantable_roles(admins.admin)) == set(Role.values)
    for name in ("staff", "reviewer", "leader", "department_user", "provincial"):
        assert grantable_roles(getattr(admins, name)) == []


def test_system_admin_creates_a_provincial_viewer_with_assigned_cities(client, admins):
    client = login(client, admins, "admin")
    data = new_user(role=Role.PROVINCIAL, assigned_cities=[admins.city.pk, admins.other_city.pk])
    assert client.post(reverse("user_create"), data).status_code == 302
    profile = User.objects.get(username="wang").profile
    assert profile.role == Role.PROVINCIAL and profile.city is None
    assert set(profile.assigned_cities.all()) == {admins.city, admins.other_city}


def test_system_admin_must_name_a_city_for_a_city_role(client, admins):
    client = login(client, admins, "admin")
    response = client.post(reverse("user_create"), new_user(role=Role.BUREAU_STAFF))
    assert response.status_code == 200 and "该角色必须属于一个城市" in response.content.decode()
    assert not User.objects.filter(username="wang").exists()


def test_assigned_cities_are_not_offered_to_a_city_admin(client, admins):
    page = login(client, admins, "city_admin").get(reverse("user_create")).content.decode()
    assert "可查看城市" not in page and "初始密码" in page and "城市用户管理员" in page
    page = login(client, admins, "admin").get(reverse("user_create")).content.decode()
    assert "可查看城市" in page and "所属城市" in page


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"username": ""}, "该字段是必填项"),
        ({"username": "has space"}, "请输入合法的用户名"),
        ({"username": "staff"}, "已存在"),
        ({"password2": "Different-2025!"}, "两次输入的密码不一致"),
        ({"password1": "123", "password2": "123"}, "密码太短，至少需要 8 个字符"),
        ({"email": "not-an-email"}, "请输入合法的邮件地址"),
        ({"role": "emperor"}, "选择一个有效的选项"),
        ({"role": Role.DEPARTMENT}, "部门用户必须指定所属部门"),
        ({"department": "99999"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(client, admins, overrides, field_message):
    client = login(client, admins, "city_admin")
    before = User.objects.count()
    response = client.post(reverse("user_create"), new_user(**overrides))
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert User.objects.count() == before and not AuditEvent.objects.filter(kind="user_created").exists()


def test_manages_users_only_on_a_bureau_role(client, admins):
    client = login(client, admins, "city_admin")
    response = client.post(reverse("user_create"), new_user(role=Role.LEADER, manages_users="on"))
    assert "只有市场监管局的填报或审核人员可以担任城市用户管理员" in response.content.decode()
    assert not User.objects.filter(username="wang").exists()


def test_role_and_department_changes_are_recorded(client, admins):
    new_department = DepartmentFactory(city=admins.city, name="市司法局")
    client = login(client, admins, "city_admin")
    data = {"role": Role.DEPARTMENT, "department": new_department.pk, "full_name": "李四"}
    response = client.post(reverse("user_edit", args=[admins.leader.pk]), data)
    assert response.status_code == 302, response.content.decode()
    profile = Profile.objects.get(user=admins.leader)
    assert profile.role == Role.DEPARTMENT and profile.department == new_department
    kinds = dict(AuditEvent.objects.filter(target=admins.leader).values_list("kind", "detail"))
    assert kinds["role_changed"] == "领导小组成员 → 部门用户"
    assert kinds["department_changed"] == "— → 市司法局"


def test_a_reset_password_must_be_changed_again(client, admins):
    client = login(client, admins, "city_admin")
    data = {"role": Role.BUREAU_STAFF, "new_password": PASSWORD}
    assert client.post(reverse("user_edit", args=[admins.staff.pk]), data).status_code == 302
    admins.staff.refresh_from_db()
    assert admins.staff.check_password(PASSWORD) and admins.staff.profile.must_change_password
    assert AuditEvent.objects.filter(kind="password_reset", target=admins.staff).exists()


def test_nobody_changes_their_own_role(client, admins):
    client = login(client, admins, "city_admin")
    response = client.post(reverse("user_edit", args=[admins.city_admin.pk]), {"role": Role.LEADER})
    assert "不能修改自己的角色" in response.content.decode()


def test_disabling_a_user_ends_their_session_at_once(client, admins):
    from django.test import Client

    theirs = Client()
    theirs.force_login(admins.staff)
    assert theirs.get(reverse("plan_list")).status_code == 200
    client = login(client, admins, "city_admin")
    response = client.post(reverse("user_active", args=[admins.staff.pk]), {"active": "0"}, follow=True)
    assert "已停用用户 staff" in response.content.decode()
    admins.staff.refresh_from_db()
    assert not admins.staff.is_active
    assert theirs.get(reverse("plan_list")).status_code == 302
    assert AuditEvent.objects.filter(kind="user_disabled", target=admins.staff, actor=admins.city_admin).exists()
    client.post(reverse("user_active", args=[admins.staff.pk]), {"active": "1"})
    admins.staff.refresh_from_db()
    assert admins.staff.is_active and AuditEvent.objects.filter(kind="user_enabled").exists()


def test_nobody_disables_themselves(client, admins):
    client = login(client, admins, "city_admin")
    response = client.post(reverse("user_active", args=[admins.city_admin.pk]), {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    admins.city_admin.refresh_from_db()
    assert admins.city_admin.is_active


def test_users_page_queries_do_not_grow_with_users(client, admins, django_assert_max_num_queries):
    from tests.factories import make_user

    client = login(client, admins, "admin")
    client.get(reverse("users"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("users"))
    for n in range(15):
        make_user(f"more{n}", Role.PROVINCIAL, assigned=[admins.city])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "more14" in client.get(reverse("users")).content.decode()
