"""The lessons' text and cells, written as notebooks (run: python tools/make_lessons.py).

Edit the lessons here (or in JupyterLab, then mirror the change here), then run
``python tools/refresh_checked_outputs.py`` to store the rounded outputs that nbval checks. Writing a notebook
drops its stored outputs: name the lessons to rewrite (``python tools/make_lessons.py 03 04``) and refresh those.
"""

import sys
from pathlib import Path

import nbformat as nbf
from nbformat.v4 import new_notebook, new_markdown_cell as md, new_code_cell as code

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

KS = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
      "language_info": {"name": "python"}}

ONLY = set(sys.argv[1:])  # e.g. `python tools/make_lessons.py 00` rewrites lesson 00 only


def save(cells, path):
    if ONLY and Path(path).name[:2] not in ONLY:
        return
    nb = new_notebook(cells=cells, metadata=KS)
    for i, c in enumerate(nb.cells):
        c["id"] = f"cell-{i:02d}"
    nbf.write(nb, path)

save([
md("""# facelayers: start here

**What this is.** A set of lessons on the layered anatomy of the face and what it means for facelift surgery.
The face is modelled as five soft-tissue layers over bone — **skin, subcutaneous fat, SMAS, deep fascia and muscle,
periosteum** — with thicknesses taken from published measurements (every number names its source, or says it is
schematic and why). You can show, peel, cut away and section the layers, and read their thickness in millimetres.

**Who it is for.** Lecturers presenting in JupyterLab (large type, a dark stage, camera presets), and students working
through the lessons on their own.

**Time.** 5 minutes for this page."""),
md("""## How to use a lesson

1. Run the notebook top to bottom: *Run ▸ Run All Cells*. Each code cell is one or two lines that call the package.
2. The **layer explorer** has a checkbox per layer (tick to show, untick to hide), a **Peel** slider (peel away the
   outer layers: 0 shows everything, 5 shows bone only), a **Cutaway** window (remove a window from the outer layers
   in steps, like an atlas dissection; *Layers cut* sets how deep), **Camera** presets, and a **Cross-section**
   (the classic five-layer diagram along a cut; drag *Cut at* to move it).
3. In the 3D view: drag to rotate, scroll to zoom, hover over a layer to read its thickness and depth in mm.
4. Presenting? Use *View ▸ Presentation mode* in JupyterLab and the camera buttons rather than dragging.

The model is schematic: recognisable proportions built from cited landmarks, not a scan of one person."""),
md("""## The lessons

| # | Lesson | What you see |
|---|---|---|
| 00 | `00_start_here.ipynb` | This page |
| 01 | `01_layers_of_the_face.ipynb` | The five layers, their thickness by region, the 3D explorer, a cutaway and a cross-section |
| 02 | `02_nerves_muscles_and_danger_zones.ipynb` | The facial nerve and the sensory nerves in their layers, muscles and wrinkles, Seckel's danger zones, depth profiles |
| 03 | `03_blind_versus_endoscopic.ipynb` | Each technique's plane in the layers, incisions against ports, the endoscope's view, clearance to every nerve in mm |

| 04 | `04_procedures_step_by_step.ipynb` | An endoscopic brow lift and a deep-plane facelift, step by step, with the nerves at risk at each step |
| 05 | `05_quiz.ipynb` | Click on the model where a structure lies (scored in mm) and multiple-choice questions |

**Presenting:** `make present` serves the lessons with the code hidden. **Offline:** `python -m facelayers export 01
--out lesson01.html` writes a file that works in any browser without Python or a network."""),
md("Check that the package and its data load (this prints what the data holds):"),
code("""# NBVAL_CHECK_OUTPUT
import facelayers
from facelayers.anatomy import load_anatomy

anatomy = load_anatomy()
print(f"{len(anatomy.regions)} regions, {len(anatomy.layers)} layers, {len(anatomy.landmarks)} landmarks, "
      f"{len(anatomy.sources)} sources")"""),
md("""## Where the numbers come from

`data/` holds the cited tables (`thickness.csv`, `landmarks.csv`, `regions.json`, `layers.csv`, `sources.csv`) with a
JSON Schema each; `data/README.md` explains the columns and how to cite them. Check a data folder with
`python -m facelayers validate`.

**Next:** open `01_layers_of_the_face.ipynb`."""),
], NOTEBOOKS / "00_start_here.ipynb")

