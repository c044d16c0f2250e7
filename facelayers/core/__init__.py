"""The frame and the plumbing every layer shares (numpy only).

Axes, sides and mirror (``frame``), error types (``errors``), documents read with line numbers (``documents``),
atomic writes (``atomic``), polygons (``polygons``). Imports nothing else from the package.
"""
