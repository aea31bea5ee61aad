"""Who is acting, and from where: passed explicitly to every state-changing function."""

from dataclasses import dataclass

from django.http import HttpRequest

from accounts.client_address import client_ip
from assessments.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    ip: str | None = None
    token_id: str | None = None  # set when a program acts through an API token

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Actor":
        token = getattr(request, "auth", None)
        return cls(
            user=request.user,
            ip=client_ip(request),
            token_id=str(token.pk) if token is not None else None,
        )


SYSTEM = Actor(user=None)
