"""Layer 4 as a layer: the loose areolar plane under the SMAS, with its spaces, as the outer part of ``muscle``.

The five teaching layers stay (skin, fat, SMAS, muscle, periosteum; :data:`facelayers.core.frame.LAYERS`). Mendelson's
layer 4, the loose areolar tissue between the SMAS and the deep fascia with its glide spaces (prezygomatic,
premasseter, the temporal compartments) and the sub-SMAS fat over the arch and in the temple, is modelled as the
**outer part of the muscle band**: its roof is the SMAS's inner face (the muscle layer's outer face), its floor a
surface ``thickness`` mm deeper, the deep fascia (deep temporal fascia in the temple, parotid-masseteric fascia over
parotid and masseter, periosteum on bare bone). What lies under the floor is the rest of the muscle band: the deep
muscles, the parotid, and the facial nerve branches until they reach their muscles.

Thickness (``data/spaces.json``): no published number exists for layer 4 (REFERENCE-2 section 1), so the background
is a named schematic parameter, and each space adds its own (schematic or derived) thickness inside its outline,
reached over :data:`TAPER_MM` inside the outline. It is clamped to :data:`MAX_FLOOR_FRACTION` of the muscle band,
or to the band less :data:`UNDER_FLOOR_MIN_MM` where that is more, so the floor never reaches the band's inner face.
Where the ray is short (on the scan head: over the malar eminence, the maxilla and the arch) the band is thin and the
fraction alone cut the prezygomatic and premaxillary spaces and the sub-SMAS fat over the arch to 0.5-0.7 of their
data; there the part of the band under the floor gives up its room first. Skin, fat and SMAS are never thinned for
layer 4: their thicknesses are measured, layer 4's are schematic.

Depth with layer 4: the *extended* depth coordinate ``e`` has six bands, one more than the model's coordinate
``c`` (layer index + fraction; 0 skin ... 5 bone): skin [0, 1), fat [1, 2), SMAS [2, 3), layer 4 [3, 4),
under the floor [4, 5), periosteum [5, 6]. Converting needs the floor's fraction ``f4`` of the muscle band at the
point: :func:`coord_from_ext` and :func:`ext_from_coord`. Nerves and planes interpolate ``e`` so they can follow
the floor or the roof whatever the local thickness.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from facelayers.core.frame import LAYERS

#: The muscle layer's index in ``LAYERS``; layer 4 is its outer part.
MUSCLE = LAYERS.index("muscle")
#: Layer 4 never takes more than this fraction of the muscle band (schematic: leaves room under the floor for
#: the nerves and the deep muscles wherever the band is thin).
MAX_FLOOR_FRACTION = 0.6
#: Where the muscle band is thin, layer 4 may take all of it but this much (mm, schematic: a thin deep fascia with
#: the nerve branches on it; over the malar eminence and the arch only the muscles' origins and the periosteum lie
#: under layer 4).
UNDER_FLOOR_MIN_MM = 0.2
#: A space reaches its thickness this far (mm, on the face) inside its outline; outside it, the background.
TAPER_MM = 3.0
#: Names of the bands of the extended coordinate, outermost first.
EXT_BANDS: tuple[str, ...] = ("skin", "fat", "smas", "layer4", "under_floor", "periosteum")
EXT_MAX = float(len(EXT_BANDS))


def coord_from_ext(e, f4) -> np.ndarray:
    """The model's depth coordinate c (layer index + fraction, 0..5) from the extended one e (0..6).

    Parameters
    ----------
    e : (n,) float
        Extended depth coordinate (see the module notes).
    f4 : (n,) float
        Fraction of the muscle band taken by layer 4 at each point, in (0, 1).

    Returns
    -------
    (n,) float
    """
    e = np.clip(np.asarray(e, float), 0.0, EXT_MAX)
    f4 = np.asarray(f4, float)
    return np.where(e < MUSCLE, e, np.where(e < MUSCLE + 1, MUSCLE + (e - MUSCLE) * f4,
                    np.where(e < MUSCLE + 2, MUSCLE + f4 + (e - MUSCLE - 1) * (1 - f4), e - 1)))


def ext_from_coord(c, f4) -> np.ndarray:
    """Inverse of :func:`coord_from_ext`: the extended coordinate (n,) of model depth coordinates c (n,)."""
    c = np.clip(np.asarray(c, float), 0.0, float(len(LAYERS)))
    f4 = np.asarray(f4, float)
    frac = c - MUSCLE
    in_muscle = (c >= MUSCLE) & (c < MUSCLE + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(frac <= f4, MUSCLE + frac / np.maximum(f4, 1e-9),
                          MUSCLE + 1 + (frac - f4) / np.maximum(1 - f4, 1e-9))
    return np.where(c < MUSCLE, c, np.where(in_muscle, inside, c + 1))


def ext_of_spec(layer: str, fraction: float, band: str | None, f4) -> np.ndarray:
    """Return the extended coordinate (n,) of a depth given as (layer, fraction[, band]).

    The points' layer-4 fraction is f4 (n,). With a band, fraction is measured in layer 4 (``"space"``) or
    under its floor (``"under_floor"``); without, in the whole layer.
    """
    f4 = np.asarray(f4, float)
    if band == "space":
        return np.full(f4.shape, MUSCLE + float(fraction))
    if band == "under_floor":
        return np.full(f4.shape, MUSCLE + 1 + float(fraction))
    if band is not None:
        raise ValueError(f"band {band!r} is not known; allowed: space, under_floor (or none)")
    return ext_from_coord(np.full(f4.shape, LAYERS.index(layer) + float(fraction)), f4)


def max_thickness_mm(band) -> np.ndarray:
    """The most of a muscle band (n,) mm that layer 4 may take (n,) mm.

    :data:`MAX_FLOOR_FRACTION` of the band, or the band less :data:`UNDER_FLOOR_MIN_MM`, whichever is more.
    """
    band = np.asarray(band, float)
    return np.maximum(MAX_FLOOR_FRACTION * band, band - UNDER_FLOOR_MIN_MM)


@dataclass(frozen=True, eq=False)
class Layer4:
    """Layer 4's thickness anywhere on the face, from ``data/spaces.json``.

    Attributes
    ----------
    background_mm : float, mm
        The loose areolar plane's thickness outside every space.
    spaces : tuple of Space
        The spaces of level ``layer4`` (with outlines), in file order.
    poly_u, poly_s : tuple of (p,) float arrays
        Their outlines in ray parameters (left side).
    deep : tuple of Space
        Spaces under the floor (the buccal fat pad), with their outlines in ``deep_u``, ``deep_s``.
    """

    background_mm: float
    spaces: tuple
    poly_u: tuple
    poly_s: tuple
    deep: tuple
    deep_u: tuple
    deep_s: tuple

    @staticmethod
    def _weights(polys_u, polys_s, u, s) -> np.ndarray:
        from facelayers.model.outlines import polygon_field

        u = np.abs(np.asarray(u, float))  # the face is mirrored: the right side's azimuth is negated
        s = np.asarray(s, float)
        if not polys_u:
            return np.zeros((len(u), 0))
        w = [np.clip(polygon_field(pu, ps, u, s) / TAPER_MM, 0.0, 1.0) for pu, ps in zip(polys_u, polys_s)]
        w = np.stack(w, axis=1)
        return w * w * (3 - 2 * w)  # smoothstep: no kink where a space starts

    def weights(self, u, s) -> np.ndarray:
        """(n, k) float in [0, 1]: how fully each layer-4 space is present at ray parameters u, s (n,)."""
        return self._weights(self.poly_u, self.poly_s, u, s)

    def raw_thickness_mm(self, u, s) -> np.ndarray:
        """(n,) mm: the data's thickness (background, or the thickest space present), before clamping."""
        w = self.weights(u, s)
        t = np.array([sp.thickness_mm for sp in self.spaces]) if self.spaces else np.zeros(0)
        each = self.background_mm + w * (t - self.background_mm)[None, :]
        return np.maximum(self.background_mm, each.max(axis=1) if each.shape[1] else self.background_mm)

    def thickness_mm(self, stack) -> np.ndarray:
        """Return layer 4's thickness (n,) mm under the points of a :class:`~facelayers.model.stack.Stack`.

        The thickness is clamped to :func:`max_thickness_mm` of the muscle band there.
        """
        return np.minimum(self.raw_thickness_mm(stack.u, stack.s), max_thickness_mm(stack.thickness[:, MUSCLE]))

    def floor_fraction(self, stack) -> np.ndarray:
        """(n,) float in (0, 1): the layer-4 floor's fraction of the muscle band."""
        band = stack.thickness[:, MUSCLE]
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(band > 1e-9, self.thickness_mm(stack) / band, MAX_FLOOR_FRACTION)
        return np.clip(f, 1e-6, np.maximum(MAX_FLOOR_FRACTION, max_thickness_mm(band) / np.maximum(band, 1e-9)))

    def space_at(self, u, s, level: str = "layer4") -> list[str]:
        """Return the label of the space most present at each point (n,), or the background's label.

        ``level`` ``"under_floor"`` asks for the deep spaces (empty string where none).
        """
        if level == "under_floor":
            w = self._weights(self.deep_u, self.deep_s, u, s)
            labels = [sp.label for sp in self.deep]
            empty = ""
        else:
            w = self.weights(u, s)
            labels = [sp.label for sp in self.spaces]
            empty = self.background_label
        if w.shape[1] == 0:
            return [empty] * len(np.atleast_1d(u))
        best = w.argmax(axis=1)
        return [labels[b] if w[i, b] > 0.5 else empty for i, b in enumerate(best)]

    background_label: str = "Loose areolar plane (layer 4)"


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def layer4(anatomy) -> Layer4:
    """Layer 4 of the data (cached per :class:`~facelayers.anatomy.load.Anatomy`).

    Raises
    ------
    ValueError
        If spaces.json has no background item or more than one.
    """
    try:
        return _CACHE[anatomy]
    except KeyError:
        pass
    from facelayers.model.outlines import outline_params

    spaces = list(anatomy.spaces.values())
    background = [sp for sp in spaces if sp.kind == "background"]
    if len(background) != 1:
        raise ValueError(f"spaces.json: {len(background)} items of kind 'background'; allowed: exactly one "
                         "(the loose areolar plane's thickness outside every space)")
    inner = [sp for sp in spaces if sp.kind != "background" and sp.level == "layer4"]
    deep = [sp for sp in spaces if sp.kind != "background" and sp.level == "under_floor"]
    pu, ps = zip(*[outline_params(anatomy, sp.outline, "left") for sp in inner]) if inner else ((), ())
    du, ds = zip(*[outline_params(anatomy, sp.outline, "left") for sp in deep]) if deep else ((), ())
    out = Layer4(background[0].thickness_mm, tuple(inner), tuple(pu), tuple(ps), tuple(deep), tuple(du), tuple(ds),
                 background[0].label)
    _CACHE[anatomy] = out
    return out


