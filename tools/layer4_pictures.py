"""Render the issue-11 pictures (layer 4 and the deep-plane flap) to PNG in headless Chromium.

Usage: python tools/layer4_pictures.py [OUT_DIR]   (default: docs/images/)

Writes layer4_cutaway.png (temple cutaway: layer 4's band in the muscle layer's cut wall), layer4_section.png (a
horizontal section through the temple: layer 4 and its spaces as a band) and deep_plane_flap.png (the deep-plane
flap raised: the facial nerve branches, drawn in yellow on the floor over where they run, lie under its floor).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

sys.path.insert(0, str(Path(__file__).parent))
from facelayers.model.geometry import build_face
from facelayers.model.grid import params_of, rays
from facelayers.model.nerves import place_all
from facelayers.model.section import section
from facelayers.render.face import face_figure, section_figure, xyz
from facelayers.teaching.state import ViewState

from screenshots import shoot

UP = {"x": 0, "y": 0, "z": 1}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model = build_face()
    tmp = Path(tempfile.mkdtemp())

    def save(fig, name, width=1280, height=860):
        fig.update_layout(width=width, height=height)
        html = tmp / f"{name}.html"
        fig.write_html(html, include_plotlyjs=True)
        shoot(html, out / f"{name}.png", width, height)
        print(out / f"{name}.png")

    fig = face_figure(model, ViewState(camera="left", cutaway="temple"),
                      title="Temple cutaway: layer 4 (pink) in the wall, between the SMAS and the deep fascia")
    fig.update_layout(scene_camera={"eye": {"x": -0.75, "y": 0.25, "z": 0.3},
                                    "center": {"x": -0.45, "y": 0.12, "z": 0.14}, "up": UP})
    save(fig, "layer4_cutaway")
    save(section_figure(model, section(model, "horizontal", 20.0)), "layer4_section", 1280, 560)

    from facelayers.widgets.dissection import DissectionComparer

    comparer = DissectionComparer(model, techniques=("deep_plane", "endoscopic_brow"))
    comparer.flap.value = 40
    fig = go.Figure(comparer.figure)
    planes = [p for p in comparer.placed("deep_plane").planes if p.side == "left"]
    for (nid, _), path in place_all(model, sides=("left",)).items():
        if model.anatomy.nerve(nid).group not in ("zygomatic", "buccal", "marginal_mandibular", "frontal", "cervical"):
            continue
        u, s, _ = params_of(path.points)
        pts = np.full_like(path.points, np.nan)
        for plane in planes:  # drawn on the floor over where the branch runs under it
            cov = plane.covers(path.points)
            if cov.any():
                _, d = rays(u[cov], s[cov])
                pts[cov] = plane.points_at(model.stack_at(u[cov], s[cov])) + 0.6 * d
        if np.isfinite(pts).sum() >= 6:
            fig.add_trace(go.Scatter3d(name=f"floor:{nid}", mode="lines", **xyz(pts.astype(np.float32)),
                                       line={"color": "#FFE14D", "width": 9}, showlegend=False, hoverinfo="skip"))
    fig.update_layout(scene_camera={"eye": {"x": -0.95, "y": -0.25, "z": 0.45},
                                    "center": {"x": -0.38, "y": 0.25, "z": -0.1}, "up": UP},
                      title={"text": "Deep-plane flap raised: the facial nerve branches (yellow) lie under its floor"})
    save(fig, "deep_plane_flap")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images"))
