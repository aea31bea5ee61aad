"""`Authorization: Bearer msp_…`: the token's maker, within the token's organization and role."""

from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import SimpleRateThrottle

from assessments.models import Membership, Role, TokenRole
from integrations.api_tokens import token_for


@dataclass(frozen=True)
class TokenScope:
    """What permissions.role_in answers for a request made with an organization's token."""

    organization_id: object
    role: Role


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != b"bearer":
            return None
        if len(words) != 2:
            raise AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        token = token_for(words[1].decode("utf-8", errors="replace"))
        if token is None:
            raise AuthenticationFailed("The token is unknown, revoked or expired.")
        user = token.created_by
        if token.role == TokenRole.REVIEWER:
            if not user.is_reviewer:
                raise AuthenticationFailed("The token's maker is no longer a platform reviewer.")
        else:
            still_admin = Membership.objects.filter(
                organization=token.organization_id, user=user, role=Role.ADMIN
            ).exists()
            if user.is_reviewer or not still_admin:
                raise AuthenticationFailed(
                    "The token's maker no longer administers its organization."
                )
            user.api_scope = TokenScope(token.organization_id, Role(token.role))
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token, counted in the shared cache (so every web machine sees them)."""

    scope = "token"

    def get_cache_key(self, request, view):
        if request.auth is None:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class TokenScheme(OpenApiAuthenticationExtension):
    """How the published schema describes the token, so clients (and Schemathesis) send it."""

    target_class = TokenAuthentication
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token: msp_…"}
