"""The interactive views in JupyterLab and Voila (ipywidgets, plotly FigureWidget).

The explorers and their controller, the storyboard player, the quiz, the expression and patient views.
"""
