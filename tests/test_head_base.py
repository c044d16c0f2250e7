"""The skin and the skull take the head's base surface ("scan" or "ellipsoids") the same way."""

import numpy as np
import pytest

from facelayers.model import head_scan, skull
from facelayers.model.grid import rays
from facelayers.model.skin import Skin
from facelayers.model.skull_surface import SkullSurface


def test_skin_and_skull_follow_one_base_argument_and_default_to_the_session_choice(model_coarse):
    gu, gs = model_coarse.skin_surface.gu, model_coarse.skin_surface.gs
    assert head_scan.resolve_base(None, "x") == head_scan.BASE
    for base in head_scan.BASES:
        # explicit and default agree where the default is this base; the cache is keyed on the base
        if base == head_scan.BASE:
            assert Skin.sculpt(gu, gs, base).base is Skin.sculpt(gu, gs).base
            assert SkullSurface.sculpt(gu, gs, base).base is SkullSurface.sculpt(gu, gs).base
    scan, ellipsoids = (SkullSurface.sculpt(gu, gs, b).envelope for b in ("scan", "ellipsoids"))
    # the scan's cranium moves the envelope above the brows (its face keeps the schematic pieces)
    assert np.abs(scan - ellipsoids).max() > 1.0
    o, d = rays(np.array([0.0, 1.0]), np.array([-40.0, -40.0]))
    np.testing.assert_allclose(skull.envelope(o, d, "ellipsoids"), skull.envelope(o, d, "ellipsoids"))


@pytest.mark.parametrize("call", [
    lambda gu, gs: Skin.sculpt(gu, gs, "egg"),
    lambda gu, gs: SkullSurface.sculpt(gu, gs, "egg"),
    lambda gu, gs: skull.envelope(*rays(np.zeros(1), np.zeros(1)), "egg"),
])
def test_an_unknown_base_is_refused_naming_the_value_and_the_choices(model_coarse, call):
    gu, gs = model_coarse.skin_surface.gu, model_coarse.skin_surface.gs
    with pytest.raises(ValueError, match=r"base = 'egg'; allowed: 'scan', 'ellipsoids'"):
        call(gu, gs)


@pytest.mark.parametrize("value, expect", [
    ("ellipsoids", "FACELAYERS_HEAD=ellipsoids: the older hand-sculpted head"),
    ("egg", "environment variable FACELAYERS_HEAD = 'egg'; allowed: 'scan', 'ellipsoids'"),
])
def test_the_session_choice_warns_on_the_sculpture_and_refuses_an_unknown_head(value, expect):
    """The default is the scan; the sculpture is for comparing shapes and says so; a bad value is a clear error."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "FACELAYERS_HEAD": value}
    proc = subprocess.run([sys.executable, "-W", "always", "-c", "import facelayers.model.head_scan as h; print(h.BASE)"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert expect in proc.stderr
    assert (proc.returncode == 0) == (value == "ellipsoids")
    assert "Traceback" not in proc.stderr or value == "egg"
    env.pop("FACELAYERS_HEAD")
    proc = subprocess.run([sys.executable, "-W", "always", "-c", "import facelayers.model.head_scan as h; print(h.BASE)"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.stdout.strip() == "scan" and "FACELAYERS_HEAD" not in proc.stderr
