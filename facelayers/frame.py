"""The one frame, the one unit and the layer stack, named once.

Frame (after BrainGlobe's ``ATLAS_ORIENTATION``): origin midway between the two porions, **x** to the
subject's left, **y** anterior, **z** up; z = 0 is the Frankfort plane. Every length is in millimetres and
every length parameter ends in ``_mm``. Bilateral data are given for the left side (x > 0) and mirrored.
"""

from __future__ import annotations

#: The five soft-tissue layers, outermost first (REFERENCE section 0; Mendelson & Jacobson 2008).
LAYERS: tuple[str, ...] = ("skin", "fat", "smas", "muscle", "periosteum")

#: The surfaces of the model, outermost first: interface k is the outer face of layer k, and the last one
#: is the bone surface. A layer lies between interface k and interface k + 1.
INTERFACES: tuple[str, ...] = LAYERS + ("bone",)

#: Continuous depth coordinate: 0 at the skin surface, 5 at bone (layer index + fraction).
DEPTH_MAX: float = float(len(LAYERS))

AXES = {"x": "subject's left", "y": "anterior", "z": "up (z = 0: Frankfort plane)"}
UNIT = "mm"

#: How a bilateral landmark is named on each side.
SIDES = {"left": 1.0, "right": -1.0}
