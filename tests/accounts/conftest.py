import pytest

from accounts.models import Role
from tests.factories import make_user


@pytest.fixture
def admins(standing):
    """The standing users plus a city user administrator of each city (a bureau account with the permission)."""
    standing.city_admin = make_user("city_admin", Role.BUREAU_STAFF, city=standing.city)
    standing.other_city_admin = make_user("other_city_admin", Role.REVIEWER, city=standing.other_city)
    for user in (standing.city_admin, standing.other_city_admin):
        user.profile.manages_users = True
        user.profile.save()
    return standing
