"""Re-run the lessons and keep only the outputs that nbval checks.

Usage: python tools/refresh_checked_outputs.py [notebooks/*.ipynb]

Each notebook is executed in a fresh kernel; afterwards every cell loses its outputs and execution count except
the cells marked ``# NBVAL_CHECK_OUTPUT``, which keep their (text) outputs so `pytest --nbval-lax` can compare
them. The file is rewritten only if the run succeeded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARK = "# NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.source.lstrip().startswith(MARK):
            cell.outputs = [o for o in cell.outputs if o.get("output_type") == "stream"]
        else:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"refreshed {path}")


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted(Path("notebooks").glob("*.ipynb"))
    for p in paths:
        refresh(p)
