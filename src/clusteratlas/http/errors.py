"""One JSON error shape for every API error: ``{"ok", "error", "errors", "status"}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from clusteratlas.errors import ClusteratlasError
from clusteratlas.http.security import add_security_headers

__all__ = ["error_body", "install_error_handlers"]


def error_body(status: int, message: str, errors: list[str] | None = None,
               **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": message, "errors": errors or [message], "status": status,
            **{k: v for k, v in extra.items() if v is not None}}


def _respond(request: Request, status: int, message: str, errors: list[str] | None = None,
             **extra: Any) -> Response:
    if request.url.path.startswith("/api") or ("application/json" in request.headers.get("accept", "") \
            and "text/html" not in request.headers.get("accept", "")):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(error_body(status, message, errors, **extra), status_code=status,
                            headers=headers)
    templates = request.app.state.templates
    lang = request.query_params.get("lang", "de")
    response: Response = templates.TemplateResponse(
        request, "error.html",
        {"status": status, "message": message, "lang": lang if lang in ("de", "en") else "de",
         "t": request.app.state.translate(lang)},
        status_code=status,
    )
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ClusteratlasError)
    async def _ours(request: Request, exc: ClusteratlasError) -> Response:
        findings = getattr(exc, "findings", None)
        errors = [f"{f['field']}: {f['message']}" for f in findings] if findings else None
        return _respond(request, exc.http_status, exc.message, errors, findings=findings,
                        current_version=getattr(exc, "current", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "query")
            errors.append(f"{where}: {err.get('msg', 'invalid value')}")
        return _respond(request, 400, "invalid request parameters", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail) if exc.detail else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page at {request.url.path}"
        return _respond(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        response = _respond(request, 500,
                            f"internal error ({type(exc).__name__}); see the server log")
        # Starlette answers this one outside every middleware, SecurityHeaders too
        add_security_headers(response.headers, request.url.path)
        return response


