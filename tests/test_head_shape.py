"""The head's shape from the MakeHuman base mesh (CC0 1.0): the vendored table, its source, and the built head measured.

The table ``data/shapes/head_makehuman.npz`` is made by ``tools/make_head_target.py`` from a git mirror of the MakeHuman
repository; the regeneration check runs only where that mirror is (CI has none). The shape checks measure the built
skin (pins included), not the table.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

from facelayers.model import head_scan
from facelayers.model.grid import rays
from facelayers.model.skin import Skin

REPO = Path(__file__).resolve().parents[1]
TOOL = REPO / "tools" / "make_head_target.py"
TABLE = REPO / "data" / head_scan.TABLE


def _tool():
    spec = importlib.util.spec_from_file_location("make_head_target", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_regenerates_from_the_mirror():
    tool = _tool()
    if not (tool.MIRROR / "HEAD").exists() or shutil.which("git") is None:
        pytest.skip(f"no MakeHuman mirror at {tool.MIRROR} (or no git): the table cannot be remade here")
    made = tool.build(tool.MIRROR)
    with np.load(TABLE) as stored:
        # the same mesh, the same rules: the same radii, to the table's quantum (0.01 mm)
        diff = np.abs(made["radius_cmm"].astype(int) - stored["radius_cmm"].astype(int))
        assert diff.max() <= 1, f"{(diff > 1).sum()} cells differ by more than 0.01 mm; max {diff.max() / 100} mm"
        assert str(made["source"]) == str(stored["source"])


def test_the_table_names_its_source_and_licence():
    with np.load(TABLE) as z:
        source = str(z["source"])
        assert z["radius_cmm"].shape == (tool_shape := (_tool().NS, _tool().NU)), tool_shape
    assert "CC0 1.0" in source and "makehumancommunity/makehuman" in source and "a8bc2d54" in source
    with open(REPO / "data" / "sources.csv", newline="") as fh:
        rows = {r["source_id"]: r for r in csv.DictReader(fh)}
    row = rows["makehuman2020"]
    assert "CC0 1.0" in row["citation"] and "a8bc2d54" in row["citation"]
    assert "Data Collection AB" in row["citation"]


def test_the_table_covers_the_models_rays():
    radius, u0, du, s0, ds = head_scan._table()
    from facelayers.model.grid import S_BOTTOM_MM, S_TOP_MM
    assert s0 <= S_BOTTOM_MM and s0 + ds * (radius.shape[0] - 1) >= S_TOP_MM
    assert np.isclose(du * radius.shape[1], 2 * np.pi)
    # an adult head: every radius between 40 and 160 mm from the rays' axis, and no spikes: neighbouring cells
    # (0.5 degree, 1 mm apart) differ by less than 6 mm anywhere (the steepest is the nose's side)
    assert 40.0 < radius.min() and radius.max() < 160.0
    assert np.abs(np.diff(radius, axis=0)).max() < 6.0
    assert np.abs(np.diff(radius, axis=1)).max() < 6.0


@pytest.fixture(scope="module")
def scan_skin(model_lecture):
    """The lecture grid's skin with the scanned head as its base, pinned like the model's (whatever its default)."""
    names, points = model_lecture.anatomy.landmark_points(on_skin=True)
    return Skin.sculpt(model_lecture.skin_surface.gu, model_lecture.skin_surface.gs, "scan").pinned(names, points)


def test_the_scan_lies_near_every_landmark_before_pinning(scan_skin):
    """Placed by the similarity, bent onto the cited landmarks and its alae widened, the scan needs small pins:
    measured (lecture grid) every residual within 3.5 mm (the trichion's 3.1 the largest, the alare's 2.6: the
    mesh's nose is narrower than the cited al-al 40.7-43.2 mm, and before the alae were widened its pin needed 5.0),
    the jaw, chin and mouth's within 2 mm; the hand sculpture's largest was 3.6 mm (the tragion)."""
    residual = dict(zip(scan_skin.pins.names, scan_skin.pins.residual_mm))
    assert max(abs(r) for r in residual.values()) <= 3.5, residual
    assert abs(residual["alare:left"]) <= 3.0, residual["alare:left"]
    for name in ("stomion", "pogonion", "menton", "cheilion:left", "gonion:left"):
        assert abs(residual[name]) <= 2.0, (name, residual[name])


def _midline(skin) -> np.ndarray:
    s = np.linspace(-136.0, 186.0, 3000)
    u = np.zeros_like(s)
    o, d = rays(u, s)
    return o + d * skin.radius(u, s)[:, None]


def _breadth(skin, z_mm: float) -> float:
    """The skin's full breadth (2 max |x|, mm) in the horizontal slice at height z."""
    u = np.linspace(-np.pi, np.pi, 1441)[:-1]
    s = np.full_like(u, z_mm)          # horizontal rays between Z_LOW_MM and Z_CAP_MM: s = z
    if not -50.0 <= z_mm <= 30.0:
        from facelayers.model.grid import s_at_height
        s = s_at_height(u, z_mm, skin)
    o, d = rays(u, s)
    p = o + d * skin.radius(u, s)[:, None]
    return float(2 * np.abs(p[:, 0]).max())


#: REFERENCE section 9.1 (mps2019 Table 9): nasal height n-sn 51.0 (1.9) and 47.6 (3.1) mm; lower face height sn-me
#: 76.4 (3.6) and 69.5 (4.8) mm in the two adult groups. Accepted: from the lower group's mean - 2 SD to the higher's + 2 SD.
N_SN_MM = (47.6 - 2 * 3.1, 51.0 + 2 * 1.9)
SN_ME_MM = (69.5 - 2 * 4.8, 76.4 + 2 * 3.6)


def test_the_faces_heights_are_adult(scan_skin):
    """Measured on the built skin's midline outline: the nasion the deepest point above the nose, the subnasale the
    deepest between the nose and the upper lip, the menton the chin's lowest point (farthest along (0, 0.3, -1),
    where the chin's outline turns under)."""
    p = _midline(scan_skin)
    front = p[p[:, 1] > 0]
    y, z = front[:, 1], front[:, 2]

    def extreme(lo, hi, fn):
        sel = np.flatnonzero((z >= lo) & (z <= hi))
        return front[sel[fn(y[sel])]]

    prn = extreme(-40.0, 10.0, np.argmax)
    n = extreme(prn[2] + 15.0, 40.0, np.argmin)
    ls = extreme(prn[2] - 35.0, prn[2] - 12.0, np.argmax)
    sn = extreme(ls[2], prn[2] - 5.0, np.argmin)
    pog = extreme(ls[2] - 45.0, ls[2] - 20.0, np.argmax)
    chin = front[(front[:, 2] < pog[2]) & (front[:, 2] > pog[2] - 40.0)]
    me = chin[np.argmax(chin @ np.array([0.0, 0.3, -1.0]))]
    assert N_SN_MM[0] <= n[2] - sn[2] <= N_SN_MM[1], (n, sn)
    assert SN_ME_MM[0] <= sn[2] - me[2] <= SN_ME_MM[1], (sn, me)


def test_the_cranium_is_not_an_egg(scan_skin):
    """From the front an adult cranium's sides rise almost straight from the temples to the parietal eminences, its
    widest (the eurion) above the ears; the former hand sculpture was widest at the temples (z = 30 mm) and narrowed
    upward like an egg (at z = 90 mm 77% of its greatest breadth). Measured: the MakeHuman head is widest at
    z ~ 46 mm and keeps 85% of it at z = 90 mm. Thresholds between the two: widest above z = 40 mm (above the brows'
    top, 38 mm at the glabella) and at least 82% of the greatest breadth at z = 90 mm."""
    skin = scan_skin
    zs = np.arange(20.0, 110.0, 2.0)
    b = np.array([_breadth(skin, z) for z in zs])
    assert zs[np.argmax(b)] >= 40.0, dict(zip(zs, b.round(1)))
    assert _breadth(skin, 90.0) >= 0.82 * b.max(), (_breadth(skin, 90.0), b.max())
