"""Render the skull and the face to PNG in headless Chromium (docs/images), to look at them as a lecturer would.

Usage: python tools/skull_screenshots.py [OUT_DIR]   (default: docs/images)

Needs Debian's chromium at /usr/bin/chromium. Writes skull_{front,side,oblique}.png and face_{front,side,oblique}.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from facelayers.model.geometry import build_face
from facelayers.render.face import face_figure
from facelayers.render.skull import skull_figure
from facelayers.teaching.state import ViewState

from screenshots import shoot

CAMERAS = {"front": "front", "side": "left", "oblique": "oblique"}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model = build_face()
    with tempfile.TemporaryDirectory() as tmp:
        for name, camera in CAMERAS.items():
            for what, fig in (
                ("skull", skull_figure(model, camera, title=f"The schematic skull ({name})")),
                ("face", face_figure(model, ViewState(camera=camera), title=f"The head ({name})", key=False)),
            ):
                fig.update_layout(width=1000, height=860)
                html = Path(tmp) / f"{what}_{name}.html"
                fig.write_html(html, include_plotlyjs=True)
                shoot(html, out / f"{what}_{name}.png", 1000, 860)
                print(out / f"{what}_{name}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "docs" / "images")
