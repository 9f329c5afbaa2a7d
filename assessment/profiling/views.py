"""Measure customer data: upload, columns, the profile, its results and proposals."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from .. import i18n
from ..access import client_or_404, data_profile_or_404
from ..customerdata import ROLES, summary
from ..customerdata.profile import DEFAULT_WINDOW, WINDOW_MONTHS
from ..customerdata.proposals import propose
from ..errors import FieldError
from ..extensions import csrf, db
from ..tables import Client, DataProfile
from ..web import error_page, form_date, get_catalog, lang, show_on_form, wants_json
from . import operations as ops
from .forms import ColumnsForm, ProposalsForm, UploadForm

bp = Blueprint("profiling", __name__)

#: room in a request for the upload form's own fields, beyond the files
FORM_ROOM = 64 * 1024


def _limit() -> int:
    return int(current_app.config["DATA_MAX_BYTES"])


def _too_large() -> Any:
    return error_page(413, _("The files are larger than %(size)s, the most that can be "
                             "measured at once. Send an extract of the data, or split it.",
                             size=i18n.filesize(_limit(), lang())))


# The global CSRF check would read the form under the app's smaller limit before the view
# could raise it; the form checks its own token.
@bp.route("/clients/<int:client_id>/data", methods=["GET", "POST"])
@csrf.exempt
@login_required
def upload(client_id: int) -> Any:
    client = client_or_404(client_id)
    if request.method == "POST":
        if (request.content_length or 0) > _limit() + FORM_ROOM:
            return _too_large()  # from the declared size, before a byte is read
        return _receive(client)
    return _upload_page(client, UploadForm())


def _upload_page(client: Client, form: UploadForm, status: int = 200) -> Any:
    return render_template("customerdata/upload.html", client=client, form=form,
                           profiles=ops.profiles_of(client), max_size=_limit(),
                           windows=WINDOW_MONTHS), status


def _receive(client: Client) -> Any:
    """The files stream into a folder of their own; their columns are read in a child
    process; anything refused leaves nothing behind."""
    folder = ops.new_upload_folder(current_app.instance_path)
    request.upload_folder = folder  # type: ignore[attr-defined]
    request.max_content_length = _limit() + FORM_ROOM
    try:
        form = UploadForm()
        if not form.validate_on_submit():
            ops.discard(folder)
            return _upload_page(client, form, 400)
        upload = ops.start_upload(
            folder, client, current_user.id, *_kept(form.files.data or [], folder),
            unit=form.unit.data or "", as_of=form_date("as_of", form.as_of.data),
            window_months=int(form.window_months.data or DEFAULT_WINDOW))
        ops.read_columns(upload)
    except RequestEntityTooLarge:
        ops.discard(folder)
        return _too_large()
    except (FieldError, ops.DataError) as exc:
        ops.discard(folder)
        show_on_form(form, FieldError(getattr(exc, "field", "files"), str(exc)))
        return _upload_page(client, form, 400)
    except BaseException:
        ops.discard(folder)
        raise
    return redirect(url_for(".columns", client_id=client.id, upload=upload.name))


def _kept(files: list[FileStorage], folder: Path) -> tuple[list[str], list[str]]:
    """The uploaded files under their kept names (moved, not copied: they were written
    into the folder as they arrived); empty file inputs are dropped."""
    names: list[str] = []
    stored: list[str] = []
    for storage in files:
        if not storage.filename:
            continue
        target = folder / ops.stored_name(len(stored), storage.filename)
        source = getattr(storage.stream, "name", None)
        storage.stream.close()
        if not isinstance(source, str) or Path(source).parent != folder:
            raise RuntimeError("the upload was not streamed into its folder")
        os.replace(source, target)
        names.append(storage.filename)
        stored.append(target.name)
    for part in folder.glob("part-*"):
        part.unlink(missing_ok=True)
    return names, stored


def _upload_or_404(client: Client, name: str) -> ops.Upload:
    found = ops.find_upload(current_app.instance_path, name, client)
    if found is None:
        abort(404)
    return found


@bp.route("/clients/<int:client_id>/data/uploads/<upload>", methods=["GET", "POST"])
@login_required
def columns(client_id: int, upload: str) -> Any:
    client = client_or_404(client_id)
    waiting = _upload_or_404(client, upload)
    form = ColumnsForm()
    if form.validate_on_submit():
        return _measure(client, waiting, form)
    return _columns_page(client, waiting, form, ops.recognised(waiting))


def _columns_page(client: Client, upload: ops.Upload, form: ColumnsForm,
                  chosen: dict[str, str], error: str = "", status: int = 200) -> Any:
    if wants_json() and error:
        return jsonify(error=error), status
    return render_template("customerdata/columns.html", client=client, upload=upload,
                           form=form, chosen=chosen, roles=ROLES, error=error,
                           role_names=summary.ROLE_NAMES[lang()],
                           recognised=ops.recognised(upload),
                           headers=sorted({h for c in upload.columns for h in c["headers"]},
                                          key=str.casefold)), status


def _measure(client: Client, upload: ops.Upload, form: ColumnsForm) -> Any:
    chosen = {role: request.form.get(f"role-{role}", "") for role in ROLES}
    try:
        mapping = ops.choices(upload, chosen)
    except FieldError as exc:
        return _columns_page(client, upload, form, chosen, str(exc), 400)
    try:
        result = ops.run_profile(upload, mapping)
    except ops.DataError as exc:
        return _columns_page(client, upload, form, chosen, str(exc), 400)
    finally:
        ops.discard(upload.folder)  # measured or not, the files go
    profile = ops.store_profile(client, upload, result, current_user.id)
    db.session.commit()
    target = url_for(".result", client_id=client.id, profile_id=profile.id)
    return jsonify(next=target) if wants_json() else redirect(target)


@bp.get("/clients/<int:client_id>/data/uploads/<upload>/progress")
@login_required
def progress(client_id: int, upload: str) -> Any:
    client = client_or_404(client_id)
    found = ops.find_upload(current_app.instance_path, upload, client)
    return jsonify(progress=ops.progress_of(found) if found is not None else 1.0,
                   waiting=found is not None)


@bp.get("/clients/<int:client_id>/data/<int:profile_id>")
@login_required
def result(client_id: int, profile_id: int) -> Any:
    profile = data_profile_or_404(client_id, profile_id)
    return render_template("customerdata/result.html", **_result_context(profile))


def _result_context(profile: DataProfile, form: ProposalsForm | None = None) -> dict[str, Any]:
    catalog = get_catalog()
    client = profile.client
    compared = ops.compared_assessment(client)
    stated = ops.stated_level(catalog, compared) if compared is not None else None
    roadmap = ops.roadmap_for(client)
    there = {m.origin_ref for m in roadmap.milestones} if roadmap is not None else set()
    proposals = [(p, ops.proposal_ref(profile, p) in there) for p in propose(profile.result)]
    return {"client": client, "profile": profile, "result": profile.result,
            "customer_data_names": _names(),
            "compared": compared, "stated": stated,
            "differs": ops.differs(stated, profile.score), "roadmap": roadmap,
            "proposals": proposals, "form": form or ProposalsForm(),
            "latest_assessment": max(client.assessments, key=lambda a: (a.created_at, a.id),
                                     default=None)}


def _names() -> dict[str, dict[str, str]]:
    """The engine's names of roles, tiers, segments, limits and rankings, in the page's
    language (customerdata/summary.py: one vocabulary for the terminal and the pages)."""
    current = lang()
    return {"roles": summary.ROLE_NAMES[current], "tiers": summary.TIER_NAMES[current],
            "segments": summary.SEGMENT_NAMES[current], "limits": summary.LIMIT_NAMES[current],
            "ranking": summary.RANKING_NAMES[current]}


@bp.post("/clients/<int:client_id>/data/<int:profile_id>/milestones")
@login_required
def add_milestones(client_id: int, profile_id: int) -> Any:
    profile = data_profile_or_404(client_id, profile_id)
    form = ProposalsForm()
    if form.validate_on_submit():
        try:
            added = ops.add_proposals(get_catalog(), profile, list(form.proposal.data or []))
        except FieldError as exc:
            db.session.rollback()
            show_on_form(form, exc)
        else:
            db.session.commit()
            flash(_("%(n)s milestones added to the roadmap.", n=i18n.digits(len(added), lang())),
                  "success")
            return redirect(url_for(".result", client_id=client_id, profile_id=profile_id))
    return render_template("customerdata/result.html", **_result_context(profile, form)), 400
