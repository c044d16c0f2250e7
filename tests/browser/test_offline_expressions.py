"""The course file's expressions, as a student opens it: from disk, the network blocked, headless Chromium.

Pick an expression and a case in the page (no kernel) and read the skin trace's coordinates back: a brow vertex
rises for "Raise the brows" by what :func:`facelayers.model.expression.skin_displacement` gives (within the stored
0.01 mm step), a frontal-branch cut leaves that brow down while the other side still rises, a cut marginal
mandibular branch leaves one half of the lower lip up. Screenshots (smile; the frontal cut) go to
``screenshots/``; no console error, no request, no overlapping menus at 1366 x 768.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from test_offline_export import PLOT, SHOTS, Offline, overlaps_at

from facelayers.model import expression as ex
from facelayers.model.geometry import build_face

pytestmark = pytest.mark.browser

#: The main test drives the page at 1920 x 1080 (the face larger in the screenshots); the laptop window is
#: checked by :func:`test_the_expression_menus_fit_a_laptop_window`.
SIZE = (1920, 1080)
LAPTOP = (1366, 768)


@pytest.fixture(scope="module")
def course(chromium_path, tmp_path_factory):
    """The course at the lecture grid, written by the command line a teacher runs."""
    out = tmp_path_factory.mktemp("expressions") / "course.html"
    done = subprocess.run([sys.executable, "-m", "facelayers", "export", "course", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def model():
    return build_face()


def mirror(model, i: int) -> int:
    """The skin vertex nearest the mirror image (x -> -x) of vertex i."""
    p = model.skin[i] * [-1, 1, 1]
    return int(np.argmin(np.linalg.norm(model.skin - p, axis=1)))


def skin_xyz(offline) -> np.ndarray:
    """The skin trace's vertices as the page holds them, in the model's frame (x un-negated), (m, 3)."""
    xyz = offline.value("[Array.from(gd.data[gd.data.findIndex((t) => t.name === 'layer:skin')].x),"
                        " Array.from(gd.data[gd.data.findIndex((t) => t.name === 'layer:skin')].y),"
                        " Array.from(gd.data[gd.data.findIndex((t) => t.name === 'layer:skin')].z)]")
    a = np.asarray(xyz, float).T
    a[:, 0] *= -1
    return a


def choose(offline, menu: str, label: str, want: str) -> None:
    """Pick ``label`` in the page's ``menu`` and wait until the part has drawn it (``div.dataset``)."""
    offline.dropdown(menu, label)
    key = "expression" if menu == "expression" else "case"
    offline.page.wait_for_function(f"() => {PLOT}.dataset.{key} === {want!r}", timeout=30_000)


