"""Screenshots of the expression lesson in headless Chromium (TECH_NOTES flags): every expression from the front
and three-quarter, a frontal-branch cut, a marginal mandibular cut, the endoscopic brow lift's divided frown
muscles (frown gone, smile kept), the eyes closing with the zygomatic branch cut (lagophthalmos), a smile.
Usage: python tools/expression_screenshots.py OUT_DIR [--readme]   (--readme: only the README's pictures, with
their names there: ``python tools/expression_screenshots.py docs/images --readme``)"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from facelayers.model.geometry import build_face
from facelayers.widgets.expression_widget import (
    ExpressionState,
    expression_figure,
    gallery_figure,
)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-quic"]


def shoot(fig, png: Path) -> None:
    width, height = int(fig.layout.width), int(fig.layout.height)
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "fig.html"
        fig.write_html(html, include_plotlyjs=True)
        subprocess.run(["/usr/bin/chromium", *FLAGS, f"--user-data-dir={tmp}/profile", f"--window-size={width},{height}",
                        "--hide-scrollbars", "--virtual-time-budget=30000", f"--screenshot={png}", html.as_uri()],
                       check=True, capture_output=True, timeout=180)
    print(png)


def main(out: str, readme_only: bool = False) -> None:
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = build_face()
    shoot(gallery_figure(model, camera="front"), out_dir / "expressions_front.png")
    shoot(gallery_figure(model, camera="three_quarter"), out_dir / "expressions_three_quarter.png")
    pairs = {
        "frontal_cut": ExpressionState(expression="raise_brows", cut=("frontal:left",)),
        "marginal_mandibular_cut": ExpressionState(expression="show_lower_teeth", cut=("marginal_mandibular:left",)),
        "brow_lift_frown": ExpressionState(expression="frown", technique="endoscopic_brow"),
        "brow_lift_smile": ExpressionState(expression="smile", technique="endoscopic_brow"),
        "brow_lift_raise": ExpressionState(expression="raise_brows", technique="endoscopic_brow"),
        "frontal_cut_three_quarter": ExpressionState(expression="raise_brows", cut=("frontal:left",),
                                                     camera="three_quarter"),
        "mental_numb": ExpressionState(expression="rest", cut=("mental:left", "infraorbital:left")),
        "close_eyes_zygomatic_cut": ExpressionState(expression="close_eyes", cut=("zygomatic:left",)),
        "smile_three_quarter": ExpressionState(expression="smile", camera="three_quarter"),
    }
    # The pictures the README shows, with their names there.
    readme = {
        "expression_frontal_cut": pairs["frontal_cut"],
        "expression_marginal_mandibular_cut": pairs["marginal_mandibular_cut"],
        "expression_brow_lift_frown": pairs["brow_lift_frown"],
        "expression_brow_lift_smile": pairs["brow_lift_smile"],
        "expression_close_eyes_zygomatic_cut": pairs["close_eyes_zygomatic_cut"],
        "expression_smile_three_quarter": pairs["smile_three_quarter"],
        "expression_muscle_view": ExpressionState(expression="smile", cut=("zygomatic:left",), view="muscles"),
        "muscle_bodies": ExpressionState(expression="rest", view="muscles", camera="three_quarter"),
    }
    chosen = readme if readme_only else {**pairs, **readme}
    for name, state in chosen.items():
        shoot(expression_figure(model, state, height=620, width=1100), out_dir / f"{name}.png")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "screenshots/expression", readme_only="--readme" in sys.argv[2:])
