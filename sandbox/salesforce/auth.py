"""Logins and sessions: the OAuth 2.0 token endpoint, the SOAP partner `login`, and bearer checks.

Supported exactly as simple-salesforce drives them: client credentials (Basic or body client auth),
username-password, JWT bearer (RS256, verified against the connected app's certificate or public key)
and SOAP `login` (username + password[+security token], optionally scoped by organizationId).
Sessions expire after a configurable lifetime and can all be expired at once (a fault switch).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

INVALID_SESSION_BODY = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class OrgCredentials(BaseModel):
    """Who may log in to the emulated org, and how long their sessions live."""

    org_id: str = "00D5g00000SANDBOX"
    user_id: str = "0055g00000INTEGRA"
    username: str = "integration@contractloop.sandbox"
    password: str
    security_token: str
    client_id: str = Field(description="Connected app consumer key.")
    client_secret: str
    jwt_public_key_pem: str | None = Field(None, description="Certificate or public key for JWT bearer.")
    session_ttl_seconds: int = Field(7200, ge=1)


class SessionStore:
    """Issued access tokens with their expiry times (wall clock). Given a SQLite file, sessions outlive a
    restart of the emulator, as a real org's do: a client holding a token keeps working."""

    def __init__(self, org_id: str, default_ttl_seconds: int, path: Path | None = None) -> None:
        self._org_id = org_id
        self._default_ttl = default_ttl_seconds
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, expires_at REAL NOT NULL)")
            self._db.execute("DELETE FROM sessions WHERE expires_at <= ?", (time.time(),))
            self._expiry = dict(self._db.execute("SELECT token, expires_at FROM sessions").fetchall())

    def issue(self, ttl_seconds: float | None = None) -> str:
        token = f"{self._org_id}!{secrets.token_urlsafe(48)}"
        expires_at = time.time() + (ttl_seconds or self._default_ttl)
        with self._lock:
            self._expiry[token] = expires_at
            if self._db is not None:
                self._db.execute("INSERT INTO sessions (token, expires_at) VALUES (?, ?)", (token, expires_at))
        return token

    def is_valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._expiry.get(token)
            if expiry is None:
                return False
            if expiry <= time.time():
                del self._expiry[token]
                if self._db is not None:
                    self._db.execute("DELETE FROM sessions WHERE token = ?", (token,))
                return False
            return True

    def expire_all(self) -> int:
        with self._lock:
            count = len(self._expiry)
            self._expiry.clear()
            if self._db is not None:
                self._db.execute("DELETE FROM sessions")
            return count

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    # Bulk API 1.0 style clients send the session in their own header.
    return request.headers.get("x-sfdc-session") or None


def invalid_session_response() -> JSONResponse:
    return JSONResponse(INVALID_SESSION_BODY, status_code=401)