def test_course_expressions_move_the_skin_and_cases_show_their_palsy(browser, course, model):
    offline = Offline(browser, course, SIZE)
    try:
        page = offline.page
        page.wait_for_function(f"() => {PLOT}.dataset.expression === 'rest'", timeout=30_000)
        n = model.n_vertices
        rest = skin_xyz(offline)
        np.testing.assert_allclose(rest[:n], model.skin, atol=1e-4)  # drawn as built

        offline.dropdown("camera", "Front")
        page.wait_for_function(f"() => Math.abs({PLOT}._fullLayout.scene.camera.eye.x) < 1e-6", timeout=30_000)
        # Raise the brows: the left brow vertex that moves most rises by what the model gives.
        choose(offline, "expression", "Raise brows", "raise_brows")
        d = ex.skin_displacement(model, "raise_brows")
        left = np.flatnonzero(model.skin[:, 0] > 15)
        i = int(left[np.argmax(d[left, 2])])
        j = mirror(model, i)
        raised = skin_xyz(offline)
        assert d[i, 2] > 5.0
        np.testing.assert_allclose(raised[i] - rest[i], d[i], atol=0.011)
        np.testing.assert_allclose(raised[:n] - rest[:n], d, atol=0.011)
        assert raised[j, 2] - rest[j, 2] > 5.0, "both brows rise on the intact face"

        # The frontal branch cut on the left: that brow stays down, the right one still rises.
        choose(offline, "case", "Frontal L", "frontal_left")
        cut = skin_xyz(offline)
        assert cut[i, 2] - rest[i, 2] < 0.25 * d[i, 2], "the cut side's brow should not rise"
        assert cut[j, 2] - rest[j, 2] > 5.0, "the other brow still rises"
        want = ex.skin_displacement(model, "raise_brows", cut=("frontal:left",))
        np.testing.assert_allclose(cut[:n] - rest[:n], want, atol=0.011)
        page.mouse.move(5, 5)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "offline_course_frontal_cut_raise_brows_1920x1080.png"))
        caption = offline.value("gd._fullLayout.annotations.find((a) => a.name === 'caption').text")
        assert "Raise the brows" in caption and "brow ptosis" in caption and "House-Brackmann grade" in caption, caption

        # The marginal mandibular branch cut on the left: the lower lip goes down on the right only.
        choose(offline, "expression", "Lip down", "show_lower_teeth")
        choose(offline, "case", "Marginal L", "marginal_left")
        d = ex.skin_displacement(model, "show_lower_teeth")
        lip = np.flatnonzero((model.skin[:, 0] > 8) & (model.skin[:, 0] < 25))
        k = int(lip[np.argmin(d[lip, 2])])
        m = mirror(model, k)
        now = skin_xyz(offline)
        assert now[m, 2] - rest[m, 2] < -2.0, "the intact side's lower lip goes down"
        assert abs(now[k, 2] - rest[k, 2]) < 0.5 * abs(now[m, 2] - rest[m, 2]), "the cut side's lip should lag"
        page.mouse.move(5, 5)
        page.screenshot(path=str(SHOTS / "offline_course_marginal_cut_lower_teeth_1920x1080.png"))

        # The endoscopic brow lift: no frown left, the smile kept.
        choose(offline, "case", "Brow lift", "brow_lift")
        choose(offline, "expression", "Frown", "frown")
        frown = skin_xyz(offline)
        page.mouse.move(5, 5)
        page.screenshot(path=str(SHOTS / "offline_course_brow_lift_frown_1920x1080.png"))
        assert np.abs(frown[:n] - rest[:n]).max() < 0.5 * np.abs(ex.skin_displacement(model, "frown")).max()
        choose(offline, "expression", "Smile", "smile")
        smile = skin_xyz(offline)
        np.testing.assert_allclose(smile[:n] - rest[:n], ex.skin_displacement(model, "smile"), atol=0.011)

        # Smile on the intact face: the screenshot, then the menus still fit beside everything else.
        choose(offline, "case", "Intact", "intact")
        page.mouse.move(5, 5)
        page.screenshot(path=str(SHOTS / "offline_course_smile_1920x1080.png"))
        assert overlaps_at(page) == []
        # The layers menus still restyle the skin's triangles on top of the expression (a cutaway).
        before = offline.value("gd._fullData[0].i.length")
        offline.dropdown("cutaway", "Cheek")
        page.wait_for_function(f"() => {PLOT}._fullData[0].i.length !== {before}", timeout=30_000)
        assert np.allclose(skin_xyz(offline)[:n], smile[:n]), "a cutaway keeps the expression"
        assert offline.errors == [], offline.errors
        assert offline.blocked == [], offline.blocked[:5]
    finally:
        offline.close()


def test_the_expression_menus_fit_a_laptop_window(browser, course):
    """At 1366 x 768 the two menus sit at the foot of the left column, overlapping nothing, and open upward
    with every choice on the page; picking one there works too."""
    offline = Offline(browser, course, LAPTOP)
    try:
        page = offline.page
        page.wait_for_function(f"() => {PLOT}.dataset.expression === 'rest'", timeout=30_000)
        assert overlaps_at(page) == []
        offline.click(page.locator(".updatemenu-header-group").nth(
            offline.value("gd.layout.updatemenus.map((m) => m.name).indexOf('expression')")))
        boxes = page.evaluate("() => Array.from(document.querySelectorAll('.updatemenu-dropdown-button'))"
                              ".map((e) => e.getBoundingClientRect()).map((r) => [r.top, r.bottom])")
        assert len(boxes) == len(ex.EXPRESSIONS) and min(t for t, _ in boxes) >= 0 and max(b for _, b in boxes) <= 768
        offline.click(page.locator(".updatemenu-dropdown-button").filter(has_text="Pucker").first)
        page.wait_for_function(f"() => {PLOT}.dataset.expression === 'pucker'", timeout=30_000)
        # The camera menu just above opens upward too, so its first choice can be clicked on a laptop.
        offline.dropdown("camera", "Front")
        page.wait_for_function(f"() => Math.abs({PLOT}._fullLayout.scene.camera.eye.x) < 1e-6", timeout=30_000)
        page.mouse.move(5, 5)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "offline_course_pucker_1366x768.png"))
        assert overlaps_at(page) == []
        assert offline.errors == [] and offline.blocked == []
    finally:
        offline.close()
