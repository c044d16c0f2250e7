"""The ranges the model accepts, shared with the view state: section kinds and positions, a flap's lift.

numpy-free, so that :mod:`facelayers.teaching.state` (and the storyboards above it) stay light.
"""

__all__ = ["FLAP_MAX_MM", "SECTION_KINDS", "SECTION_LIMITS"]

#: Cross-section orientations: a horizontal cut at a height z (mm) or a vertical cut at an azimuth (degrees,
#: 0 = midline, + toward the subject's left).
SECTION_KINDS = ("horizontal", "vertical")
#: Below z = -60 mm a horizontal cut would run along the underside of the jaw: use a vertical cut there.
SECTION_LIMITS = {"horizontal": (-60.0, 60.0), "vertical": (-120.0, 120.0)}
#: The most an open technique's flap is raised at its incision in the lessons (mm).
FLAP_MAX_MM = 40.0