class Authenticator:
    """Checks login attempts against `OrgCredentials` and hands out sessions."""

    def __init__(self, credentials: OrgCredentials, sessions: SessionStore) -> None:
        self.credentials = credentials
        self.sessions = sessions
        self._jwt_key = _load_public_key(credentials.jwt_public_key_pem) if credentials.jwt_public_key_pem else None

    def password_ok(self, username: str | None, password: str | None) -> bool:
        c = self.credentials
        if username is None or password is None or not hmac.compare_digest(username, c.username):
            return False
        accepted = (c.password + c.security_token, c.password)
        return any(hmac.compare_digest(password, candidate) for candidate in accepted)

    def client_ok(self, client_id: str | None, client_secret: str | None) -> bool:
        c = self.credentials
        return (
            client_id is not None
            and client_secret is not None
            and hmac.compare_digest(client_id, c.client_id)
            and hmac.compare_digest(client_secret, c.client_secret)
        )

    def verify_assertion(self, assertion: str, instance_url: str) -> str | None:
        """Return why a JWT bearer assertion is refused, or None when it is good."""
        if self._jwt_key is None:
            return "this org has no certificate configured for the JWT bearer flow"
        try:
            claims = jwt.decode(
                assertion,
                self._jwt_key,
                algorithms=["RS256"],
                options={"require": ["iss", "sub", "aud", "exp"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            return "expired authorization code"
        except jwt.PyJWTError as exc:
            return f"invalid assertion: {exc}"
        if claims["iss"] != self.credentials.client_id:
            return "client identifier invalid"
        if claims["sub"] != self.credentials.username:
            return "user hasn't approved this consumer"
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if not any(_audience_ok(aud, instance_url) for aud in audiences):
            return "audience is invalid"
        return None


def _audience_ok(audience: str, instance_url: str) -> bool:
    audience = audience.rstrip("/")
    if audience in ("https://login.salesforce.com", "https://test.salesforce.com", instance_url):
        return True
    return audience.startswith("https://") and audience.endswith(".my.salesforce.com")


def _load_public_key(pem: str) -> RSAPublicKey:
    data = pem.encode()
    key = (
        x509.load_pem_x509_certificate(data).public_key()
        if b"BEGIN CERTIFICATE" in data
        else load_pem_public_key(data)
    )
    if not isinstance(key, RSAPublicKey):
        raise ValueError("the JWT bearer flow needs an RSA certificate or public key")
    return key


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _basic_client(request: Request) -> tuple[str | None, str | None]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        client_id, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    return client_id, secret


def auth_routes(auth: Authenticator, instance_url: Callable[[Request], str]) -> list[Route]:
    """The login endpoints a client reaches before it holds a session."""
    creds = auth.credentials

    def token_body(request: Request, token: str) -> JSONResponse:
        url = instance_url(request)
        issued_at = str(int(time.time() * 1000))
        signature = base64.b64encode(
            hmac.new(creds.client_secret.encode(), f"{url}{issued_at}".encode(), hashlib.sha256).digest()
        ).decode()
        return JSONResponse(
            {
                "access_token": token,
                "instance_url": url,
                "id": f"{url}/id/{creds.org_id}/{creds.user_id}",
                "token_type": "Bearer",
                "issued_at": issued_at,
                "signature": signature,
                "scope": "api",
            }
        )

    async def token(request: Request) -> Response:
        # Parsed by hand: the body is always application/x-www-form-urlencoded, so no multipart dependency.
        form = dict(parse_qsl((await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True))
        grant_type = form.get("grant_type", "")
        basic_id, basic_secret = _basic_client(request)
        client_id = basic_id or form.get("client_id")
        client_secret = basic_secret or form.get("client_secret")
        if grant_type == "client_credentials":
            if not auth.client_ok(client_id, client_secret):
                return _oauth_error("invalid_client", "invalid client credentials")
        elif grant_type == "password":
            if not auth.client_ok(client_id, client_secret):
                return _oauth_error("invalid_client", "invalid client credentials")
            if not auth.password_ok(form.get("username"), form.get("password")):
                return _oauth_error("invalid_grant", "authentication failure")
        elif grant_type == JWT_BEARER_GRANT:
            refusal = auth.verify_assertion(form.get("assertion", ""), instance_url(request))
            if refusal is not None:
                return _oauth_error("invalid_grant", refusal)
        else:
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        return token_body(request, auth.sessions.issue())

    async def soap_login(request: Request) -> Response:
        version = request.path_params["version"]
        try:
            envelope = ElementTree.fromstring(await request.body())
        except ElementTree.ParseError as exc:
            return _soap_fault("INVALID_XML", f"Could not parse the SOAP request: {exc}")
        values = {_local_name(el.tag): (el.text or "") for el in envelope.iter()}
        if "login" not in values:
            return _soap_fault("INVALID_OPERATION", "Only the login operation is supported here.")
        scoped_org = values.get("organizationId")
        if not auth.password_ok(values.get("username"), values.get("password")) or (
            scoped_org is not None and scoped_org not in (creds.org_id, creds.org_id[:15])
        ):
            return _soap_fault("INVALID_LOGIN", "Invalid username, password, security token; or user locked out.")
        url = instance_url(request)
        session_id = auth.sessions.issue()
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<soapenv:Body><loginResponse><result>"
            f"<metadataServerUrl>{url}/services/Soap/m/{version}/{creds.org_id}</metadataServerUrl>"
            "<passwordExpired>false</passwordExpired><sandbox>true</sandbox>"
            f"<serverUrl>{url}/services/Soap/u/{version}/{creds.org_id}</serverUrl>"
            f"<sessionId>{escape(session_id)}</sessionId><userId>{creds.user_id}</userId>"
            f"<userInfo><organizationId>{creds.org_id}</organizationId>"
            f"<sessionSecondsValid>{creds.session_ttl_seconds}</sessionSecondsValid>"
            f"<userId>{creds.user_id}</userId><userName>{escape(creds.username)}</userName></userInfo>"
            "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
        )
        return Response(body, media_type="text/xml; charset=utf-8")

    return [
        Route("/services/oauth2/token", token, methods=["POST"]),
        Route("/services/Soap/u/{version}", soap_login, methods=["POST"]),
    ]


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _soap_fault(code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<soapenv:Body><soapenv:Fault>"
        f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {escape(message)}</faultstring>"
        '<detail><sf:LoginFault xsi:type="sf:LoginFault">'
        f"<sf:exceptionCode>{code}</sf:exceptionCode><sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
        "</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, status_code=500, media_type="text/xml; charset=utf-8")