save([
md("""# 01 · The layers of the face

**You will see** a 3D head whose five soft-tissue layers you can show, peel and cut away, and a cross-section that
draws the layer stack along a cut, with each layer's thickness in millimetres.

**You will learn**
- the order of the layers from skin to bone, and how they map onto the classic five-layer description;
- how thick each layer is in each region of the face, and which numbers are measured and which are schematic;
- why the SMAS and the plane beneath it matter to a facelift surgeon.

**Time:** 20-30 minutes. **Before:** `00_start_here.ipynb`."""),
md("""## 1. Five layers over bone

The face is built in concentric layers (Mendelson & Jacobson 2008). From outside in:

1. **Skin** — epidermis and dermis, about 1 mm thick on the face (0.8 mm on the eyelid).
2. **Subcutaneous fat** — the layer a *skin-only* facelift undermines; thickest around the mouth.
3. **SMAS** (superficial musculo-aponeurotic system) — a fibromuscular sheet that carries the superficial mimetic
   muscles (frontalis, orbicularis oculi, zygomaticus, platysma); it is the temporoparietal fascia in the temple and
   the galea in the scalp.
4. **Deep fascia and muscle** — its outer face is the loose areolar *sub-SMAS plane* (the "deep plane", classic
   layer 4, with the retaining ligaments crossing it) and the deep fascia; beneath lie the deep mimetic muscles and
   the masticatory muscles. The facial nerve branches run here, deep to the SMAS, in most of the face.
5. **Periosteum** — on bone (pericranium in the scalp).

The project's stack as the data define it:"""),
code("""from facelayers import tables
from facelayers.anatomy import load_anatomy

anatomy = load_anatomy()
print(tables.layers_text(anatomy))"""),
md("""## 2. How thick is each layer, region by region?

Millimetres, rounded to 0.1 mm. The letter after each value says where it comes from: **m** measured (straight from a
source), **d** derived from sourced numbers (for example the total soft-tissue depth at a landmark minus the other
layers), **s** schematic (no published figure; `data/thickness.csv` gives the reason). Skin values are the means of
male and female ultrasound measurements (Meng et al. 2022); totals at the forehead, nose, midface, masseter, lips,
chin and jaw angle are tissue depths at craniometric landmarks (Rhine 1983)."""),
code("""# NBVAL_CHECK_OUTPUT
print(tables.thickness_text(anatomy))"""),
md("""**Read the table.** The skin hardly changes (1-2 mm); the fat changes most (0.3 mm on the eyelid, 5 mm around the
mouth). Over the masseter the soft tissue is deep (17.5 mm), but most of it is muscle *under* the SMAS: the facial
nerve branches lie just under the deep fascia there. Over the nose and forehead the whole stack is only 2.5-4 mm.

## 3. Build the model

One grid of rays is shared by every layer, so each layer is an offset of the skin along its ray by the blended
thicknesses; layers can never cross. Thickness equals the data at each region's anchor and blends smoothly between."""),
code("""# NBVAL_CHECK_OUTPUT
from facelayers.geometry import build_face

model = build_face()
print(f"{model.n_vertices} vertices per surface, {model.n_triangles} triangles over the six surfaces")"""),
md("""## 4. The layer explorer

Untick **Skin** to see the fat beneath; move **Peel** to strip layers from the outside in; pick a **Cutaway**
window to open the layers in steps. Hover over a surface for its thickness and depth."""),
code("""from facelayers.widgets import LayerExplorer

explorer = LayerExplorer(model)
explorer"""),
md("""**Try this.**
- Peel to the SMAS (Peel = 2): the SMAS follows the shape of the face, a continuous sheet from the temple (where it is
  the temporoparietal fascia) to the neck (platysma).
- Open the **cheek** cutaway with *Layers cut* = 3: you are now on the sub-SMAS plane, where a deep-plane facelift
  dissects. Over the masseter the next layer is thick — deep fascia and masseter — and the facial nerve branches run
  just under its surface.
- Compare the **temple** and the **forehead** cutaways: the forehead stack is thin, the temple is deep because of the
  temporalis."""),
md("""## 5. A cutaway as an atlas would draw it

The cheek window, opened down to bone: each deeper layer is removed over a slightly smaller window, so the layers
show as terraces and each cut wall shows that layer's thickness."""),
code("""from facelayers.render import face_figure, section_figure
from facelayers.state import ViewState

face_figure(model, ViewState(cutaway="cheek", layers_cut=5, camera="left"), title="Cheek cutaway, down to bone")"""),
md("""## 6. The classic five-layer diagram

A horizontal cut across the face at the level of the cheeks (z = -25 mm, below the nose), from the left ear to the
right. Depth is drawn downward; the bands keep the colours of the 3D model."""),
code("""section_figure(model, state=ViewState(section_kind="horizontal", section_at=-25))"""),
code("""# NBVAL_CHECK_OUTPUT
from facelayers.section import section

cut = section(model, "horizontal", -25)
for layer, mm in cut.summary().items():
    print(f"{layer:<11} {mm:4.1f} mm at the midline")
print("regions crossed:", ", ".join(dict.fromkeys(anatomy.regions[r].label for r, _, _ in cut.runs())))"""),
md("""## 7. Questions

1. Where is the fat thickest, and where is the whole soft-tissue stack thinnest? What does that mean for a filler
   injected over the nasal dorsum?
2. A skin-only facelift undermines in the fat. Which layer protects the facial nerve branches from that dissection?
3. Over the masseter the total depth is about 17.5 mm. How much of it lies *above* the sub-SMAS plane?

## References

- Mendelson BC, Jacobson SR. Surgical anatomy of the midcheek. *Clin Plast Surg* 2008;35:395.
- Meng Y et al. Facial skin thickness by high-frequency ultrasound. *BMC Med Imaging* 2022;22:113.
- Kim YS et al. Skin and superficial fat thickness by 3D scanning of cadavers. *Clin Anat* 2019.
- Rhine JS, Campbell HR (1983), tissue depths of normal-weight SW Native American females, via Rangel-de Lazaro et al.,
  *Virtual Archaeol Rev* 2024, doi:10.4995/var.2024.24796 (interim values).
- Casabona G et al. *Dermatol Surg* 2019, PMID 30882511 (attribution not confirmed).
- Stuzin JM, Baker TJ, Gordon HL. *Plast Reconstr Surg* 1992;89:441.

Every number's source and locator: `data/thickness.csv`; full citations: `data/sources.csv`."""),
], NOTEBOOKS / "01_layers_of_the_face.ipynb")

