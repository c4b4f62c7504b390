"""A loopback proxy that lets LangGraph Studio (a page in your browser) reach a keyed contractloop server.

The server answers nothing without `X-API-Key`, and Studio's own sign-in scheme is switched off. Studio runs
at https://smith.langchain.com and calls the server from your browser; this proxy, started by you on your
workstation, adds the key to each call and allows exactly Studio's origin, so the key never sits in the
browser. It binds loopback only: anything on this machine that can reach the proxy can act with the key.
"""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

STUDIO_ORIGIN = "https://smith.langchain.com"
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host",
               "content-length", "proxy-authorization", "proxy-authenticate"}


def build_proxy(upstream: str, api_key: str, allowed_origins: tuple[str, ...] = (STUDIO_ORIGIN,)) -> Starlette:
    client: httpx.AsyncClient | None = None

    def cors(origin: str | None) -> dict[str, str]:
        if origin not in allowed_origins:
            return {}
        return {"access-control-allow-origin": origin, "vary": "Origin",
                "access-control-expose-headers": "content-location, x-pagination-total, x-pagination-next"}

    async def forward(request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and origin not in allowed_origins:
            return Response("origin not allowed", status_code=403)
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={
                **cors(origin), "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
                "access-control-allow-headers": request.headers.get("access-control-request-headers", "*"),
                "access-control-max-age": "600"})
        nonlocal client
        if client is None:  # made on first use, inside the server's event loop
            client = httpx.AsyncClient(base_url=upstream.rstrip("/"), timeout=httpx.Timeout(30, read=None))
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in _HOP_BY_HOP and k.lower() not in ("x-api-key", "origin", "x-auth-scheme")}
        upstream_request = client.build_request(
            request.method, request.url.path, params=request.query_params, headers={**headers, "X-API-Key": api_key},
            content=request.stream())
        answer = await client.send(upstream_request, stream=True)  # streamed: runs answer with server-sent events
        kept = {k: v for k, v in answer.headers.items()
                if k.lower() not in _HOP_BY_HOP and not k.lower().startswith("access-control-")}
        return StreamingResponse(answer.aiter_raw(), status_code=answer.status_code, headers={**kept, **cors(origin)},
                                 background=BackgroundTask(answer.aclose))

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])
