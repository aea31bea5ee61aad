"""The portal's URLs plus the floor: the cheapest page the same stack can serve."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import include, path


@login_required
def floor(request):
    """Session, auth, middleware and the base template, and nothing else."""
    return render(request, "base.html")


urlpatterns = [path("bench/floor/", floor), path("", include("compliance_portal.urls"))]
