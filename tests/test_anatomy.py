"""Loading the data tables: the objects match the files, bilateral landmarks mirror, errors name what is known."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from facelayers.anatomy.basics import Landmark
from facelayers.anatomy.load import Anatomy, DataError, default_data_dir, load_anatomy
from facelayers.core.frame import LAYERS

DATA = Path(__file__).resolve().parents[1] / "data"


def rows(name: str) -> list[dict[str, str]]:
    """The rows of a shipped CSV, read independently of the package."""
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def anatomy() -> Anatomy:
    return load_anatomy()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("schemas", "README.md"))
    return target


# ----------------------------------------------------------------------------------------------------
# Loading the shipped data


def test_default_data_dir_holds_the_repository_data():
    """data/ in a checkout, facelayers/data in an installed wheel: the same files either way."""
    for name in ("sources.csv", "layers.csv", "landmarks.csv", "regions.json", "thickness.csv"):
        assert (default_data_dir() / name).read_bytes() == (DATA / name).read_bytes()


def test_default_load_is_cached(anatomy):
    assert load_anatomy() is anatomy
    assert anatomy.data_dir == default_data_dir()


def test_counts_match_the_files(anatomy):
    regions = json.loads((DATA / "regions.json").read_text())["regions"]
    assert list(anatomy.sources) == [r["source_id"] for r in rows("sources.csv")]
    assert list(anatomy.landmarks) == [r["landmark_id"] for r in rows("landmarks.csv")]
    assert list(anatomy.regions) == [r["region_id"] for r in regions]
    assert len(anatomy.regions) >= 11  # the issue asks for at least the eleven named regions
    assert tuple(anatomy.layers) == LAYERS
    assert len(anatomy.thickness) == len(anatomy.regions) * len(LAYERS) == len(rows("thickness.csv"))


def test_known_values(anatomy):
    row = anatomy.thickness_row("forehead", "skin")
    assert (row.thickness_mm, row.min_mm, row.max_mm) == (1.23, 1.06, 1.39)
    assert (row.status, row.source_id) == ("derived", "meng2022")
    assert anatomy.thickness_row("scalp", "skin").min_mm is None
    assert anatomy.layers["smas"].order == 3
    assert anatomy.sources["meng2022"].year == 2022
    assert anatomy.regions["neck"].anchors == ("lateral_neck", "anterior_neck", "posterior_neck")
    nasion = anatomy.landmarks["nasion"]
    assert (nasion.side, nasion.on_skin, nasion.status) == ("midline", True, "derived")
    np.testing.assert_array_equal(nasion.position_mm, [0.0, 86.0, 22.0])
    assert anatomy.landmarks["lateral_brow"].source_id is None


def test_thickness_table(anatomy):
    table = anatomy.thickness_table()
    assert table.shape == (len(anatomy.regions), 5)
    assert table.dtype == np.float64
    assert np.all(np.isfinite(table)) and np.all(table > 0)
    regions = list(anatomy.regions)
    assert table[regions.index("forehead"), LAYERS.index("skin")] == 1.23
    assert table[regions.index("temple"), LAYERS.index("muscle")] == 9.0
    for row in anatomy.thickness:
        assert table[regions.index(row.region_id), LAYERS.index(row.layer_id)] == row.thickness_mm


def _derived_totals() -> list[tuple[str, float]]:
    """(region, total mm) for each row derived as "total depth X mm; this layer = total minus the other four"."""
    found = []
    for row in rows("thickness.csv"):
        match = re.search(r"total depth ([\d.]+) mm; this layer = total minus the other four", row["locator"])
        if match:
            found.append((row["region_id"], float(match.group(1))))
    return found


@pytest.mark.parametrize(("region", "total_mm"), _derived_totals())
def test_layers_add_up_to_the_cited_total_depth(anatomy, region, total_mm):
    """Rhine's total soft-tissue depths: the five layers of the region sum to the cited total."""
    table = anatomy.thickness_table()
    assert table[list(anatomy.regions).index(region)].sum() == pytest.approx(total_mm, abs=0.005)


def test_derived_totals_were_found():
    assert len(_derived_totals()) >= 5  # the test above must not pass by having no cases


# ----------------------------------------------------------------------------------------------------
# Landmarks and mirroring


