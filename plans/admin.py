from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from plans.models import City, Department, DepartmentAlias, LeadingGroupMember, Phase, Plan, Population

admin.site.site_header = _("ipcity 知识产权强市建设管理")
admin.site.site_title = _("ipcity 管理")
admin.site.index_title = _("数据管理")


class PopulationInline(admin.TabularInline):
    model = Population
    extra = 0


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "province", "is_synthetic"]
    list_filter = ["province", "is_synthetic"]
    search_fields = ["name", "code", "name_en"]
    inlines = [PopulationInline]


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class LeadingGroupInline(admin.TabularInline):
    model = LeadingGroupMember
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "city", "document_number", "period_start", "period_end", "is_archived"]
    list_filter = ["city", "is_archived"]
    search_fields = ["title", "document_number", "city__name"]
    inlines = [PhaseInline, LeadingGroupInline]


class AliasInline(admin.TabularInline):
    model = DepartmentAlias
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "kind", "is_programme_owner"]
    list_filter = ["city", "kind", "is_programme_owner"]
    search_fields = ["name", "aliases__alias", "name_en"]
    inlines = [AliasInline]


@admin.register(LeadingGroupMember)
class LeadingGroupMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "post", "department", "plan"]
    list_filter = ["plan__city", "plan", "role", "department"]
    search_fields = ["name", "post"]
    list_select_related = ["department", "plan"]
