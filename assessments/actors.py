"""Who is acting, and from where: passed explicitly to every state-changing function."""

from dataclasses import dataclass

from django.http import HttpRequest

from assessments.client_address import client_ip
from assessments.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    ip: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Actor":
        return cls(user=request.user, ip=client_ip(request))


SYSTEM = Actor(user=None)