def test_bilateral_landmark_is_mirrored(anatomy):
    np.testing.assert_array_equal(anatomy.point("tragion:left"), [66.0, 5.0, 0.0])
    np.testing.assert_array_equal(anatomy.point("tragion:right"), [-66.0, 5.0, 0.0])
    np.testing.assert_array_equal(anatomy.point("tragion"), anatomy.point("tragion:left"))
    np.testing.assert_array_equal(anatomy.point("nasion"), [0.0, 86.0, 22.0])


def test_landmark_points_expand_bilateral_landmarks(anatomy):
    names, points = anatomy.landmark_points()
    n_bilateral = sum(r["side"] == "bilateral" for r in rows("landmarks.csv"))
    assert points.shape == (len(anatomy.landmarks) + n_bilateral, 3)
    assert points.dtype == np.float64
    assert len(names) == len(set(names)) == len(points)
    assert names.index("tragion:right") == names.index("tragion:left") + 1
    assert "nasion" in names and "nasion:left" not in names and "tragion" not in names
    for name, point in zip(names, points):
        if name.endswith(":right"):
            left = points[names.index(name.replace(":right", ":left"))]
            np.testing.assert_array_equal(point, left * [-1, 1, 1])
        np.testing.assert_array_equal(point, anatomy.point(name))


@pytest.mark.parametrize("on_skin", [True, False])
def test_landmark_points_filter_on_skin(anatomy, on_skin):
    names, points = anatomy.landmark_points(on_skin=on_skin)
    expected = {r["landmark_id"] for r in rows("landmarks.csv") if r["on_skin"] == str(on_skin).lower()}
    assert {name.split(":")[0] for name in names} == expected
    assert points.shape == (len(names), 3)


def test_positions_are_read_only(anatomy):
    with pytest.raises(ValueError):
        anatomy.landmarks["nasion"].position_mm[0] = 1.0
    with pytest.raises(TypeError):
        anatomy.regions["new"] = anatomy.regions["neck"]
    anatomy.point("nasion")[0] = 5.0  # a copy: the shared model is untouched
    assert anatomy.point("nasion")[0] == 0.0


@pytest.mark.parametrize("name", ["nose_tip", "nasion:left", "tragion:top", ""])
def test_point_rejects_unknown_names_listing_known_ones(anatomy, name):
    with pytest.raises(ValueError, match="known names") as error:
        anatomy.point(name)
    assert repr(name) in str(error.value)
    assert "nasion" in str(error.value) and "tragion:left" in str(error.value) and "tragion:right" in str(error.value)


def test_thickness_row_rejects_unknown_ids_listing_known_ones(anatomy):
    with pytest.raises(ValueError, match="unknown region 'cheek'; known regions: scalp, forehead"):
        anatomy.thickness_row("cheek", "skin")
    with pytest.raises(ValueError, match="unknown layer 'dermis'; known layers: skin, fat, smas, muscle, periosteum"):
        anatomy.thickness_row("forehead", "dermis")


def test_landmark_checks_its_position():
    with pytest.raises(ValueError, match="3 finite numbers"):
        Landmark("x", "X", np.array([0.0, np.nan, 1.0]), "midline", True, "schematic", note="test")
    with pytest.raises(ValueError, match="3 finite numbers"):
        Landmark("x", "X", np.zeros(2), "midline", True, "schematic", note="test")


# ----------------------------------------------------------------------------------------------------
# Loading other folders


def test_load_a_good_copy(data_copy):
    copy = load_anatomy(data_copy)
    assert copy is not load_anatomy()
    assert copy.data_dir == data_copy
    np.testing.assert_array_equal(copy.thickness_table(), load_anatomy().thickness_table())


def test_bad_data_raises_data_error_listing_every_problem(data_copy):
    path = data_copy / "thickness.csv"
    text = path.read_text()
    path.write_text(text.replace("forehead,skin,1.23,", "forehead,skin,-1.23,")
                    .replace("neck,fat,2.54,", "neck,fat,x,"))
    with pytest.raises(DataError) as error:
        load_anatomy(data_copy)
    assert isinstance(error.value, ValueError)
    assert [p.field for p in error.value.problems] == ["thickness_mm", "thickness_mm"]
    lines = str(error.value).splitlines()
    assert lines[0] == f"invalid data in {data_copy} (2 problems):"
    assert lines[1:] == [str(p) for p in error.value.problems]
    assert lines[1].startswith("thickness.csv line 7 (region forehead, layer skin): field 'thickness_mm' = '-1.23'")


def test_missing_folder_raises_data_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_anatomy(tmp_path / "nowhere")
