"""Request and response bodies of the JSON API (they document ``/openapi.json``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    database: str


class SessionCreate(BaseModel):
    email: str
    password: str


class SessionPublic(BaseModel):
    csrf_token: str
    email: str
    role: str


class StudyCreated(BaseModel):
    id: int
    study_id: str
    files: list[dict[str, Any]]


class RunPublic(BaseModel):
    run_id: str
    study_id: str
    blinded: bool | None
    status: str
    started_at: datetime
    finished_at: datetime | None
    package_version: str
    input_hash: str


class StudyPublic(BaseModel):
    id: int
    study_id: str
    title: str
    blinded: bool
    owner: str | None
    created_at: datetime


class StudyDetail(StudyPublic):
    files: list[dict[str, Any]]
    jobs: list[dict[str, Any]]
    runs: list[RunPublic]


class JobCreated(BaseModel):
    job_id: int


class JobPublic(BaseModel):
    id: int
    status: Literal["queued", "running", "done", "failed"]
    progress: dict[str, Any]
    run_id: str | None
    error: str | None
    upload_id: int
    created_at: datetime
    finished_at: datetime | None


class Allocation(BaseModel):
    study_id: str
    blinded: bool
    unblinded: bool
    animals: list[dict[str, Any]]


class AuditEntry(BaseModel):
    id: int
    timestamp: datetime
    actor: str
    action: str
    study_id: str | None
    run_id: str | None
    details: dict[str, Any] | None
