"""The interactive views in JupyterLab and Voila (ipywidgets, plotly FigureWidget).

The explorers (``layer_explorer``, ``nerve_explorer``, ``dissection``), their ``controls`` and ``controller``, the
storyboard player, the quiz, the expression and patient views.
"""