save([
md("""# 02 · Nerves, muscles and danger zones

**You will see** the facial nerve from its trunk to its five branches, and the sensory nerves at risk in a facelift,
placed in the layers of the face; the mimetic muscles they drive and the wrinkles those muscles make; Seckel's seven
facial danger zones; and, for each nerve, a chart of its depth below the skin along its course.

**You will learn**
- the depth rule: in the cheek the facial nerve branches run *deep* to the SMAS, just under the deep fascia, and reach
  the mimetic muscles from their deep surface (Stuzin, Baker & Gordon 1992);
- its exceptions, where a branch becomes superficial: the frontal branch above the zygomatic arch (on the
  undersurface of the temporoparietal fascia), the zygomatic branch near Zuker's point, the marginal mandibular branch
  below the mandibular border behind the facial artery;
- which muscle makes which wrinkle, and which branch drives it;
- where Seckel's danger zones are and what is lost if their nerve is injured.

**Time:** 30 minutes. **Before:** lesson 01."""),
md("""## 1. The model, with the nerves placed in it

Every nerve is a list of waypoints; each gives a position (a landmark, or a point in the head frame) and a depth as
*(layer, fraction within the layer)*. Between waypoints the nerve follows the layers, so it stays in its layer
whatever the thicknesses are. The sources and locators are in `data/nerves.json`."""),
code("""from facelayers.geometry import build_face
from facelayers.nerves import place_all, summary_text

model = build_face()
paths = place_all(model)"""),
md("""## 2. How deep does each nerve run, and where is it shallowest?

Length of each nerve in the model (left side), its shallowest depth below the skin, the layer it is in there, and
the waypoint nearest to that point."""),
code("""# NBVAL_CHECK_OUTPUT
print(summary_text(model, paths))"""),
md("""**Read the table.** The facial branches in the cheek are 5-15 mm deep, under the SMAS; the frontal branch is
shallowest above the arch, where it lies in the temporoparietal fascia (the SMAS layer of the temple): that is why
dissection in the temple is done either deep to it (on the deep temporal fascia) or superficial to it, never within
the TPF. The great auricular nerve is shallowest at McKinney's point, under only the thin superficial fascia over the
sternocleidomastoid.

## 3. The nerve explorer

Pick a branch, a nerve or a muscle: it glows pink and the rest dims; a muscle also lights its nerve. The depth profile
under the view follows the pick. Tick *Danger zones* for Seckel's zones and *Retaining ligaments* for the ligaments.
The layer controls work as in lesson 01: **peel** to *Deep fascia and muscle* to see the nerves just under it, or open
the **cheek cutaway** down to bone to see them at their depth through the window."""),
code("""from facelayers.widgets import NerveExplorer

explorer = NerveExplorer(model)
explorer"""),
md("""**Try this.**
- Pick *Branch: frontal* and look from the left: the rami cross the zygomatic arch 10-35 mm in front of the tragus,
  then climb along Pitanguy's line. In the depth profile, see where the curve leaves the deep band and enters the SMAS.
- Pick *Muscle: Zygomaticus major*: which branch lights up? Where does it reach the muscle?
- Pick *Branch: marginal mandibular* and turn on the danger zones: zone 3 is centred 2 cm behind the mouth corner,
  where the branch crosses the facial vessels.
- Tick *Retaining ligaments*: the zygomatic (McGregor's patch) and masseteric ligaments cross the sub-SMAS plane right
  where the zygomatic branches run."""),
md("""## 4. Depth profiles

The frontal branch's depth below the skin along its course, over the layers it passes through:"""),
code("""from facelayers.render import depth_profile_figure

depth_profile_figure(model, paths[("frontal_2", "left")])"""),
md("""## 5. Muscles and wrinkles

| Muscle | Layer | Wrinkle | Nerve |
|---|---|---|---|
| Frontalis | SMAS | horizontal forehead lines | frontal branch |
| Corrugator supercilii | deep (muscle layer) | vertical glabellar lines | frontal branch |
| Procerus | SMAS | transverse lines at the nasal root | frontal / buccal |
| Orbicularis oculi | SMAS | crow's feet | frontal and zygomatic |
| Zygomaticus major | SMAS | smile lines, nasolabial fold | zygomatic |
| Depressor anguli oris | SMAS | marionette lines | marginal mandibular |
| Mentalis | deep | chin dimpling | marginal mandibular |
| Platysma | SMAS of the neck | neck bands | cervical |

Masseter and temporalis are muscles of mastication (trigeminal nerve, V3) in the deep layer.

## 6. Questions

1. A surgeon undermines in the subcutaneous fat over the cheek. Which layer lies between the dissection and the
   zygomatic branches, and how thick is it here?
2. Above the zygomatic arch the frontal branch lies on the undersurface of the TPF. Which plane keeps a dissection
   deep to it? Which keeps it superficial?
3. Why is McKinney's point the place where the great auricular nerve is most often injured?

## References

- Seckel BR. *Facial Danger Zones*. Quality Medical Publishing, 1994.
- Stuzin JM, Baker TJ, Gordon HL. *Plast Reconstr Surg* 1992;89:441. Stuzin JM et al. *Plast Reconstr Surg* 1989;83:265.
- Pitanguy I, Ramos AS. *Plast Reconstr Surg* 1966;38:352.
- Dingman RO, Grabb WC. *Plast Reconstr Surg* 1962;29:266.
- McKinney P, Katrana DJ. *Plast Reconstr Surg* 1980;66:675.
- Dorafshar AH et al. *Plast Reconstr Surg* 2013;131:253 (Zuker's point).
- Freilinger G et al. *Plast Reconstr Surg* 1987;80:686 (layers of the mimetic muscles).

Every waypoint's source and locator: `data/nerves.json`; muscles: `data/muscles.json`; zones: `data/danger_zones.json`."""),
], NOTEBOOKS / "02_nerves_muscles_and_danger_zones.ipynb")

