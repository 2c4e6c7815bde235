"""Django's createsuperuser, and the new superuser gets its 系统管理员 profile like every other user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser

from accounts.services import admin_profile_ensure


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        User = get_user_model()
        before = set(User.objects.filter(is_superuser=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in User.objects.filter(is_superuser=True).exclude(pk__in=before):
            admin_profile_ensure(user=user)
