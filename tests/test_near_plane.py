"""Lesson 04's step captions agree with the plane's colours (the distance to the nearest nerve, red at 0 mm).

Before: step 2 of the endoscopic brow lift said "Nerves at risk: none" while its forehead plane was red over the
supraorbital and supratrochlear nerves, and nothing said which nerves the red was.
"""

from __future__ import annotations

import pytest

from facelayers.model.near_plane import NEAR_MM, near_plane_nerves
from facelayers.model.nerves import place_all
from facelayers.model.planes import clearance_map
from facelayers.model.techniques import place_technique
from facelayers.teaching.storyboard import load_storyboards


@pytest.fixture(scope="module")
def paths(model_coarse):
    return place_all(model_coarse)


def test_every_steps_nerves_at_risk_come_near_its_plane(model_coarse, paths):
    for sid, board in load_storyboards(model_coarse.anatomy).items():
        near = {}
        for step in board.steps:
            tid = step.state().technique or board.technique
            if tid not in near:
                near[tid] = set(near_plane_nerves(place_technique(model_coarse, tid), paths))
            assert set(step.nerves_at_risk) <= near[tid], (sid, step.number, set(step.nerves_at_risk) - near[tid])


def test_the_forehead_step_names_the_nerves_that_colour_its_plane(model_coarse, paths):
    board = load_storyboards(model_coarse.anatomy)["endoscopic_brow"]
    step = board.step(2)
    placed = place_technique(model_coarse, "endoscopic_brow", sides=("left",))
    forehead = next(p for p in placed.planes if ":forehead:" in p.name)
    red = {nid for (nid, side), path in paths.items()
           if side == "left" and clearance_map(forehead, [path]).min() <= NEAR_MM}
    assert {"supraorbital", "supratrochlear"} <= red
    assert {"supraorbital", "supratrochlear"} <= set(step.nerves_at_risk)


def test_near_mm_must_be_positive(model_coarse, paths):
    placed = place_technique(model_coarse, "endoscopic_brow")
    with pytest.raises(ValueError, match="near_mm"):
        near_plane_nerves(placed, paths, near_mm=0.0)


def test_the_player_names_the_nerves_near_the_whole_plane(model_coarse):
    from facelayers.widgets.player import StoryboardPlayer

    board = load_storyboards(model_coarse.anatomy)["endoscopic_brow"]
    player = StoryboardPlayer(board, model_coarse)
    player.go_to(2)
    assert "Nerves at risk:</b> Supraorbital nerve; Supratrochlear nerve" in player.caption.value
    assert f"Within {NEAR_MM:g} mm of the whole plane drawn" in player.caption.value
    assert "Supraorbital nerve" in player.caption.value.split("whole plane drawn")[1]
