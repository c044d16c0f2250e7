"""Local, interpolating blends of values given at anchor points, and the thin matrix products they need.

The thickness field (:mod:`facelayers.model.stack`), the landmark pins (:mod:`facelayers.model.skin`) and the
skull's fit to the tissue depths (:mod:`facelayers.model.skull_surface`) all weigh anchors by their distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def thin_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The product ``a @ b``, by einsum's own loop rather than BLAS.

    The model's products are tall and thin (k, m of a few dozen), where a threaded BLAS call spends more on
    handing work to its threads than on the sums (and stalls when the machine is busy). Equal to ``a @ b`` to
    rounding.

    Parameters
    ----------
    a : (n, k) float ndarray
    b : (k,) or (k, m) float ndarray

    Returns
    -------
    (n,) or (n, m) float64 ndarray
    """
    return np.einsum("ik,k->i" if b.ndim == 1 else "ik,km->im", a, b)


def sq_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared distances between two sets of points; never negative.

    Computed as |a|^2 + |b|^2 - 2 a.b (a matrix product instead of an (n, k, 3) temporary).

    Parameters
    ----------
    a : (n, 3) float ndarray, mm
    b : (k, 3) float ndarray, mm

    Returns
    -------
    (n, k) float64 ndarray, mm^2
    """
    # einsum's own loop, not BLAS: for an inner dimension of 3 a threaded BLAS call costs more in thread
    # hand-offs than it computes (and stalls on a busy machine); the values agree to rounding (1e-12 mm^2).
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * np.einsum("ij,kj->ik", a, b)
    return np.maximum(d2, 0.0)


@dataclass(frozen=True)
class Blend:
    """A local, interpolating blend of values given at anchor points.

    Weights ``exp(-(d / sigma)**2) / (d**2 + eps)``, normalised (as :class:`ThicknessField`), so it equals each
    value at its anchor and stays within the values' range.

    Attributes
    ----------
    anchors : (k, 3) float64 ndarray, mm, head frame
    values : (k,) float64 ndarray, mm
    sigma_mm : float, mm
        Width of each anchor's influence.
    """

    anchors: np.ndarray
    values: np.ndarray
    sigma_mm: float

    def weights(self, points: np.ndarray) -> np.ndarray:
        """(n, k) normalised weights of the anchors at points (n, 3) mm (rows sum to 1)."""
        d2 = sq_distances(points, self.anchors)
        logw = -d2 / self.sigma_mm**2 - np.log(d2 + 1e-9)
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        return w / w.sum(axis=1, keepdims=True)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """The blended value (n,) at points (n, 3) mm."""
        if len(self.values) == 0:
            return np.zeros(len(points))
        return thin_matmul(self.weights(points), self.values)
