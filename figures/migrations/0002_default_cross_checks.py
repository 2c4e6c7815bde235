"""The cross-indicator rules every plan gets: patent counts that must nest, and per-10,000-population
densities that must agree with the count and the resident population."""

from django.db import migrations

DEFAULT_RULES = [
    ("not_greater", "high_value_invention_patents", "valid_invention_patents",
     "高价值发明专利拥有量不应大于有效发明专利拥有量。"),
    ("not_greater", "high_value_invention_patents_per_10k", "valid_invention_patents_per_10k",
     "每万人口高价值发明专利拥有量不应大于每万人口发明专利拥有量。"),
    ("per_population", "valid_invention_patents_per_10k", "valid_invention_patents",
     "每万人口发明专利拥有量 = 有效发明专利拥有量 ÷ 常住人口（万人）。"),
    ("per_population", "high_value_invention_patents_per_10k", "high_value_invention_patents",
     "每万人口高价值发明专利拥有量 = 高价值发明专利拥有量 ÷ 常住人口（万人）。"),
]


def add_rules(apps, schema_editor):
    CrossCheck = apps.get_model("figures", "CrossCheck")
    for kind, left, right, notes in DEFAULT_RULES:
        CrossCheck.objects.get_or_create(plan=None, kind=kind, left_key=left, right_key=right,
                                         defaults={"notes": notes})


def remove_rules(apps, schema_editor):
    CrossCheck = apps.get_model("figures", "CrossCheck")
    for kind, left, right, _notes in DEFAULT_RULES:
        CrossCheck.objects.filter(plan=None, kind=kind, left_key=left, right_key=right).delete()


class Migration(migrations.Migration):
    dependencies = [("figures", "0001_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
