"""Catalogue keys join only comparable measures, so the comparison page never sets unlike things side by side."""

from collections import defaultdict

import yaml

from ops.fixtures import PLAN_FIXTURE_DIR


def _doc(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["indicators"]


def _keyed():
    groups = defaultdict(list)
    for path in sorted(PLAN_FIXTURE_DIR.glob("*.yaml")):
        for i in yaml.safe_load(path.read_text(encoding="utf-8"))["indicators"]:
            if i.get("catalogue_key") and i["target_form"] != "qualitative":
                groups[i["catalogue_key"]].append(i)
    return groups


def test_indicators_sharing_a_key_share_their_measure_type():
    mixed = {
        key: sorted({(i["code"], i["measure_type"]) for i in rows})
        for key, rows in _keyed().items()
        if len({i["measure_type"] for i in rows}) > 1
    }
    assert mixed == {}


def test_the_unlike_pairs_the_careful_read_found_no_longer_share_a_key():
    """Regression (issue 12): 查办率 vs 结案率; patent technology contracts vs all; national 优势示范 vs
    municipal 优势企业; a 3-year total vs yearly amounts."""
    key = {i["code"]: i["catalogue_key"] for rows in _keyed().values() for i in rows}
    assert key["ZY-09"] != key["CY-11"]
    assert key["SY-02"] != key["MDJ-06"]
    assert key["NT-19"] != key["MDJ-08"] != key["CY-13"]
    assert key["NT-16"] != key["MDJ-07"] == key["SY-03"]
    # all IP transfers and licences (both directions) vs patents acquired or licensed in; demonstration
    # navigation projects vs every navigation project
    every = {i["code"]: i["catalogue_key"] for path in sorted(PLAN_FIXTURE_DIR.glob("*.yaml")) for i in _doc(path)}
    assert every["NT-10"] == every["SY-01"] != every["CY-07"]
    assert every["SY-07"] != every["CY-18"]


def test_every_key_in_use_is_listed_in_the_schema():
    schema = (PLAN_FIXTURE_DIR / "SCHEMA.md").read_text(encoding="utf-8")
    assert [k for k in _keyed() if f"`{k}`" not in schema] == []