def floor_fraction(model, u, s) -> np.ndarray:
    """(n,) float: the layer-4 floor's fraction of the muscle band at ray parameters u, s (n,) of a model."""
    return layer4(model.anatomy).floor_fraction(model.stack_at(u, s))


def floor_points(model, stack=None) -> np.ndarray:
    """(n, 3) mm: the layer-4 floor (the deep fascia) under the model's vertices, or under a given Stack."""
    stack = model.stack if stack is None else stack
    f4 = layer4(model.anatomy).floor_fraction(stack)
    return stack.at_depth(np.full(len(stack.u), MUSCLE), f4)


def points_at_ext(stack, e, f4) -> tuple[np.ndarray, np.ndarray]:
    """Return the points (n, 3) mm and model depth coordinates c (n,) at extended coordinates e (n,).

    The coordinates are in a Stack whose layer-4 fractions are f4 (n,).
    """
    c = coord_from_ext(e, f4)
    layer = np.minimum(np.floor(c).astype(int), len(LAYERS) - 1)
    return stack.at_depth(layer, c - layer), c


def depth_mm_of_coord(stack, c) -> np.ndarray:
    """(n,) mm below the skin (along the ray) of model depth coordinates c (n,) in a Stack."""
    c = np.clip(np.asarray(c, float), 0.0, float(len(LAYERS)))
    layer = np.minimum(np.floor(c).astype(int), len(LAYERS) - 1)
    idx = np.arange(len(c))
    return stack.depth[idx, layer] + (c - layer) * (stack.depth[idx, layer + 1] - stack.depth[idx, layer])


