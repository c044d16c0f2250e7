"""``make bench``: sizes and times of builds, widget messages, offline files and JupyterLab clicks (not installed)."""
