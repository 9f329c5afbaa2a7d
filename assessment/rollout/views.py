"""Roadmaps, milestones, the board and the timeline, for a signed-in consultant."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rollout", __name__)
