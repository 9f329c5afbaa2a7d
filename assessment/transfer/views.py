"""A whole client as one JSON file, downloaded from its page or imported through the browser."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from ..access import client_or_404
from ..extensions import csrf, db
from ..tables import Client
from ..web import download, download_limit, get_catalog
from . import dumps, export_client, read, store, unlinked_consultants
from .schema import TransferError

bp = Blueprint("transfer", __name__)

#: largest client file taken through the browser (the command line takes up to 200 MiB)
WEB_IMPORT_MAX_BYTES = 50 * 1024 * 1024


class ImportForm(FlaskForm):
    file = FileField(_l("Client file (.json, exported from crm-maturity)"),
                     validators=[FileRequired(_l("Choose a file."))])


def _client_file_name(client: Client) -> str:
    safe = re.sub(r"[^A-Za-z0-9]+", "-", client.name).strip("-").lower()
    return f"client-{safe[:80] or client.id}.json"


@bp.get("/clients/<int:client_id>/export.json")
@download_limit
@login_required
def client_json(client_id: int) -> Response:
    client = client_or_404(client_id)
    return download(dumps(export_client(client)), _client_file_name(client),
                     "application/json")


# The global CSRF check reads the form before any view runs, under the app's 2 MiB limit;
# this view raises the limit first and the form checks its CSRF token itself.
@bp.route("/clients/import", methods=["GET", "POST"])
@csrf.exempt
@login_required
def client_import() -> Any:
    request.max_content_length = WEB_IMPORT_MAX_BYTES
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data: bytes = upload.read(WEB_IMPORT_MAX_BYTES + 1)
        finally:
            upload.close()
        unlinked: list[str] = []
        try:
            checked = read(get_catalog(), data)
            unlinked = unlinked_consultants(checked, current_user.workspace)
            client = store(checked, current_user.workspace)
        except TransferError as exc:
            db.session.rollback()
            problems = exc.problems
        else:
            db.session.commit()
            flash(_("Client %(name)s imported.", name=client.name), "success")
            if unlinked:
                flash(_("No account in this workspace for %(emails)s: their answers keep the "
                        "name but are not linked to an account.", emails=", ".join(unlinked)),
                      "warning")
            return redirect(url_for("clients.client_detail", client_id=client.id))
    status = 400 if problems or form.errors else 200
    return render_template("transfer/import.html", form=form, problems=problems,
                           max_mib=WEB_IMPORT_MAX_BYTES // 2**20), status
