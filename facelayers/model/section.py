"""Cross-sections: the layer stack sampled along a cut on the face (the classic five-layer diagram).

A horizontal cut runs around the face at a height z (mm), from the left ear (azimuth +110 degrees) across the
midline to the right ear; a vertical cut runs from the neck over the face to the crown at one azimuth. At
each sample the section records the depth of every interface below the skin, measured perpendicular to the skin
(``Stack.perpendicular``, as the data, the hovers and the nerves' depths give it; not the step along the model's
ray, :mod:`facelayers.model.grid`), and the region that dominates the thickness blend there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facelayers.core.frame import LAYERS
from facelayers.model.geometry import FaceModel
from facelayers.model.grid import S_BOTTOM_MM, S_TOP_MM, s_at_height
from facelayers.model.limits import SECTION_KINDS, SECTION_LIMITS
from facelayers.model.space import MUSCLE, layer4
from facelayers.model.stack import Stack

#: How far round the head a horizontal cut runs, each side of the midline (degrees).
HALF_SWEEP_DEG = 110.0


@dataclass(frozen=True)
class Section:
    """A sampled cross-section.

    Attributes
    ----------
    kind : {"horizontal", "vertical"}
        As in :class:`facelayers.teaching.state.ViewState`.
    at : float
        Height z in mm (horizontal) or azimuth in degrees (vertical), as in :class:`facelayers.teaching.state.ViewState`.
    distance_mm : (n,) float64 ndarray, mm
        Arc length along the skin from the start of the cut.
    depth_mm : (n, 6) float64 ndarray, mm
        Depth of each interface below the skin, measured perpendicular to the skin (column 0 is 0, column 5 is bone).
    thickness_mm : (n, 5) float64 ndarray, mm
        Each layer's thickness perpendicular to the skin, skin first (:data:`facelayers.core.frame.LAYERS`).
    region : (n,) int ndarray
        Index of the dominant region in ``regions``.
    regions : tuple of str
        The region ids of ``data/regions.json``.
    skin_points : (n, 3) float64 ndarray, mm, head frame
        The cut line on the skin, for drawing it on the 3D model.
    layer4_mm : (n,) float64 ndarray, mm
        Layer 4's thickness (the outer part of the muscle band, :mod:`facelayers.model.space`): its floor lies
        ``depth_mm[:, 3] + layer4_mm`` below the skin.
    spaces : tuple of str, (n,)
        The layer-4 space at each sample (spaces.json), or the loose areolar plane's label.
    cavity : (n,) float64 ndarray in [0, 1], or None
        How far each sample looks into a cavity of the skull or off the bone
        (:meth:`facelayers.model.skull_surface.SkullSurface.cavity_weight`): 1 over the orbit (the layers run over
        the globe), the piriform aperture (over the nasal cartilages) and the neck, 0 on bone. There the deepest
        interface is not bone.
    """

    kind: str
    at: float
    distance_mm: np.ndarray
    depth_mm: np.ndarray
    thickness_mm: np.ndarray
    region: np.ndarray
    regions: tuple[str, ...]
    skin_points: np.ndarray
    layer4_mm: np.ndarray | None = None
    spaces: tuple = ()
    cavity: np.ndarray | None = None

    @property
    def floor_mm(self) -> np.ndarray:
        """(n,) mm: depth of layer 4's floor (the deep fascia) below the skin."""
        return self.depth_mm[:, MUSCLE] + self.layer4_mm

    def runs(self) -> list[tuple[str, float, float]]:
        """Contiguous stretches of one dominant region: (region id, start mm, end mm)."""
        out = []
        start = 0
        for i in range(1, len(self.region) + 1):
            if i == len(self.region) or self.region[i] != self.region[start]:
                out.append((self.regions[self.region[start]], float(self.distance_mm[start]),
                            float(self.distance_mm[i - 1])))
                start = i
        return out

    def summary(self, at_mm: float | None = None) -> dict[str, float]:
        """Thickness of each layer (mm) at the sample nearest ``at_mm`` along the cut (default: midway).

        Parameters
        ----------
        at_mm : float, mm, optional
            Arc length from the start of the cut.

        Returns
        -------
        dict of str -> float
            Layer name (:data:`facelayers.core.frame.LAYERS`, skin first) to thickness perpendicular to the skin, mm.
        """
        at_mm = self.distance_mm[-1] / 2 if at_mm is None else at_mm
        i = int(np.argmin(np.abs(self.distance_mm - at_mm)))
        return {name: float(self.thickness_mm[i, k]) for k, name in enumerate(LAYERS)}


