"""The baseline of ``yingji bench intake``: bare FastAPI validating the same report model and
answering 201, with no database, auth or pipeline — the ceiling for this machine and client."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from yingji.intake.schemas import ReportIn

app = FastAPI()


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/v1/reports", status_code=201)
async def post_report(report: ReportIn) -> JSONResponse:
    return JSONResponse({"source_id": report.source_id}, status_code=201)
