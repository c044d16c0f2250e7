"""Getting the lessons out.

The ``python -m facelayers`` command line (``cli``), exports of HTML, meshes and PNG (``export``) and the offline
page with its vendored plotly.js (``offline_page``, ``static/``).
"""