def cut_params(kind: str, at: float, n: int = 361, skin=None) -> tuple[np.ndarray, np.ndarray]:
    """Grid parameters of a cut's samples, on the model's rays (see :mod:`facelayers.model.grid`).

    Parameters
    ----------
    kind : {"horizontal", "vertical"}
    at : float
        Height z in mm (horizontal cut, -60 to 60) or azimuth in degrees (vertical cut, -120 to 120; 0 = midline,
        positive toward the subject's left), as :data:`facelayers.teaching.state.SECTION_LIMITS` allows.
    n : int
        Number of samples.
    skin : facelayers.model.skin.Skin, optional
        The model's skin: places a horizontal cut exactly at its height on the jaw and crown fans (see
        :func:`facelayers.model.grid.s_at_height`). Without it, s = z, which is the height only between
        ``Z_LOW_MM`` and ``Z_CAP_MM``.

    Returns
    -------
    u : (n,) float64 ndarray, rad
        Azimuths: a horizontal cut runs from +110 degrees (left ear) to -110 degrees (right ear); a vertical cut
        has one azimuth.
    s : (n,) float64 ndarray, mm
        Grid heights: constant for a horizontal cut; from the neck (``S_BOTTOM_MM``) to 1 mm short of the crown
        for a vertical cut.

    Raises
    ------
    ValueError
        If ``kind`` is not a section kind, or ``at`` lies outside that kind's limits.
    """
    if kind not in SECTION_KINDS:
        raise ValueError(f"section kind {kind!r} is not known; allowed: {', '.join(SECTION_KINDS)}")
    lo, hi = SECTION_LIMITS[kind]
    if not lo <= at <= hi:
        raise ValueError(f"section at {at!r} is outside {lo:g} to {hi:g} for a {kind} cut")
    if kind == "horizontal":
        u = np.radians(np.linspace(HALF_SWEEP_DEG, -HALF_SWEEP_DEG, n))
        return u, (np.full(n, float(at)) if skin is None else s_at_height(u, float(at), skin))
    s = np.linspace(S_BOTTOM_MM, S_TOP_MM - 1.0, n)
    return np.full(n, np.radians(at)), s


def section(model: FaceModel, kind: str = "horizontal", at: float = -25.0, n: int = 361) -> Section:
    """Sample the layer stack along a cut.

    Parameters
    ----------
    model : FaceModel
    kind : {"horizontal", "vertical"}
    at : float
        Height z in mm (horizontal) or azimuth in degrees (vertical; 0 = midline, + toward the left).
    n : int
        Samples along the cut.

    Returns
    -------
    Section
        ``n`` samples, from the left ear to the right (horizontal) or from the neck to the crown (vertical).

    Raises
    ------
    ValueError
        If ``kind`` is not a section kind, or ``at`` lies outside that kind's limits
        (:data:`facelayers.teaching.state.SECTION_LIMITS`).
    """
    u, s = cut_params(kind, float(at), n, model.skin_surface)
    stack: Stack = model.stack_at(u, s)
    skin = stack.points[:, 0]
    dist = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(skin, axis=0), axis=1))])
    l4 = layer4(model.anatomy)
    # The diagram flattens the cut: each layer is drawn with its thickness across the skin (perpendicular, the
    # quantity the data and the hovers give), not its step along the model's ray. Layer 4 is the same fraction of
    # the muscle band either way.
    # A thickness across the skin cannot exceed the step along the ray (the step's projection on the normal): where
    # the skin's normal swings (the alar-facial groove) the muscle band's perpendicular value (the normal depth minus
    # the other four) can, and would draw a spike down to 26 mm; the step caps it.
    thickness = (np.minimum(stack.perpendicular, stack.thickness) if stack.perpendicular is not None
                 else stack.thickness)
    depth = np.concatenate([np.zeros((len(thickness), 1)), np.cumsum(thickness, axis=1)], axis=1)
    factor = thickness[:, MUSCLE] / np.maximum(stack.thickness[:, MUSCLE], 1e-9)
    return Section(kind, float(at), dist, depth, thickness, stack.region_weights.argmax(axis=1),
                   model.thickness_field.regions, skin, l4.thickness_mm(stack) * factor, tuple(l4.space_at(u, s)),
                   model.skull_surface.cavity_weight(u, s))


def summary_text(model: FaceModel, cut: Section, at_mm: float | None = None) -> str:
    """The lesson's summary of a cut: each layer's thickness (by its label) where the cut is read, and the regions.

    Parameters
    ----------
    model : FaceModel
        Gives the layers' and regions' labels (layers.csv, regions.json).
    cut : Section
        From :func:`section`.
    at_mm : float, mm, optional
        Arc length from the start of the cut (default: midway, the midline for a horizontal cut).

    Returns
    -------
    str
        One line per layer (``"Subcutaneous fat   7.1 mm at the midline"``), then the regions crossed in order.
    """
    where = "at the midline" if at_mm is None and cut.kind == "horizontal" else (
        "midway along the cut" if at_mm is None else f"{at_mm:.0f} mm along the cut")
    layers = model.anatomy.layers
    labels = {name: layers[name].label if name in layers else name for name in LAYERS}
    width = max(len(v) for v in labels.values()) + 2
    lines = [f"{labels[name]:<{width}}{mm:4.1f} mm {where}" for name, mm in cut.summary(at_mm).items()]
    regions = dict.fromkeys(model.anatomy.regions[r].label for r, _, _ in cut.runs())
    lines.append("regions crossed: " + ", ".join(regions))
    return "\n".join(lines)
