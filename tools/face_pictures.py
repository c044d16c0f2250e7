"""Render the head's pictures (docs/images/face_front.png, face_oblique.png, face_side.png and a close-up of the
eyes) in headless Chromium, to look at the head as a lecturer would.

Usage: python tools/face_pictures.py OUT_DIR [NAME ...]   (NAME: face_front, face_oblique, face_side, face_eyes)

Needs Debian's chromium at /usr/bin/chromium (see .ci/run).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from facelayers.model.geometry import build_face
from facelayers.render.face import face_figure
from facelayers.teaching.state import ViewState

sys.path.insert(0, str(Path(__file__).parent))
from screenshots import shoot  # noqa: E402

VIEWS = {
    "face_front": ("front", "The head (front)", None),
    "face_oblique": ("oblique", "The head (three-quarter)", None),
    "face_side": ("left", "The head (side)", None),
    # a close-up: the eyes and brows at the size a hall's screen shows a face
    "face_eyes": ("front", "The eyes and brows (front, close)",
                  {"eye": {"x": 0.0, "y": 0.75, "z": 0.22}, "center": {"x": 0, "y": 0.05, "z": 0.12},
                   "up": {"x": 0, "y": 0, "z": 1}}),
}


def main(out: Path, only=()) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model = build_face()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (camera, title, custom) in VIEWS.items():
            if only and name not in only:
                continue

            fig = face_figure(model, ViewState(camera=camera, labels=False), title=title)
            fig.update_layout(width=1000, height=860, showlegend=False)
            fig.layout.annotations = ()  # no layer key: the head alone
            if custom:
                fig.update_layout(scene_camera=custom)
            html = Path(tmp) / f"{name}.html"
            fig.write_html(html, include_plotlyjs=True)
            shoot(html, out / f"{name}.png", 1000, 860)
            print(out / f"{name}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"), tuple(sys.argv[2:]))
