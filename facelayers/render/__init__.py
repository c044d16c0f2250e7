"""Plotly figures of the model for a view state: the face, sections, nerves, techniques, skull, themes, alt text."""
