"""The patients view driven headless, the figure as data, the themes, and the accessibility helpers."""

from __future__ import annotations

import numpy as np
import pytest

from facelayers.model.margins import compare_patients, patient_model
from facelayers.model.nerves import place_all
from facelayers.model.patient import Patient
from facelayers.render.access import (
    ALT_TEXT_CLASS,
    FOCUS_CSS,
    alt_text_html,
    describe_margins,
    describe_view,
    palette_distances,
    with_alt_text,
)
from facelayers.render.face import PALETTE
from facelayers.render.margin_figure import margins_figure
from facelayers.render.themes import THEMES, apply_theme
from facelayers.teaching.state import ViewState
from facelayers.widgets.patient_widget import PatientComparer, PatientsView, margins_html

A, B = Patient("female", 75, 19), Patient("male", 30, 32)


@pytest.fixture(scope="module")
def table():
    return compare_patients((A, B), "skin_only", "coarse")


def test_figure_as_data(table):
    fig = margins_figure(table)
    assert fig.layout.title.text.startswith("Margin of safety (Skin-only facelift)")  # the label, not the id
    names = [t.name for t in fig.data]
    assert names == ["band:skin", "band:fat", "band:smas", "band:muscle", "band:periosteum", "plane:depth",
                     "nerve:depth"]
    fat = fig.data[1]
    # Column order: site-major, patient-minor; the bars sit on the interfaces of the margins' columns.
    assert np.allclose(fat.base, [m.interfaces_mm[1] for s in range(3) for m in (table.rows[0][s], table.rows[1][s])])
    assert fig.data[0].marker.color == PALETTE["skin"]
    texts = [a.text for a in fig.layout.annotations]
    assert f"closest <b>{table.rows[0][2].margin_mm:.1f} mm</b>" in texts
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]  # depth grows downward


@pytest.mark.parametrize("theme", list(THEMES))
def test_themes_restyle_2d_and_3d(theme, table):
    fig = margins_figure(table, theme=theme)
    assert fig.layout.paper_bgcolor == THEMES[theme]["background"]
    assert fig.layout.font.color == THEMES[theme]["text"]
    assert fig.data[1].marker.color == PALETTE["fat"]  # the palette stays
    import plotly.graph_objects as go

    scene = apply_theme(go.Figure(go.Scatter3d(x=[0], y=[0], z=[0])), theme)
    assert scene.layout.scene.bgcolor == THEMES[theme]["background"]
    with pytest.raises(ValueError, match="theme = 'dark'; allowed: stage, projector, print"):
        apply_theme(go.Figure(), "dark")


def test_comparer_follows_its_controls():
    comparer = PatientComparer(A, B, "skin_only", resolution="coarse")
    before = comparer.figure.data[1].y
    alt_before = comparer.alt.value
    comparer.picker_a.bmi.value = 35.0
    assert comparer.state.a == Patient("female", 75, 35)
    assert comparer.table.patients[0] == comparer.state.a
    assert not np.allclose(comparer.figure.data[1].y, before)  # patient A's fat is thicker
    assert comparer.alt.value != alt_before and "Woman, 75 y, BMI 35" in comparer.alt.value
    assert "A: woman, 75 y, BMI 35" in comparer.table_html.value
    comparer.theme.value = "print"
    assert comparer.figure.layout.paper_bgcolor == "#FFFFFF"
    comparer.technique.value = "high_smas"
    assert "High-SMAS facelift" in comparer.alt.value
    comparer.swap()
    assert comparer.picker_a.patient == Patient("male", 30, 32) and comparer.state.b.bmi == 35.0
    assert "fl-a11y" in comparer.box._dom_classes


def test_view_state_is_checked():
    with pytest.raises(ValueError, match="field 'theme' = 'neon'"):
        PatientsView(theme="neon")
    with pytest.raises(TypeError, match="field 'a' = 'old woman'"):
        PatientsView(a="old woman")


