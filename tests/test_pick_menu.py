"""The pick menu of the nerve explorer (lessons 02, 03, 05): its groups are true and no two entries light the same thing.

Before: "Branch: sentinel vein" and "Nerve: Sentinel vein" (a vein), "Branch: great auricular" (a sensory nerve), and
"Branch: trunk" beside "Nerve: Facial nerve trunk".
"""

from __future__ import annotations

from facelayers.anatomy.load import load_anatomy
from facelayers.widgets.nerve_explorer import NerveExplorer, menu_value, pick_options


def _lit(anatomy, value):
    """The nerves a menu value lights (as facelayers.render.structures.style_pick lights them)."""
    kind, _, name = value.partition(":")
    if kind == "nerve":
        return frozenset({name})
    if kind == "group":
        return frozenset(n.nerve_id for n in anatomy.nerves_in_group(name))
    return None


def test_groups_are_true_and_nothing_is_listed_twice():
    anatomy = load_anatomy()
    options = pick_options(anatomy)
    labels = [label for label, _ in options]
    values = [value for _, value in options]
    assert len(set(labels)) == len(labels) and len(set(values)) == len(values)
    lit = [_lit(anatomy, v) for v in values]
    lit = [x for x in lit if x is not None]
    assert len(set(lit)) == len(lit), "two entries light the same nerves"
    for label, value in options[1:]:
        prefix = label.split(":")[0]
        if value.startswith("muscle:"):
            assert prefix == "Muscle"
            continue
        kinds = {anatomy.nerves[n].kind for n in _lit(anatomy, value)}
        groups = {anatomy.nerves[n].group for n in _lit(anatomy, value)}
        want = {"motor": {"Branch", "Facial nerve"}, "sensory": {"Sensory nerve"}, "vein": {"Vessel"}}[kinds.pop()]
        assert prefix in want, label
        assert (prefix == "Facial nerve") == (groups == {"trunk"}), label
    assert ("Vessel: Sentinel vein", "nerve:sentinel_vein") in options
    assert ("Branch: frontal", "group:frontal") in options  # lesson 02's words
    assert not any(label.startswith("Branch: sentinel") or label.startswith("Branch: great") for label in labels)


def test_the_menu_shows_a_twin_pick_as_its_entry(model_coarse):
    anatomy = model_coarse.anatomy
    assert menu_value(anatomy, "nerve:zygomatic") == "group:zygomatic"
    assert menu_value(anatomy, "group:trunk") == "nerve:facial_trunk"
    assert menu_value(anatomy, "group:sentinel_vein") == "nerve:sentinel_vein"
    assert menu_value(anatomy, None) == "none"
    explorer = NerveExplorer(model_coarse)
    explorer.update(pick="nerve:zygomatic")  # a storyboard's pick: the menu shows the branch it lights
    assert explorer.pick.value == "group:zygomatic"
    assert explorer.state.pick == "nerve:zygomatic"
    explorer.pick.value = "nerve:great_auricular"
    assert explorer.state.pick == "nerve:great_auricular"
