"""Pages: draft a study from the knowledge base, and randomise animals to its groups."""

from __future__ import annotations

import base64
import io

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from neuroprotect.errors import InputError
from neuroprotect.store.repository import audit
from neuroprotect.web.deps import EngineDep, LoginDep, SettingsDep
from neuroprotect.web.designing import (
    ROSTER_COLUMNS,
    compound_choices,
    draft_text,
    protocol_choices,
    randomise,
)
from neuroprotect.web.permissions import has_right
from neuroprotect.web.sessions import Login
from neuroprotect.web.templating import render
from neuroprotect.web.uploads import save_upload

router = APIRouter()


def _need(login: Login, right: str) -> None:
    if not has_right(login.user.role, right):
        raise HTTPException(403, f"Your role ({login.user.role}) may not do this ({right})")


def _draft_page(
    request: Request, login: Login, settings: SettingsDep, **context: object
) -> Response:
    error = context.get("error")
    return render(
        request, "draft.html", login, status_code=422 if error else 200, section="draft",
        settings=settings, compounds=compound_choices(), protocols=protocol_choices(), **context,
    )  # fmt: skip


@router.get("/studies/draft")
def draft_page(
    request: Request, login: LoginDep, settings: SettingsDep, compound: str = "", protocol: str = ""
) -> Response:
    """Pick a compound and a protocol; with both, the draft manifest is shown for editing."""
    _need(login, "studies.upload")
    if not (compound and protocol):
        return _draft_page(request, login, settings, compound=compound, protocol=protocol)
    try:
        text, compound, protocol = draft_text(compound, protocol)
    except InputError as exc:
        return _draft_page(request, login, settings, compound=compound, protocol=protocol,
                           error=exc.one_line())  # fmt: skip
    return _draft_page(request, login, settings, compound=compound, protocol=protocol, text=text)


@router.post("/studies/draft")
async def draft_submit(
    request: Request,
    login: LoginDep,
    engine: EngineDep,
    settings: SettingsDep,
    manifest_text: str = Form(...),
    action: str = Form("save"),
    compound: str = Form(""),
    protocol: str = Form(""),
    files: list[UploadFile] = File(default=[]),
) -> Response:
    """``download``: the edited draft as study.yaml; ``save``: stored as a study with its files."""
    _need(login, "studies.upload")
    if action == "download":
        return Response(
            manifest_text, media_type="application/x-yaml",
            headers={"Content-Disposition": 'attachment; filename="study.yaml"'},
        )  # fmt: skip
    chosen = [f for f in files if f.filename]
    try:
        result = await run_in_threadpool(
            save_upload, engine, settings, login.user,
            manifest=io.BytesIO(manifest_text.encode("utf-8")),
            files=[(f.filename, f.file) for f in chosen],
        )  # fmt: skip
    except InputError as exc:
        audit(engine, action="upload refused", details={"reason": exc.one_line()},
              actor=login.user.email)  # fmt: skip
        return _draft_page(request, login, settings, compound=compound, protocol=protocol,
                           text=manifest_text, error=exc.one_line())  # fmt: skip
    return RedirectResponse(f"/studies/{result.id}?uploaded=1", status_code=303)


@router.get("/randomise")
def randomise_page(request: Request, login: LoginDep) -> Response:
    _need(login, "randomise")
    return render(request, "randomise.html", login, section="randomise", columns=ROSTER_COLUMNS)


def _data_uri(text: str, media: str) -> str:
    return f"data:{media};base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


@router.post("/randomise")
async def randomise_submit(
    request: Request,
    login: LoginDep,
    engine: EngineDep,
    manifest: UploadFile = File(...),
    roster: UploadFile = File(...),
    seed: int = Form(...),
    weight_classes: int = Form(2),
    sex_strata: str = Form(""),
    passphrase: str = Form(""),
    passphrase_again: str = Form(""),
) -> Response:
    """Allocate as ``neuroprotect design randomize``; with a passphrase the key is sealed."""
    _need(login, "randomise")
    try:
        if passphrase != passphrase_again:
            raise InputError("passphrase: Expected the same passphrase twice, but they differ")
        if not 1 <= weight_classes <= 10:
            raise InputError(f"weight classes: Expected 1 to 10, but got {weight_classes}")
        done = await run_in_threadpool(
            randomise, manifest=await manifest.read(), roster=await roster.read(),
            roster_name=roster.filename or "roster.csv", seed=seed, weight_classes=weight_classes,
            by_sex=bool(sex_strata), passphrase=passphrase or None,
        )  # fmt: skip
    except InputError as exc:
        audit(engine, action="randomisation refused", details={"reason": exc.one_line()},
              actor=login.user.email)  # fmt: skip
        return render(request, "randomise.html", login, status_code=422, section="randomise",
                      columns=ROSTER_COLUMNS, error=exc.one_line())  # fmt: skip
    audit(
        engine, action="randomised", study_id=done.study_id, actor=login.user.email,
        details={"seed": seed, "animals": len(done.allocation), "concealed": done.concealed,
                 "method": done.method},
    )  # fmt: skip
    return render(
        request, "randomised.html", login, section="randomise", done=done,
        animals_uri=_data_uri(done.animals_csv, "text/csv"),
        key_uri=_data_uri(done.key_text, "text/plain" if done.concealed else "text/csv"),
    )  # fmt: skip