save([
md("""# 03 · Blind versus endoscopic: planes, incisions, ports, and how close each plane comes to each nerve

**You will see** each facelift technique's dissection plane inside the layers, coloured by the distance to the
nearest nerve; the long incision of an open lift against the short ports of an endoscopic one; the endoscope in
its port, and what its 30° tip sees in the optical cavity.

**You will learn**
- why an open, "blind" lift is safe where its plane stays in the fat or above the SMAS, and where it is not:
  sub-SMAS and deep-plane dissections reach the level of the facial nerve branches in the cheek;
- why the endoscopic brow and midface lifts choose their planes (subperiosteal on the forehead and midface, on the
  deep temporal fascia in the temple): the frontal branch and the sensory nerves stay in the roof of the cavity,
  in the flap, where the surgeon can see them;
- how to read clearance in millimetres, and what the published complication rates say.

**Time:** 30-40 minutes. **Before:** lessons 01 and 02."""),
md("""## 1. The techniques

Each technique in `data/techniques.json` is an approach (open or endoscopic), one or more planes given as a depth
(*layer, fraction*) over a region of the face, its incisions or ports, the muscles it divides, and its published
complication rates with sources. Placed in the model, each plane is a surface in the layers."""),
code("""from facelayers.geometry import build_face
from facelayers.nerves import place_all
from facelayers.techniques import place_technique, comparison_text

model = build_face()
paths = place_all(model)
placed = [place_technique(model, t) for t in model.anatomy.techniques]"""),
md("""## 2. The comparison

For every technique: the area undermined (both sides), the total scar (incisions plus ports), and for six nerves the
smallest distance in mm between the nerve and any of the technique's planes, where the nerve lies under the plane,
with the side it lies on: **f** in the flap (superficial to the plane: lifted with it, out of the way of the
dissection but at risk from traction and from a cut through the flap), **d** deep to it (left on the floor),
**x** crossing it (the dissection reaches the nerve's level: the real danger), **-** the nerve does not lie under the
plane. A nerve within 2 mm of a plane counts as exposed (REFERENCE 9.2)."""),
code("""# NBVAL_CHECK_OUTPUT
print(comparison_text(model, placed, paths))"""),
md("""**Read the table.**
- **Skin-only, plication, SMASectomy** undermine in the fat: every facial branch stays *deep* to the plane, protected
  by the SMAS, but by less than 3 mm where the fat is thin (0.6 mm at the mandibular border).
- **High-SMAS and deep-plane** dissect *under* the SMAS: the zygomatic, buccal and marginal mandibular branches run at
  that level in the cheek (they reach the mimetic muscles from their deep surface), so the plane crosses them. The
  surgeon protects them by staying on the right side of the deep fascia, not by distance.
- **Open subperiosteal and endoscopic brow/midface** dissect on bone and on the deep temporal fascia: the frontal
  branch and the supraorbital nerve lie *in the flap*, in the roof of the cavity, within a millimetre of it — safe
  only because the plane is exactly below them, and, endoscopically, visible.

Published rates beside them (Jacono 2019, 183 studies): temporary facial nerve injury 1.85% after high-SMAS and
1.52% after composite lifts (OR 2.7 and 2.2 against plication); permanent injury equal across techniques. Endoscopic
forehead lift (650 cases): temporary facial palsy 5.8%, alopecia 4.2%."""),
md("""## 3. Compare two techniques

Pick technique **A** and **B**, switch between them with *Show A / Show B*. The plane is coloured by the distance to
the nearest nerve (red = within a few mm). Peel to the layer under the plane to see it: *Peel* 2 for a subcutaneous
plane, 3 for sub-SMAS, 5 (bone) for subperiosteal. Pick a nerve to light it. For an endoscopic technique, choose a
**port**, push the scope in, aim it, and set the **magnification**: the endoscope view shows the opened cavity,
floor and roof, with the nerves of the roof."""),
code("""from facelayers.widgets import DissectionComparer

comparer = DissectionComparer(model, techniques=("deep_plane", "endoscopic_brow"))
comparer"""),
md("""## 4. The open approach as the surgeon meets it

Peeling the layers shows the plane, but no surgeon can peel. Move **Raise the flap** (above the 3D view): the flap of
the open technique lifts at its incision, every layer comes back, and the camera turns to look along the incision
into the pocket. This is the surgeon's view of a "blind" lift: the flap held up (its underside is fat over a
subcutaneous plane, SMAS over a deep plane), the floor of the dissection in its shadow, coloured by the distance to
the nearest nerve, and **no nerve in sight**: each one under the pocket lies under the floor, at the plane itself,
inside the flap, or crosses the pocket far from the opening. Now *Show B*, the endoscopic brow lift: no flap is
raised, the skin stays on, the scope goes in through a port, and its view (below the table) shows, magnified, the
supraorbital bundle at its notch and the corrugator over the subperiosteal plane, or in the temple the sentinel
vein that warns of the frontal branch in the roof.

The same, in figures, for the left side (the flap is drawn schematically: lifted along the model's rays, where a
real one is also drawn forward):"""),
code("""# NBVAL_CHECK_OUTPUT
from facelayers.flap import describe

print(describe(model, place_technique(model, "deep_plane"), paths))"""),
md("""Three branches lie **at the plane**: the zygomatic, buccal and marginal mandibular branches reach its level where
they enter their muscles from the deep surface (the model's one-depth plane runs under zygomaticus major, a little
deeper than the real dissection, which passes over the muscle). They stay on the floor, exactly where the
dissection runs, out of sight from the incision: the surgeon protects them by keeping to the right side of the
deep fascia, which the flap hides. Raise the flap of the *open subperiosteal (coronal)* lift instead: there the
frontal branch and the supraorbital nerve are carried inside the flap, and the sentinel vein crosses the pocket."""),
md("""## 5. How many millimetres? The clearance of each branch

The frontal branch's distance from each plane of the endoscopic brow lift, and of the high-SMAS lift, with the length
of nerve within 2 mm:"""),
code("""# NBVAL_CHECK_OUTPUT
from facelayers.techniques import nerve_risks

for technique in ("high_smas", "endoscopic_brow"):
    risk = nerve_risks(place_technique(model, technique), paths)["frontal_2"]
    print(f"{technique:<16} closest {risk.min_mm:4.1f} mm, {risk.side}, {risk.exposed_mm:4.0f} mm of nerve within 2 mm")"""),
md("""## 6. Questions

1. In a deep-plane lift the zygomatic branches are at the level of the plane. What keeps them safe?
2. Above the zygomatic arch the frontal branch is on the undersurface of the temporoparietal fascia. Which of the
   planes in the table lies *just* beneath it, and what does the endoscopic surgeon look for there (hint: the
   sentinel vein)?
3. The endoscopic brow lift divides the corrugator and procerus. Which wrinkles does that treat (lesson 02)?
4. Raise the deep-plane flap and look into the pocket: which branches lie at the plane, and what keeps them safe
   when the surgeon cannot see them from the incision?

## References

- Jacono AA, Alemi AS, Russell JL. *Aesthet Surg J* 2019 (meta-analysis of 183 studies).
- Hamra ST. *Plast Reconstr Surg* 1990;86:53 (deep plane); 1992;90:1 (composite).
- Barton FE 1992; Trussler AP et al. *Plast Reconstr Surg* 2010 (high-SMAS and the frontal branch over the arch).
- Isse NG 1994; Vasconez LO 1994; De Cordier BC et al. *Plast Reconstr Surg* 2002 (endoscopic forehead lift).
- Ramirez OM 1991-95; Psillakis JM 1988; Tessier P 1979 (subperiosteal lifts).
- Every plane's depth, region, port and rate with its source and locator: `data/techniques.json`."""),
], NOTEBOOKS / "03_blind_versus_endoscopic.ipynb")

