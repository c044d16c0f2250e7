"""Shared fixtures: the real face model, built once per session at two resolutions."""

from __future__ import annotations

import pytest

from facelayers.model.geometry import FaceModel, build_face


@pytest.fixture(scope="session")
def model_coarse() -> FaceModel:
    """The shipped data at the coarse test resolution (64 x 34 rays)."""
    return build_face(resolution="coarse")


@pytest.fixture(scope="session")
def model_lecture() -> FaceModel:
    """The shipped data at the lecture resolution (118 x 73 rays)."""
    return build_face(resolution="lecture")


@pytest.fixture(scope="session")
def model_at(model_coarse, model_lecture):
    """``model_at(resolution) -> FaceModel``: the session's coarse and lecture models, any other one built."""
    shared = {"coarse": model_coarse, "lecture": model_lecture}

    def at(resolution) -> FaceModel:
        return shared[resolution] if isinstance(resolution, str) and resolution in shared else build_face(
            resolution=resolution)

    return at