def coord_of_depth_mm(stack, depth_mm) -> np.ndarray:
    """(n,) model depth coordinate of depths (n,) mm below the skin along each ray of a Stack (clamped to 0..5)."""
    d = np.asarray(depth_mm, float)
    out = np.empty(len(d))
    for i in range(len(d)):
        col = stack.depth[i]
        k = int(np.clip(np.searchsorted(col, d[i], side="right") - 1, 0, len(LAYERS) - 1))
        span = col[k + 1] - col[k]
        out[i] = k + (np.clip((d[i] - col[k]) / span, 0.0, 1.0) if span > 1e-9 else 0.0)
    return out


def summary_text(model) -> str:
    """Return a text table of the layer-4 spaces (left side) for lessons.

    Per space: its label, the data's thickness and the thickness measured on the model at its centre (mm,
    rounded), what lies on its floor. The first row is the loose areolar plane outside the spaces; its model
    value is the median measured over the face (azimuth within 110 degrees of the front, -60 to 60 mm high)
    where no space is present.

    Parameters
    ----------
    model : FaceModel

    Returns
    -------
    str
        A header line, then one line for the background and one per space, joined by newlines.
    """
    l4 = layer4(model.anatomy)
    uu, ss = np.meshgrid(np.radians(np.linspace(-110, 110, 45)), np.linspace(-60.0, 60.0, 25))
    uu, ss = uu.ravel(), ss.ravel()
    outside = l4.weights(uu, ss).sum(axis=1) == 0 if l4.spaces else np.ones(len(uu), bool)
    background = float(np.median(l4.thickness_mm(model.stack_at(uu[outside], ss[outside]))))
    lines = [f"{'Layer 4 (left side)':<56}{'data mm':>8}{'model mm':>9}  floor"]
    lines.append(f"{l4.background_label + ' (everywhere else)':<56}{l4.background_mm:>8.1f}{background:>9.1f}  "
                 "deep fascia (model: median outside the spaces)")
    for sp, pu, ps in zip(l4.spaces, l4.poly_u, l4.poly_s):
        st = model.stack_at(np.array([pu.mean()]), np.array([ps.mean()]))
        lines.append(f"{sp.label:<56}{sp.thickness_mm:>8.1f}{float(l4.thickness_mm(st)[0]):>9.1f}  "
                     f"{sp.floor.split(',')[0].split(' with ')[0].lower()}")
    return "\n".join(lines)