def test_table_html_is_accessible(table):
    text = margins_html(table)
    assert "<caption" in text and text.count('scope="col"') == 4 and text.count('scope="row"') == 2
    assert table.technique_label in text and table.technique_id not in text  # the name, never the id


def test_describe_margins_names_every_patient_and_site(table):
    text = describe_margins(table)
    assert "Woman, 75 y, BMI 19" in text and "Man, 30 y, BMI 32" in text
    assert f"under the {table.technique_label} plane" in text and table.technique_id not in text
    for row in table.rows:  # every margin, flagged "exposed" exactly where it is within the exposure distance
        m = row[2]
        assert f"mandibular border {m.margin_mm:.1f} mm{' (exposed)' if m.exposed else ''}" in text


def test_describe_view_from_state_and_model():
    model = patient_model(A, "coarse")
    paths = place_all(model)
    state = ViewState(camera="left", peel=2, cutaway="cheek", layers_cut=2, technique="deep_plane",
                      pick="nerve:zygomatic")
    text = describe_view(model, state, paths, patient=A)
    assert text.startswith("3D model of the layered face of a woman, 75 y, BMI 19, seen from the subject's left")
    assert "Hidden or peeled away: skin and subcutaneous fat." in text
    assert "cutaway window on the cheek removes skin and subcutaneous fat" in text
    assert "Technique: Deep-plane facelift (open)" in text
    assert "Picked: Zygomatic branch (to zygomaticus major); the plane comes within" in text and "exposed" in text
    plain = describe_view(model, ViewState())
    assert "Shown: skin, subcutaneous fat" in plain and "Picked" not in plain


def test_alt_text_is_a_live_region():
    html = alt_text_html("A <b>face</b>")
    assert f'class="{ALT_TEXT_CLASS}"' in html and 'role="status"' in html and 'aria-live="polite"' in html
    assert "&lt;b&gt;face" in html  # escaped
    import ipywidgets as widgets

    box = with_alt_text(widgets.Label("view"), "A face")
    assert box.alt.value == alt_text_html("A face") and len(box.children) == 3
    assert "outline: 3px solid" in FOCUS_CSS and ":focus-visible" in FOCUS_CSS


def test_page_helper_runs_from_an_image_and_fits_responsive_figures():
    # The page helper needs no widget model (anywidget's 2 s start-up limit): its script is the onload of an image
    # in plain HTML, escaped so that the browser reads back exactly the script.
    import html as html_module
    import re

    import plotly.graph_objects as go

    from facelayers.render import access

    page = access.page_helper_html()
    assert FOCUS_CSS in page and page.count("<img") == 1 and 'alt=""' in page and 'aria-hidden="true"' in page
    onload = re.search(r'onload="([^"]*)"', page).group(1)
    assert html_module.unescape(onload) == access._page_script()
    script = access._page_script()
    assert "MIN_H: 480, MAX_H: 900" in script and "RESERVE_H: 24" in script and "_H__" not in script
    assert "_responsiveChartHandler" in access._PAGE_JS and "aria-label" in access._PAGE_JS
    figure = access.fit_figure(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])))
    assert isinstance(figure, go.FigureWidget) and figure._config.get("responsive") is True
    assert figure.layout.width is None  # plotly sizes it to its box


def test_every_stage_carries_the_page_helper_and_responsive_figures():
    import ipywidgets as widgets

    from facelayers.model.geometry import build_face
    from facelayers.widgets.expression_explorer import ExpressionExplorer
    from facelayers.widgets.layer_explorer import LayerExplorer

    model = build_face(resolution="coarse")
    explorer = LayerExplorer(model)
    expression = ExpressionExplorer(model)
    comparer = PatientComparer(resolution="coarse")
    for box, figure in ((explorer.ui, explorer.figure), (expression.widget, expression.figure),
                        (comparer.box, comparer.figure)):
        htmls = [c.value for c in box.children if isinstance(c, widgets.HTML)]
        assert any('class="fl-page-helper"' in h for h in htmls), type(box)
        assert figure._config.get("responsive") is True


