"""The cited data tables in ``data/`` (numpy only).

Their specs and checks (``validation``), the typed records and ``load_anatomy`` (``load``), and the tables the
lessons print (``tables``).
"""