# --- lesson 04: procedures, step by step --------------------------------------------------------------------
save([
md("""# 04 · Procedures, step by step: the endoscopic brow lift and the deep-plane facelift

**You will see** two operations replayed on the model, one step at a time, from the ports or the incision to the
closure: at each step a caption says what the surgeon does, in which plane and what to watch, the nerves at risk are
named and lit, the plane is coloured by its distance to the nearest nerve, and in the endoscopic lift the scope sits
in its port and shows what it sees.

**You will learn**
- the order of the steps of each operation, and the layer each step works in;
- where each nerve comes close, and the landmark that warns of it: the sentinel vein and the supraorbital notch in
  the brow lift; the malar-to-angle line, Zuker's point, the mandibular ligament and McKinney's point in the
  deep-plane lift;
- why some steps put no nerve at risk: which layers lie between the plane and the nerve there.

**Time:** 30-40 minutes. **Before:** lessons 02 (nerves and danger zones) and 03 (planes, ports, the endoscope)."""),
md("""## 1. How to use the player

- **Next ▶** and **◀ Previous** move through the steps; the bar shows how far you are. Each step sets the model
  to its own view: the layers peeled, the camera, the nerve lit, the overlays, the endoscope's port and depth.
- Between steps every control of the comparer below stays live (lesson 03): rotate, peel, pick another nerve,
  move the scope. **Next** sets the next step's view again.
- Presenting: the captions are in large type; `brow.go_to(5)` in a cell jumps to step 5 of the brow lift.
- A step that only lights another nerve restyles the 3D view (about 1 KB, no mesh) and redraws the small depth
  profile; moving the endoscope re-sends the scope and its view; only a change of cutaway or technique, or raising
  the flap (step 4 of the deep-plane lift shows it as the surgeon meets it, from the incision), re-sends the layers
  or the plane.

The storyboards are YAML files in `data/storyboards/` (readable, and checked with `python -m facelayers
validate`): each step's view is a saved view (`facelayers.views`) that names only what it changes."""),
code("""from facelayers.geometry import build_face
from facelayers.storyboard import load_storyboards

model = build_face()
storyboards = load_storyboards(model.anatomy)"""),
md("""## 2. The endoscopic brow lift

Five short ports behind the hairline; the forehead lifted off the bone (subperiosteal), the temple on the deep
temporal fascia; the pockets joined at the temporal line; the periosteum released at the orbital rim; the frown
muscles divided; fixation and closure. Watch the **roof** of the cavity: the frontal branch above the sentinel vein,
the supraorbital and supratrochlear nerves at the rim. In the endoscope view, the floor is the plane and the roof
the flap."""),
code("""from facelayers.player import StoryboardPlayer

brow = StoryboardPlayer(storyboards["endoscopic_brow"], model)
brow"""),
md("""## 3. The deep-plane facelift

The incision in front of and behind the ear; a skin flap in the fat as far as the line from the lateral malar
eminence to the angle of the jaw; under the SMAS from that line forward; the ligaments released; the jawline and
the back of the ear; redraping and closure. Watch the **floor**: the zygomatic and buccal branches under the deep
fascia (red on the plane), the marginal mandibular branch at the jaw, the great auricular nerve behind the ear."""),
code("""deep = StoryboardPlayer(storyboards["deep_plane"], model)
deep"""),
md("""## 4. The steps and the nerves at risk

Both operations as lists, with the nerves at risk at each step (from the storyboard files):"""),
code("""# NBVAL_CHECK_OUTPUT
from facelayers.storyboard import steps_text

for name in ("endoscopic_brow", "deep_plane"):
    print(steps_text(storyboards[name], model.anatomy), end="\\n\\n")"""),
md("""**Read the lists.** In the brow lift the nerves at risk are all in the *roof*: the plane runs beneath them, on
bone or on the deep temporal fascia, and the danger is a dissection that strays up into the flap. In the deep-plane
lift they are in the *floor*: the plane runs above them, and the danger is a dissection that goes through the deep
fascia. The steps with no nerve at risk are those where a whole layer separates the plane from every nerve: the
ports in the scalp, the skin flap over the parotid, the fixation and the closure.

## 5. Questions

1. Brow lift, step 3: why is the temporal pocket made *on* the deep temporal fascia and not in the fat above it?
   Which nerve lies in its roof, and on which layer's undersurface?
2. Brow lift, step 5: the sentinel vein is a landmark, not the danger itself. What lies just above it, and why
   is the vein coagulated close to the deep fascia rather than up in the roof?
3. Deep-plane lift, steps 2 and 3: behind the malar-to-angle line the flap is in the fat; in front of it, under
   the SMAS. What protects the facial nerve branches in each part?
4. Deep-plane lift, step 5: the branch to zygomaticus major lies a mean 2.3 mm from Zuker's point. Find Zuker's
   point on yourself (the midpoint of the line from the helical root to the mouth corner).
5. The great auricular nerve (step 7) is sensory, the marginal mandibular branch (step 6) motor. What does the
   patient notice after an injury to each (lesson 02, Seckel's zones 1 and 3)?

## References

- Isse NG. *Aesthetic Plast Surg* 1994;18:21. Vasconez LO et al. *Plast Reconstr Surg* 1994;94:788. De Cordier BC
  et al. *Plast Reconstr Surg* 2002 (endoscopic forehead lift). Omranifard M et al. 2024 (scars of 1-2 cm).
- Stuzin JM et al. *Plast Reconstr Surg* 1989;83:265 (the frontal branch under the temporoparietal fascia).
  Moss CJ, Mendelson BC, Taylor GI. *Plast Reconstr Surg* 2000;105:1475 (temporal ligamentous adhesion).
- Yang HM et al. *Surg Radiol Anat* 2015;37:175 (sentinel vein). Domeshek LF et al. *Eye* 2019;33:398.
  Janis JE et al. *Plast Reconstr Surg* 2007;120:1647 (corrugator).
- Hamra ST. *Plast Reconstr Surg* 1990;86:53 (deep plane). Furnas DW. *Plast Reconstr Surg* 1989;83:11.
  Alghoul M et al. *Plast Reconstr Surg* 2013;131:245e. Dorafshar AH et al. *Plast Reconstr Surg* 2013;131:253.
- Huettner F et al. *Aesthet Surg J* 2015. Dingman RO, Grabb WC. *Plast Reconstr Surg* 1962;29:266.
  McKinney P, Katrana DJ. *Plast Reconstr Surg* 1980;66:675. Seckel BR. *Facial Danger Zones*, 1994.
- Every storyboard's sources with their locators: `data/storyboards/*.yaml`; full citations: `data/sources.csv`."""),
], NOTEBOOKS / "04_procedures_step_by_step.ipynb")

