"""The margin-of-safety columns of lesson 07 are anatomical: read at one landmark in every patient, measured along
the skin's normal, with the skin keeping its cited thickness over the mandibular border.

Before: the "mandibular border" column stood wherever the branch came closest to the plane (a different point per
patient, on the jaw line where the ray meets the skin obliquely); the stack thinned the skin with the deep tissues
where the ray was short, so the skin read 0.29 mm (woman 75, BMI 19) and 0.54 mm (man 30, BMI 32) and the whole
column 2.7 / 4.3 mm.
"""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.model.margins import SITE_LANDMARKS, margins, normal_depths, patient_model
from facelayers.model.patient import Patient
from facelayers.model.stack import SKIN_MAX_SHARE

THIN_OLD_WOMAN = Patient("female", 75, 19)
HEAVY_YOUNG_MAN = Patient("male", 30, 32)


@pytest.fixture(scope="module")
def columns():
    return {p: {m.site: m for m in margins(p, "skin_only", "lecture")} for p in (THIN_OLD_WOMAN, HEAVY_YOUNG_MAN)}


def test_each_column_is_read_at_the_same_landmark_in_both_patients(columns):
    woman, man = columns[THIN_OLD_WOMAN], columns[HEAVY_YOUNG_MAN]
    for site, landmarks in SITE_LANDMARKS.items():
        assert woman[site].site_landmark == man[site].site_landmark == landmarks[0]  # the skin-only plane covers it
        # the same point, the patient's own layers
        assert not np.allclose(woman[site].interfaces_mm, man[site].interfaces_mm)


def test_mandibular_border_column_has_the_cited_skin_and_a_plausible_depth(columns):
    # Meng 2022 (data/thickness.csv, mandibular_border skin): submandibular epidermis + dermis 1.09 (F) - 1.23 (M)
    # mm; women's skin thins with age there (Meng 2022), so the old thin woman may read somewhat less.
    for patient, cols in columns.items():
        m = cols["marginal_mandibular"]
        skin = m.interfaces_mm[1] - m.interfaces_mm[0]
        assert 0.8 <= skin <= 1.6, (patient, skin)
        # Skin, fat and platysma lie over the branch, which lies deep to platysma (Dingman & Grabb 1962).
        assert m.interfaces_mm[3] <= m.nerve_depth_mm <= m.interfaces_mm[4], patient
        assert m.plane_depth_mm < m.nerve_depth_mm
        # The whole column is several mm (the bone at the facial-artery notch lies nearer the skin than at gonion,
        # Rhine 10.5 mm, data/tissue_depths.csv; no cited depth at the notch itself).
        assert 4.5 <= m.interfaces_mm[-1] <= 10.5 + 3.0, (patient, m.interfaces_mm)
    # More fat in the heavy man: a deeper branch and a deeper column.
    woman, man = columns[THIN_OLD_WOMAN]["marginal_mandibular"], columns[HEAVY_YOUNG_MAN]["marginal_mandibular"]
    assert man.interfaces_mm[-1] > woman.interfaces_mm[-1] + 1.0
    assert man.nerve_depth_mm > woman.nerve_depth_mm


def test_a_short_ray_thins_the_deep_tissues_not_the_skin():
    model = patient_model(None, "lecture")
    stack = model.stack
    data = model.thickness_field(stack.points[:, 0, :])
    short = stack.depth[:, -1] < 0.6 * data.sum(axis=1)  # the jaw line, the lips: the ray is too short for the data
    assert short.sum() > 100
    capped = stack.thickness[:, 0] >= SKIN_MAX_SHARE * stack.depth[:, -1] - 1e-9  # shorter than the skin needs
    keep = short & ~capped
    assert keep.sum() > 50
    assert np.allclose(stack.perpendicular[keep, 0], data[keep, 0], rtol=1e-9)
    # Measured on the built surfaces along the normal at the jaw's landmarks, too.
    names = ["facial_artery_border:left", "seckel3_centre:left", "mandibular_ligament:left"]
    depth = normal_depths(model, np.array([model.anatomy.point(n) for n in names]))
    assert np.all(depth[:, 1] >= 1.0), depth[:, 1]


def test_the_facial_nerve_trunk_divides_deep_in_the_parotid():
    """Lesson 03's depth profile: the trunk's shallowest point is the pes anserinus, in the parotid (the muscle
    layer) under its superficial part, not 2 mm under the parotid fascia (it read 6.2 mm from the skin)."""
    from facelayers.model.nerves import place

    model = patient_model(None, "lecture")
    trunk = place(model, model.anatomy.nerves["facial_trunk"], "left")
    depth, _, layer = trunk.shallowest()
    assert layer == "muscle"
    assert depth >= 7.5, depth
    # under at least 3 mm of parotid (the muscle layer's outer face on the normal at the pes)
    i = int(np.argmin(trunk.depth_mm))
    assert trunk.depth_mm[i] - trunk.interfaces_mm[i, 3] >= 3.0, trunk.interfaces_mm[i]
