"""facelayers: the layered anatomy of the face, for lessons on facelift surgery.

``import facelayers`` loads the numpy core only (frame, anatomy, geometry); plotly lives in
``facelayers.render.face`` and ipywidgets in ``facelayers.widgets`` (the explorers: ``facelayers.widgets.layer_explorer``).
"""

from __future__ import annotations

from facelayers.core.frame import INTERFACES, LAYERS

__version__ = "0.1.0"

__all__ = ["INTERFACES", "LAYERS", "__version__"]
