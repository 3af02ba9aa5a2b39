"""Pages: knowledge-base compound cards with their pathway graph, and meta-analysis."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from markupsafe import Markup

from neuroprotect.errors import InputError
from neuroprotect.web.deps import LoginDep
from neuroprotect.web.literature import (
    FORMATS,
    MEASURES,
    METHODS,
    TESTS,
    card,
    compounds,
    meta_analysis,
)
from neuroprotect.web.permissions import has_right
from neuroprotect.web.sessions import Login
from neuroprotect.web.templating import render

router = APIRouter()


def _need(login: Login, right: str) -> None:
    if not has_right(login.user.role, right):
        raise HTTPException(403, f"Your role ({login.user.role}) may not do this ({right})")


@router.get("/knowledge")
def knowledge_page(request: Request, login: LoginDep) -> Response:
    _need(login, "studies.read")
    return render(request, "knowledge.html", login, section="knowledge", compounds=compounds())


@router.get("/knowledge/{compound}")
def compound_page(compound: str, request: Request, login: LoginDep) -> Response:
    _need(login, "studies.read")
    try:
        data, graph = card(compound)
    except InputError as exc:
        raise HTTPException(404, exc.one_line()) from None
    # the fragment is built by the knowledge package from the bundled data (no user input)
    return render(request, "compound.html", login, section="knowledge", card=data,
                  graph=Markup(graph) if graph else None)  # fmt: skip


def _meta_page(request: Request, login: Login, **context: object) -> Response:
    error = context.get("error")
    return render(
        request, "meta.html", login, status_code=422 if error else 200, section="meta",
        measures=MEASURES, methods=METHODS, tests=TESTS, formats=FORMATS, **context,
    )  # fmt: skip


@router.get("/meta")
def meta_page(request: Request, login: LoginDep) -> Response:
    _need(login, "studies.read")
    return _meta_page(request, login, chosen={})


@router.post("/meta")
async def meta_submit(
    request: Request,
    login: LoginDep,
    table: UploadFile = File(...),
    measure: str = Form("smd"),
    method: str = Form("reml"),
    test: str = Form("z"),
    input_format: str = Form("table"),
    lower_is_better: str = Form(""),
) -> Response:
    """Pooled result and forest plot of an uploaded table, as ``neuroprotect meta --json``."""
    _need(login, "studies.read")
    chosen = {"measure": measure, "method": method, "test": test, "format": input_format,
              "lower_is_better": bool(lower_is_better)}  # fmt: skip
    try:
        result, svg = await run_in_threadpool(
            meta_analysis, table=await table.read(), table_name=table.filename or "table.csv",
            measure=measure, method=method, test=test, input_format=input_format,
            lower_is_better=bool(lower_is_better),
        )  # fmt: skip
    except InputError as exc:
        return _meta_page(request, login, chosen=chosen, error=exc.one_line())
    # the SVG is drawn by matplotlib from the numbers (study labels are escaped in SVG text)
    return _meta_page(request, login, chosen=chosen, result=result, forest=Markup(svg),
                      table_name=table.filename)  # fmt: skip
