"""Getting the lessons out.

The ``python -m facelayers`` command line (``cli``); exports of HTML, meshes and PNG: the entry point
(``export``), its checked ``arguments``, the ``lessons`` registry, the offline figures (``layers_offline``,
``course``, their ``menus``), the page (``html_page``; ``offline_page`` packs it with the vendored plotly.js in
``static/``) and the ``writers``.
"""
