"""What a person sees when they open a workflow link from Salesforce: a small read-only page per workflow,
and the executed PDF. Sandbox-only (real Ironclad has its own UI at the same `/workflow/{id}` path)."""

from __future__ import annotations

import html
import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from sandbox.ironclad.errors import ApiError


def browser_routes(services: Any) -> list[Route]:
    async def workflow_page(request: Request) -> Response:
        try:
            workflow = await run_in_threadpool(services.engine.get, request.path_params["workflow_id"])
        except ApiError as exc:
            return HTMLResponse(f"<h1>Not found</h1><p>{html.escape(exc.message)}</p>", status_code=404)
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(_show(v))}</td></tr>"
                       for k, v in sorted(workflow.get("attributes", {}).items()))
        records = "".join(f'<li><a href="/records/{html.escape(r)}/signed-copy">executed contract (PDF)</a></li>'
                          for r in workflow.get("recordIds", []))
        body = (f"<h1>{html.escape(str(workflow.get('title')))}</h1>"
                f"<p>{html.escape(str(workflow.get('ironcladId')))} · step <b>{html.escape(str(workflow.get('step')))}"
                f"</b> · status {html.escape(str(workflow.get('status')))}</p>"
                f"<ul>{records or '<li>not signed yet</li>'}</ul><table>{rows}</table>")
        return HTMLResponse(f"<!doctype html><title>{html.escape(str(workflow.get('title')))}</title>"
                            f"<style>body{{font-family:sans-serif;max-width:60em}}th{{text-align:left;"
                            f"padding-right:1em;vertical-align:top}}</style>{body}")

    async def signed_copy(request: Request) -> Response:
        try:
            filename, content_type, data = await run_in_threadpool(
                services.records.attachment, request.path_params["record_id"], "signedCopy")
        except ApiError as exc:
            return HTMLResponse(f"<h1>Not found</h1><p>{html.escape(exc.message)}</p>", status_code=404)
        return Response(data, media_type=content_type,
                        headers={"Content-Disposition": f'inline; filename="{filename}"'})

    return [Route("/workflow/{workflow_id}", workflow_page, methods=["GET"]),
            Route("/records/{record_id}/signed-copy", signed_copy, methods=["GET"])]


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
