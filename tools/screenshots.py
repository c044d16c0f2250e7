"""Render the lesson figures to PNG in headless Chromium, to look at them as a lecturer would.

Usage: python tools/screenshots.py [OUT_DIR]   (default: screenshots/, git-ignored)

Needs Debian's chromium at /usr/bin/chromium (see .ci/run). Writes one PNG per view.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import plotly.graph_objects as go

from facelayers.model.geometry import build_face
from facelayers.render.face import face_figure, section_figure
from facelayers.teaching.state import ViewState

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-quic", "--hide-scrollbars", "--virtual-time-budget=20000"]

VIEWS = {
    "face_front": (ViewState(camera="front"), "The five layers of the face"),
    "cheek_cutaway": (ViewState(camera="oblique", cutaway="cheek"), "Cheek cutaway, down to bone"),
    "temple_cutaway": (ViewState(camera="left", cutaway="temple"), "Temple cutaway, down to bone"),
    "forehead_smas": (ViewState(camera="oblique", cutaway="forehead", layers_cut=2),
                      "Forehead: skin and fat removed, on the SMAS (galea)"),
    "peeled_to_smas": (ViewState(camera="oblique", peel=2), "Skin and fat peeled away: the SMAS"),
}


def shoot(html: Path, png: Path, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={png}", html.as_uri()], check=True, capture_output=True, timeout=120)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model = build_face()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (state, title) in VIEWS.items():
            fig = face_figure(model, state, title=title)
            fig.update_layout(width=1280, height=860)
            html = Path(tmp) / f"{name}.html"
            fig.write_html(html, include_plotlyjs=True)
            shoot(html, out / f"{name}.png", 1280, 860)
            print(out / f"{name}.png")
        from facelayers.widgets.dissection import DissectionComparer
        from facelayers.widgets.nerve_explorer import NerveExplorer

        def snap(widget, name, title):
            fig = go.Figure(widget)
            if title:
                fig.update_layout(title={"text": title})
            height = 860 if title else 560
            fig.update_layout(width=1280, height=height)
            html = Path(tmp) / f"{name}.html"
            fig.write_html(html, include_plotlyjs=True)
            shoot(html, out / f"{name}.png", 1280, height)
            print(out / f"{name}.png")

        nerves = NerveExplorer(model, ViewState(peel=3, camera="left"))
        nerves.set_pick("group:frontal")
        snap(nerves.figure, "nerves_frontal", "Frontal branch: deep at the arch, in the SMAS above it")
        snap(nerves.profile, "depth_profile", None)
        comparer = DissectionComparer(model, techniques=("deep_plane", "endoscopic_brow"))
        comparer.peel.value = 3
        snap(comparer.figure, "deep_plane_clearance", "Deep-plane facelift: the plane coloured by distance to nerve")
        comparer.flap.value = 25
        snap(comparer.figure, "deep_plane_flap", "Deep-plane facelift as the surgeon meets it: no nerve in sight")
        comparer.set_technique("open_subperiosteal")  # the camera follows: from the crown
        snap(comparer.figure, "coronal_flap", "Open (coronal) subperiosteal lift: the flap raised at the incision")
        comparer.set_flap(0)
        comparer.set_technique("deep_plane")
        comparer.show.value = "B"
        comparer.peel.value = 5
        snap(comparer.figure, "endoscopic_brow", "Endoscopic brow lift: ports, scope, subperiosteal plane")
        snap(comparer.scope_view, "endoscope_view", None)
        fig = section_figure(model, state=ViewState())
        fig.update_layout(width=1280, height=560)
        html = Path(tmp) / "section.html"
        fig.write_html(html, include_plotlyjs=True)
        shoot(html, out / "section_cheeks.png", 1280, 560)
        print(out / "section_cheeks.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("screenshots"))
