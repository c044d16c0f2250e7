"""What a cut or stretched nerve takes away, and what a technique does to expression.

The deficit, its House-Brackmann grade, its course in time, the numb skin of a sensory nerve, and what a
technique's plane and muscle work do to expression.

- **Deficit**: the words of ``data/palsies.json`` (Seckel 1994, Stuzin 2020, Rodel & Laskawi 1998, Daane &
  Owsley 2003) for each injured group, and which muscles stop or weaken (:func:`facelayers.model.expression.supply`).
- **House-Brackmann** (House & Brackmann 1985) grades the *whole* nerve from the forehead, the eye and the
  mouth at maximal effort. It is computed here from what the model shows: the share of the frontalis's supply
  (forehead), of the orbicularis oculi's (eye) and the mean over the mouth's muscles (mouth), on the worse side.
  A single branch injury shows in one region only, which the scale was not made for: the overall grade is the
  worst region's, and each region's grade is given too (so a frontal-branch cut reads "forehead IV, eye I,
  mouth I").
- **Course** (``data/injury.csv``): a stretch (neurapraxia) recovers in weeks to 3 months; a crush
  (axonotmesis) as the axons regrow, about 1 mm a day, so the time to reach each muscle is the length of nerve
  from the injury to where the branch meets that muscle, **measured on the placed nerve paths**; a transection
  (neurotmesis) needs repair, best within 72 h, worth it up to about 12 months, after which the muscle fibroses
  (12-18 months). The literature corrects a common claim: a nerve re-joined at once does **not** recover fully
  (Fliss 2022: every repaired patient kept some paresis); immediate repair only gives the best chance.
- **Numb skin** of a sensory nerve: the circle of palsies.json on the model's skin, its area in cm².
- **Techniques**: a technique divides its muscles (``muscles_divided``: the endoscopic brow lift takes the
  corrugator and procerus) and "injures the branches its plane crosses": the facial-nerve groups with a nerve
  within a stated clearance of any of its planes, with the published rates from techniques.json.

numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from facelayers.core.frame import SIDES
from facelayers.model.expression import facial_branches, parse_cuts, supply
from facelayers.model.geometry import FaceModel
from facelayers.model.metrics import EXPOSED_MM, point_triangle_distances

#: The mouth's muscles whose mean supply is the "mouth" of House-Brackmann.
MOUTH_MUSCLES = ("zygomaticus_major", "zygomaticus_minor", "levator_labii_superioris", "risorius",
                 "orbicularis_oris", "depressor_anguli_oris", "depressor_labii_inferioris", "levator_anguli_oris")
ROMAN = ("", "I", "II", "III", "IV", "V", "VI")


def cite(model: FaceModel, source_id: str) -> str:
    """A source as students read it (:attr:`facelayers.anatomy.basics.Source.short`); the id if unknown."""
    src = model.anatomy.sources.get(source_id)
    return source_id if src is None else src.short


def _grade_forehead(f: float) -> tuple[int, str]:
    if f >= 0.95:
        return 1, "normal"
    if f >= 0.7:
        return 2, "moderate to good function"
    if f >= 0.3:
        return 3, "slight to moderate movement"
    return 4, "no movement"


def _grade_eye(f: float) -> tuple[int, str]:
    if f >= 0.95:
        return 1, "normal"
    if f >= 0.7:
        return 2, "closes completely with minimal effort"
    if f >= 0.5:
        return 3, "closes completely with effort"
    if f > 0.05:
        return 4, "incomplete closure"
    return 6, "no movement"


def _grade_mouth(f: float) -> tuple[int, str]:
    if f >= 0.95:
        return 1, "normal"
    if f >= 0.85:
        return 2, "slight asymmetry"
    if f >= 0.65:
        return 3, "slightly weak with maximum effort"
    if f >= 0.35:
        return 4, "asymmetric with maximum effort"
    if f > 0.05:
        return 5, "slight movement"
    return 6, "no movement"


@dataclass(frozen=True)
class HouseBrackmann:
    """The House-Brackmann grade of what the model shows.

    Attributes
    ----------
    grade : int
        1..6, the worst region's on the worse side (6 only when nothing moves on that side).
    side : str or None
        The worse side, or None when both are normal.
    regions : dict of str to (int, str, float)
        ``forehead``, ``eye``, ``mouth``: (grade, House-Brackmann's words, share of supply left 0..1).
    """

    grade: int
    side: str | None
    regions: dict

    @property
    def roman(self) -> str:
        """The grade as a Roman numeral, ``"I"`` to ``"VI"``."""
        return ROMAN[self.grade]

    def headline(self) -> str:
        """The grade as a headline, region by region, then the overall grade and how it is made.

        ``"House-Brackmann grade by region: forehead IV · eye II · mouth I (overall IV, the worst region's)"``: a
        clinician reads a bare "grade IV" as including incomplete eye closure, which an isolated frontal-branch cut
        does not cause, so the regions come first.

        Returns
        -------
        str
        """
        parts = " · ".join(f"{r} {ROMAN[g]}" for r, (g, _, _) in self.regions.items())
        return f"House-Brackmann grade by region: {parts} (overall {self.roman}, the worst region's)"

    def text(self) -> str:
        """One line: ``House-Brackmann IV (left): forehead IV no movement; eye I normal; mouth I normal``."""
        where = f" ({self.side})" if self.side else ""
        parts = "; ".join(f"{r} {ROMAN[g]} {words}" for r, (g, words, _) in self.regions.items())
        return f"House-Brackmann {self.roman}{where}: {parts}"


def house_brackmann(model: FaceModel, cut=(), divided=()) -> HouseBrackmann:
    """The House-Brackmann grade of the face with these injuries (see the module's docstring for the rule).

    Parameters
    ----------
    model : FaceModel
    cut, divided : sequences of str
        As :func:`facelayers.model.expression.skin_displacement` takes them.

    Returns
    -------
    HouseBrackmann
    """
    left = supply(model, cut, divided)
    worst = None
    for side in SIDES:
        forehead = left[("frontalis", side)]
        eye = left[("orbicularis_oculi", side)]
        mouth = float(np.mean([left[(m, side)] for m in MOUTH_MUSCLES if (m, side) in left]))
        regions = {"forehead": (*_grade_forehead(forehead), forehead), "eye": (*_grade_eye(eye), eye),
                   "mouth": (*_grade_mouth(mouth), mouth)}
        grades = [g for g, _, _ in regions.values()]
        grade = 6 if max(forehead, eye, mouth) <= 0.05 else min(max(grades), 5)
        if worst is None or grade > worst.grade:
            worst = HouseBrackmann(grade, side if grade > 1 else None, regions)
    return worst


def deficit_lines(model: FaceModel, cut=(), divided=()) -> list[str]:
    """The deficits in words: one line per injured group and side (palsies.json), one per divided muscle."""
    lines = []
    palsies = {p["nerve_group"]: p for p in model.anatomy.palsies.values()}
    for (group, side), keep in parse_cuts(model, cut).items():
        p = palsies.get(group)
        how = "stretched (partial block)" if keep > 0 else "cut"
        lines.append(f"{p['label'] if p else group} {how}, {side}: {p['deficit'] if p else 'its muscles stop'}"
                     f" ({cite(model, p['source_id']) if p else 'no source'})")
    gone = {}
    for item in divided:
        mid, _, side = str(item).partition(":")
        gone.setdefault(mid, set()).update((side,) if side else SIDES)
    for mid, sides in gone.items():
        m = model.anatomy.muscle(mid)
        where = "both sides" if len(sides) == 2 else next(iter(sides))
        lines.append(f"{m.label} divided ({where}): it no longer {m.action[0].lower() + m.action[1:]}"
                     + (f"; {m.wrinkle[0].lower() + m.wrinkle[1:]} gone" if m.wrinkle else ""))
    return lines


def risk_lines(model: FaceModel, nerve_ids) -> list[str]:
    """What injuring each nerve at risk would take away, one line per nerve group (palsies.json).

    A storyboard step names the nerves at risk; a student reads here what the face would show if one of them
    were cut (a motor branch's palsy, a sensory nerve's numb skin), with its source. Nerves of a group without a
    palsy entry (vessels, the trunk's own segments) are left out.

    Parameters
    ----------
    model : FaceModel
    nerve_ids : iterable of str
        nerve_id values of nerves.json (unknown ids are left out: the storyboard's check names them).

    Returns
    -------
    list of str
        ``"<label>: <deficit> (<author year>)"``, in the order the groups first appear.
    """
    palsies = {p["nerve_group"]: p for p in model.anatomy.palsies.values()}
    nerves = model.anatomy.nerves
    lines, seen = [], set()
    for nid in nerve_ids:
        nerve = nerves.get(nid)
        group = getattr(nerve, "group", None)
        if group is None or group in seen or group not in palsies:
            continue
        seen.add(group)
        p = palsies[group]
        lines.append(f"{p['label']}: {p['deficit']} ({cite(model, p['source_id'])})")
    return lines


# --- time course ----------------------------------------------------------------------------------------------

def fact(model: FaceModel, fact_id: str):
    """One row of injury.csv (a read-only mapping); a clear error lists the known ids."""
    facts = model.anatomy.injury_facts
    if fact_id not in facts:
        raise ValueError(f"injury fact {fact_id!r} is not known; allowed: {', '.join(facts)}")
    return facts[fact_id]


@dataclass(frozen=True)
class Regrowth:
    """How far the axons must regrow from an injury to one muscle, measured on the placed nerve path.

    distance_mm : float, mm, along the nerve; days : float, at the cited rate (injury.csv ``regrowth_rate``).
    """

    muscle_id: str
    side: str
    nerve_id: str
    distance_mm: float
    days: float


_PATHS: dict = {}


def placed_nerves(model: FaceModel) -> dict:
    """Every nerve placed on both sides, keyed by (nerve_id, side), computed once per model.

    See :func:`facelayers.model.nerves.place_all`.
    """
    return _cached_paths(model, SIDES)


def _cached_paths(model: FaceModel, sides: tuple) -> dict:
    from facelayers.model.nerves import place_all

    key = (id(model), sides)
    if key not in _PATHS or _PATHS[key][0] is not model:
        while len(_PATHS) >= 4:  # keep the last few models only
            _PATHS.pop(next(iter(_PATHS)))
        _PATHS[key] = (model, place_all(model, sides=sides))
    return _PATHS[key][1]


#: Where each branch is usually injured (the landmark of its danger zone, Seckel 1994; REFERENCE sections 2-3):
#: the default injury site, the path's sample nearest the landmark on the branch's side.
DANGER_SITES = {"frontal": "arch_inferior", "zygomatic": "zuker_point", "buccal": "upper_masseteric_ligament",
                "marginal_mandibular": "facial_artery_border", "cervical": "gonion", "trunk": "pes_anserinus"}


def injury_site(path, site: str | np.ndarray | None = None, anatomy=None) -> int:
    """Sample index on a placed nerve path where it is injured.

    ``site`` is ``None`` = its danger-zone landmark (:data:`DANGER_SITES`, needs ``anatomy``), ``"shallowest"`` =
    where it lies nearest the skin, ``"start"``, a landmark id, or a point (3,) mm (the nearest sample).
    """
    if site is None and anatomy is not None and path.group in DANGER_SITES:
        site = anatomy.point(f"{DANGER_SITES[path.group]}") * [1.0 if path.side == "left" else -1.0, 1, 1]
    if site is None or (isinstance(site, str) and site == "shallowest"):
        return int(np.argmin(path.depth_mm))
    if isinstance(site, str) and anatomy is not None and site in anatomy.landmarks:
        site = anatomy.point(site) * [1.0 if path.side == "left" else -1.0, 1, 1]
    if isinstance(site, str) and site == "start":
        return 0
    if isinstance(site, str):
        raise ValueError(f"site {site!r} is not known; allowed: 'shallowest', 'start', a landmark id or a point "
                         "(x, y, z) mm")
    return int(np.argmin(np.linalg.norm(path.points - np.asarray(site, float), axis=1)))


def regrowth(model: FaceModel, branch: str, side: str, site=None) -> list[Regrowth]:
    """For each muscle of a facial-nerve group on one side, the nerve to regrow and the days it takes.

    The length (mm) is of nerve from the injury to where the branch meets the muscle (the path's sample nearest
    the muscle's body), measured on the placed paths; the days are at the cited rate.

    Parameters
    ----------
    model : FaceModel
    branch : str
        A facial-nerve group of nerves.json, or ``"trunk"`` (then the injury is on the trunk, at ``site`` or its
        middle, and the length runs down the trunk and then along each branch).
    side : {"left", "right"}
    site : None, "shallowest", "start" or (3,) mm
        Where on the branch (see :func:`injury_site`).

    Returns
    -------
    list of Regrowth
        Muscles whose main nerve group is the branch (every facial muscle for the trunk), nearest first.
    """
    from facelayers.model.muscles import bodies

    parse_cuts(model, [f"{branch}:{side}"])  # checks the names
    rate = float(fact(model, "regrowth_rate")["low"])
    paths = _cached_paths(model, SIDES)
    built = bodies(model)
    by_group: dict[str, list] = {}
    for (nid, s), p in paths.items():
        if s == side:
            by_group.setdefault(p.group, []).append(p)
    trunk_extra = 0.0
    if branch == "trunk":
        trunk = by_group["trunk"][0]
        at = injury_site(trunk, site, model.anatomy)
        trunk_extra = trunk.length_mm - float(trunk.distance_mm[at])
        groups = [g for g in facial_branches(model) if g != "trunk"]
    else:
        groups = [branch]
    out = []
    for mid, muscle in model.anatomy.muscles.items():
        if muscle.nerve_group not in groups:
            continue
        centre = built[(mid, side)].centreline
        best = None
        for p in by_group.get(muscle.nerve_group, []):
            d = np.linalg.norm(p.points[:, None, :] - centre[None, :, :], axis=2).min(axis=1)
            entry = int(np.argmin(d))
            start = 0 if branch == "trunk" else injury_site(p, site, model.anatomy)
            length = max(float(p.distance_mm[entry] - p.distance_mm[start]), 0.0) + trunk_extra
            if best is None or d[entry] < best[0]:
                best = (d[entry], p.nerve_id, length)
        if best is not None:
            out.append(Regrowth(mid, side, best[1], best[2], best[2] / rate))
    return sorted(out, key=lambda r: r.distance_mm)


def course_lines(model: FaceModel, branch: str, side: str, injury_class: str = "neurotmesis", site=None) -> list[str]:
    """The course of an injury of one branch by class, one string per line.

    The class is ``neurapraxia``, ``axonotmesis`` or ``neurotmesis``; the course is cited from injury.csv, with
    the regrowth time to each muscle measured on the model's nerves.
    """
    classes = ("neurapraxia", "axonotmesis", "neurotmesis")
    if injury_class not in classes:
        raise ValueError(f"injury class {injury_class!r} is not known; allowed: {', '.join(classes)}")
    def f(key):
        return fact(model, key)

    def c(row):
        return cite(model, row["source_id"])

    lines = []
    if injury_class == "neurapraxia":
        r = f("neurapraxia_recovery")
        lines.append(f"Stretch (neurapraxia): full recovery in {r['low']:.0f}-{r['high']:.0f} {r['unit']} "
                     f"({c(r)}).")
        if branch == "cervical":
            c = f("cervical_recovery")
            lines.append(f"Cervical branch after a lift: all recovered in {c['low']:.0f}-{c['high']:.0f} weeks "
                         f"({c(c)}).")
        return lines
    rate = f("regrowth_rate")
    growth = regrowth(model, branch, side, site)
    if injury_class == "axonotmesis":
        lines.append(f"Crush (axonotmesis): the axons regrow about {rate['low']:.0f} {rate['unit']} "
                     f"({c(rate)}); full recovery over months ({c(f('axonotmesis_recovery'))}).")
    else:
        ideal, worth, fib, outcome = f("repair_ideal"), f("repair_worth"), f("fibrosis"), f("repair_outcome")
        lines.append(f"Transection (neurotmesis): no recovery without repair. Repair best within {ideal['high']:.0f} "
                     f"hours ({c(ideal)}); still worth it up to {worth['high']:.0f} months "
                     f"({c(worth)}); the muscle fibroses from {fib['low']:.0f}-{fib['high']:.0f} months "
                     f"({c(fib)}).")
        lines.append(f"After repair the axons regrow about {rate['low']:.0f} {rate['unit']} ({c(rate)}), "
                     f"and recovery is incomplete: all {outcome['low']:.0f} repaired patients followed kept some paresis "
                     f"({c(outcome)}). 'Re-joined at once recovers' is too strong.")
    for g in growth:
        label = model.anatomy.muscle(g.muscle_id).label
        lines.append(f"  to {label}: {g.distance_mm:.0f} mm of nerve, about {g.days:.0f} days "
                     f"({g.days / 30.4:.1f} months) plus a latency")
    return lines


# --- sensory nerves -------------------------------------------------------------------------------------------

def numb_area(model: FaceModel, nerve_group: str, side: str = "left") -> tuple[np.ndarray, float]:
    """The skin a cut sensory nerve leaves numb: a boolean mask over the skin vertices (n,) and its area, cm².

    Raises
    ------
    ValueError
        If the group has no numb area in palsies.json (the message lists those that do) or the side is unknown.
    """
    from facelayers.model.metrics import mesh_area

    areas = {p["nerve_group"]: p for p in model.anatomy.palsies.values() if "numb_area" in p}
    if nerve_group not in areas:
        raise ValueError(f"nerve group {nerve_group!r} has no numb area; allowed: {', '.join(areas)}")
    if side not in SIDES:
        raise ValueError(f"side {side!r} is not known; allowed: {', '.join(SIDES)}")
    area = areas[nerve_group]["numb_area"]
    c = area["centre"]
    centre = model.anatomy.point(c) if isinstance(c, str) else np.asarray(c, float)
    centre = centre * [1.0 if side == "left" else -1.0, 1, 1]
    on_skin = model.stack_under(centre[None, :]).points[0, 0]
    mask = np.linalg.norm(model.skin - on_skin, axis=1) <= float(area["radius_mm"])
    faces = model.faces[mask[model.faces].all(axis=1)]
    return mask, mesh_area(model.skin, faces) / 100.0


# --- techniques -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TechniqueEffect:
    """What a technique does to expression.

    Attributes
    ----------
    technique_id : str
    divided : tuple of str
        The muscles it divides (techniques.json ``muscles_divided``), both sides.
    cuts : tuple of str
        ``"BRANCH:SIDE"`` for each facial-nerve group with a nerve within ``limit_mm`` of one of its planes.
    sensory : tuple of str
        ``"NERVE:SIDE"`` for each sensory nerve within ``limit_mm``.
    sites : dict of str to (3,) float
        For each cut, the point where the nerve first comes within the limit (the injury site).
    rates : list of (str, float, str, str)
        The published nerve-injury rates of the technique: (measure, value, unit, source_id).
    limit_mm : float
    """

    technique_id: str
    divided: tuple
    cuts: tuple
    sensory: tuple
    sites: dict = field(default_factory=dict)
    rates: list = field(default_factory=list)
    limit_mm: float = EXPOSED_MM


def technique_effect(model: FaceModel, technique, limit_mm: float = EXPOSED_MM) -> TechniqueEffect:
    """The muscles a technique divides and the branches its planes come within ``limit_mm`` of.

    Measured on the placed planes and nerves (:mod:`facelayers.model.techniques`), with the technique's published
    nerve-injury rates.

    Parameters
    ----------
    model : FaceModel
    technique : Technique or str
    limit_mm : float, mm
        The clearance under which a nerve counts as injured (default :data:`facelayers.model.metrics.EXPOSED_MM`).
    """
    from facelayers.model.techniques import place_technique

    if isinstance(technique, str):
        technique = model.anatomy.technique(technique)
    if not np.isfinite(limit_mm) or limit_mm < 0:
        raise ValueError(f"limit_mm = {limit_mm!r}: must be a finite number >= 0 (mm)")
    placed = place_technique(model, technique)
    paths = _cached_paths(model, SIDES)
    motor = set(facial_branches(model))
    cuts, sensory, sites = [], [], {}
    for (nid, side), path in paths.items():
        best = None
        for plane in placed.planes:
            if plane.side != side:
                continue
            under = plane.covers(path.points)
            if not under.any():
                continue
            d = np.full(len(path.points), np.inf)
            d[under] = point_triangle_distances(path.points[under], plane.mesh.vertices, plane.mesh.faces)
            hit = np.flatnonzero(d <= limit_mm)
            if len(hit) and (best is None or hit[0] < best):
                best = int(hit[0])
        if best is None:
            continue
        if path.group in motor:
            key = f"{path.group}:{side}"
            if key not in cuts:
                cuts.append(key)
                sites[key] = path.points[best]
        elif path.kind == "sensory":
            key = f"{path.group}:{side}"
            if key not in sensory:
                sensory.append(key)
    rates = [(c.measure, c.value, c.unit, c.source_id) for c in technique.complications
             if "nerve" in c.measure or "palsy" in c.measure]
    return TechniqueEffect(technique.technique_id, tuple(technique.muscles_divided), tuple(cuts), tuple(sensory),
                           sites, rates, float(limit_mm))


def _by_side(items, model: FaceModel | None = None) -> str:
    """``("frontal:left", "frontal:right", "buccal:left")`` as ``"frontal branch (left, right), buccal branch (left)"``.

    With ``model``, each group by its label (:meth:`facelayers.anatomy.load.Anatomy.group_label`).
    """
    sides: dict[str, list] = {}
    for item in items:
        group, side = item.split(":")[:2]
        sides.setdefault(group, []).append(side)

    def name(g: str) -> str:
        return model.anatomy.group_label(g) if model is not None else g.replace("_", " ")

    return ", ".join(f"{name(g)} ({', '.join(v)})" for g, v in sides.items())


def effect_lines(model: FaceModel, effect: TechniqueEffect) -> list[str]:
    """The technique's effect in words: divided muscles, branches within the clearance, rates."""
    t = model.anatomy.technique(effect.technique_id)
    lines = [f"{t.label}:"]
    if effect.divided:
        names = ", ".join(model.anatomy.muscle(m).label for m in effect.divided)
        lines.append(f"  divides {names} (both sides): the lines they make go, every other expression stays")
    else:
        lines.append("  divides no muscle")
    if effect.cuts:
        lines.append(f"  facial-nerve branches within {effect.limit_mm:g} mm of its plane: " + _by_side(effect.cuts, model))
    else:
        lines.append(f"  no facial-nerve branch within {effect.limit_mm:g} mm of its plane")
    if effect.sensory:
        lines.append(f"  sensory nerves within {effect.limit_mm:g} mm: " + _by_side(effect.sensory, model))
    for measure, value, unit, src in effect.rates:
        lines.append(f"  published: {measure} {value:g}{unit} ({cite(model, src)})")
    if not effect.rates:
        lines.append("  no published nerve-injury rate for this technique in techniques.json")
    return lines


def summary_text(model: FaceModel, side: str = "left") -> str:
    """One line per facial-nerve group cut on one side: the House-Brackmann grade of what the model shows.

    With each region's grade (forehead, eye, mouth). Rounded for lessons. Each group by its label
    (``"facial nerve trunk"``, ``"frontal branch"``).

    Parameters
    ----------
    model : FaceModel
    side : {"left", "right"}

    Returns
    -------
    str
        A header line, then one line per group, joined by newlines.
    """
    lines = [f"{'Cut (' + side + ')':<30}{'HB':<5}forehead / eye / mouth"]
    for group in facial_branches(model):
        hb = house_brackmann(model, [f"{group}:{side}"])
        regions = " / ".join(f"{ROMAN[g]}" for g, _, _ in hb.regions.values())
        lines.append(f"{model.anatomy.group_label(group):<30}{hb.roman:<5}{regions}")
    return "\n".join(lines)
