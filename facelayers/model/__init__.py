"""The built model, measured on its geometry (numpy only).

Head and skull, the layered face (``geometry``), spaces, cutaways and sections, nerves and muscles, planes,
techniques, flaps, margins, expression and injury.
"""
