from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A stale or forged form post: explain how to recover instead of Django's bare page."""
    return render(request, "403_csrf.html", status=403)
