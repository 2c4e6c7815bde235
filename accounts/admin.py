from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from accounts.models import Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["assigned_cities"]
    autocomplete_fields = ["department"]


admin.site.unregister(User)


@admin.register(User)
class ProfiledUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "profile__role", "profile__city", "is_staff"]
    list_filter = ["profile__role", "profile__city", "is_staff"]