# --- lesson 05: the quiz -----------------------------------------------------------------------------------
save([
md("""# 05 · Quiz: where are the nerves, and which plane keeps them safe?

**You will see** the head with its skin on and a question above it. Some questions are answered by clicking on the
model ("click where the frontal branch crosses the zygomatic arch"), the others by choosing an option ("which plane
keeps the frontal branch in the flap?"). After each answer the right place appears on the model beside your click,
with the distance between them in millimetres, the points, the explanation and its source.

**You will learn** to find, on the surface, what lessons 01-03 showed inside: the danger points of the facial nerve,
the sensory foramina, the sentinel vein, Seckel's zones, and the layer each structure lies in.

**Time:** 15-20 minutes. **Before:** lessons 01-03."""),
md("""## 1. How the scoring works

- **Click questions** are scored by distance: **full marks** within `full_marks_mm` of the answer (5 mm for most
  questions, 8 mm for the frontal branch, whose rami fan out over the arch), **no marks** beyond `zero_marks_mm`
  (20-25 mm), and in between a straight line:
  `points = (zero_marks_mm - distance) / (zero_marks_mm - full_marks_mm)`, so halfway between the two scores 0.5.
- The distance is measured **on the model**, between your click and the answer, both carried out to the skin along
  the model's rays. So you may peel the layers or open a cutaway and click on the SMAS or on the bone: what counts is
  *where* under the skin you clicked. A deep answer (a foramen on the bone, a nerve under the SMAS) is found by
  clicking over it; the feedback says how deep it lies.
- For a bilateral structure either side counts: the nearer answer is used.
- **Choice questions** score 1 for the right option, 0 otherwise. The total is out of the number of questions.

The questions, their answers and their sources are in `data/quiz.json`; every answer cites `data/sources.csv`."""),
code("""# NBVAL_CHECK_OUTPUT
from facelayers.quiz import load_quiz

questions = load_quiz()
clicks = [q for q in questions if q.kind == "click"]
print(f"{len(questions)} questions: {len(clicks)} answered by a click, {len(questions) - len(clicks)} by a choice")"""),
md("""## 2. Take the quiz

Read the question, then click on the model (or choose an option and press **Submit**). The **green diamond** is the
answer, the **blue circle** your click, the white line the distance between them. **Next question** moves on; the
camera turns to a view that shows the place asked about. Peel, cut away and rotate as you like."""),
code("""from facelayers.geometry import build_face
from facelayers.nerves import place_all
from facelayers.quiz_widget import QuizPlayer

model = build_face()
paths = place_all(model)
player = QuizPlayer(model, questions, paths=paths)
player"""),
md("""### A multiple-choice round

The same player with only the multiple-choice questions: for a quick round in class, or after the clicks."""),
code("""choices = QuizPlayer(model, [q for q in questions if q.kind == "choice"], paths=paths)
choices"""),
md("""## 3. A scripted run: how the points add up

The same quiz answered by a script: every click exactly on the answer's place on the skin, except McKinney's point,
clicked 10 mm too high, and every choice right except the glabellar lines (procerus instead of corrugator)."""),
code("""# NBVAL_CHECK_OUTPUT
import numpy as np
from facelayers.quiz import QuizSession, answer_on_skin

session = QuizSession(questions, model, paths)
for q in questions:
    right = q.answer if q.kind == "choice" else answer_on_skin(model, q, paths)
    if q.question_id == "click_mckinney_point":
        right = right + np.array([0.0, 0.0, 10.0])  # 10 mm too high
    if q.question_id == "choice_glabellar_lines":
        right = 0  # procerus: the wrong muscle
    session.answer(right)
    session.next()
print(session.summary_text())"""),
md("""**Read the table.** A click 10 mm above McKinney's point lands about 10 mm away once carried to the skin, between
full marks (5 mm) and none (20 mm), so it keeps about two thirds of the point; a wrong choice scores nothing. The distances are measured
on this schematic head, whose landmarks are estimates (±5-10 mm): treat a few millimetres as agreement.

## 4. Questions to discuss

1. The frontal branch crosses the arch 8-35 mm in front of the ear canal. Why does a surgeon treat the whole band as
   unsafe rather than a line?
2. The sentinel vein and the supraorbital notch are both "slow down here" signs in an endoscopic brow lift. What lies
   in the roof of the cavity at each?
3. Zone 3 is centred 2 cm behind the mouth corner. Behind the facial artery, why is the zone *below* the mandibular
   border unsafe too?

## References

- Al-Kayat A, Bramley P. *Br J Oral Surg* 1979;17:91 (frontal branch over the arch).
- Pitanguy I, Ramos AS. *Plast Reconstr Surg* 1966;38:352. Stuzin JM et al. *Plast Reconstr Surg* 1989;83:265.
- Stuzin JM, Baker TJ, Gordon HL. *Plast Reconstr Surg* 1992;89:441 (the depth rule).
- McKinney P, Katrana DJ. *Plast Reconstr Surg* 1980;66:675. Dorafshar AH et al. *Plast Reconstr Surg* 2013;131:253.
- Seckel BR. *Facial Danger Zones*, 1994. Dingman RO, Grabb WC. *Plast Reconstr Surg* 1962;29:266.
- Yang HM et al. *Surg Radiol Anat* 2015;37:175 (sentinel vein). Domeshek LF et al. *Eye* 2019;33:398.
- Janis JE et al. *Plast Reconstr Surg* 2007;120:1647 (corrugator). De Cordier BC et al. *Plast Reconstr Surg* 2002.
- Every answer's source and locator: `data/quiz.json`; full citations: `data/sources.csv`."""),
], NOTEBOOKS / "05_quiz.ipynb")