def test_layer_palette_is_distinguishable_with_colour_vision_deficiency():
    # Machado 2009 simulation; CIELAB delta E 1976 between every two surface colours (skin ... bone).
    # 15 is far above the just-noticeable 2.3; the closest pair measured is skin/periosteum under protanopia.
    distances = palette_distances(PALETTE)
    assert set(distances) == {"normal", "protanopia", "deuteranopia", "tritanopia"}
    for kind, (delta, a, b) in distances.items():
        assert delta >= 15.0, (kind, a, b, delta)
    # A palette that fails: red and green collapse under deuteranopia.
    bad = palette_distances({"red": "#D62728", "green": "#2CA02C", "blue": "#1F77B4"})
    assert bad["deuteranopia"][0] < 15.0 < bad["normal"][0]


@pytest.mark.parametrize("theme", ["projector", "print"])
def test_themes_on_the_face_and_section_figures(theme, model_coarse):
    from facelayers.render.face import face_figure, section_figure

    for fig in (face_figure(model_coarse, ViewState(camera="front")), section_figure(model_coarse)):
        names = [t.name for t in fig.data]
        apply_theme(fig, theme)
        assert [t.name for t in fig.data] == names  # restyled, not redrawn
        assert fig.layout.paper_bgcolor == THEMES[theme]["background"]
        assert all(a.font.color == THEMES[theme]["text"] for a in fig.layout.annotations if a.font)
        mesh = [t for t in fig.data if t.name == "layer:fat"]
        assert not mesh or mesh[0].color == PALETTE["fat"]


def test_a_stage_figure_ignores_the_browsers_echo_of_a_typed_array():
    # After a restyle plotly.js echoes a 1-D typed array (customdata, intensity) back as a JSON object; plotly's
    # own FigureWidget then raises in _remove_overlapping_props (a traceback in JupyterLab's log console).
    import plotly.graph_objects as go
    from plotly.basewidget import BaseFigureWidget

    from facelayers.render import access

    fig = access.fit_figure(go.Figure(go.Mesh3d(x=[0, 1, 0], y=[0, 0, 1], z=[0, 0, 0], i=[0], j=[1], k=[2],
                                                customdata=np.array([0.5, 1.5, 2.5], np.float32),
                                                lighting={"ambient": 0.5})))
    props = fig.data[0]._props
    echo = {"customdata": {"0": 0.5, "1": 1.5, "2": 2.5}, "lighting": {"ambient": 0.5}, "name": "x"}
    with pytest.raises(ValueError, match="truth value of an array"):
        BaseFigureWidget._remove_overlapping_props(dict(props), echo)
    removed = fig._remove_overlapping_props(props, echo)
    assert ("customdata",) not in removed and isinstance(props["customdata"], np.ndarray)
    assert access.without_echoed_arrays(props, echo) == {"lighting": {"ambient": 0.5}, "name": "x"}


def test_a_patient_change_updates_the_figure_in_place():
    """Clicking a patient button sent the whole layout (height, template, margins): plotly.js redrew the figure,
    its height fell back and the notebook jumped to the cell's top. Only what changed is sent now, and the figure
    still equals the one drawn afresh for the new patients."""
    from benchmarks.message_meter import MessageMeter

    comparer = PatientComparer(A, B, "skin_only", resolution="coarse")
    meter = MessageMeter(comparer.figure, keep=True)
    comparer.picker_a.sex.value = "male"
    sent = {}
    for msg, _ in meter.log:
        state = msg.get("state", {})
        assert not state.get("_py2js_relayout"), "the whole layout was re-sent"
        sent.update((state.get("_py2js_update") or {}).get("layout_data") or {})
    assert sent and not {k for k in sent if k.split(".")[0] in ("height", "width", "template", "margin", "autosize")}
    fresh = margins_figure(comparer.table, theme="stage")
    assert comparer.figure.layout.to_plotly_json() == fresh.layout.to_plotly_json()
