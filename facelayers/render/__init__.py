"""Plotly figures of the model for a view state: the face, nerves and muscles, techniques, the skull, themes, alt text.

Every module here draws with plotly (the ``plot`` extra); importing any of them without it fails here, once, with
what to install.
"""

try:
    import plotly  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("facelayers.render needs plotly: pip install 'facelayers[plot]'") from exc
