"""Where people make and revoke API tokens: an organization's administrators for their
organization, a platform reviewer for their own reviewing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.actors import Actor
from accounts.permissions import Need
from assessments.errors import MissingRequirement
from assessments.forms.integrations import TokenForm
from assessments.models import ApiToken
from assessments.views.helpers import posted, status_for
from integrations.api_tokens import create_token, revoke_token


@login_required
@never_cache  # the page that shows a new token once must never be kept anywhere
@require_http_methods(["GET", "POST"])
def tokens(request, organization_id=None):
    organization = None
    if organization_id is not None:
        organization = permissions.organization_for(request.user, organization_id, need=Need.MANAGE)
        listed = ApiToken.objects.filter(organization=organization)
    elif request.user.is_reviewer:
        listed = ApiToken.objects.filter(organization=None, created_by=request.user)
    else:
        raise PermissionDenied("Only platform reviewers have reviewer tokens.")
    form = TokenForm(**posted(request), request=request, for_reviewer=organization is None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = create_token(
                organization=organization,
                name=form.cleaned_data["name"],
                role=form.chosen_role(),
                days=form.cleaned_data["days"],
                actor=Actor.from_request(request),
                proof=form.proof,
            )
        except MissingRequirement as exc:
            form.add_error(None, str(exc))
        else:
            form = TokenForm(request=request, for_reviewer=organization is None)
    return render(
        request,
        "api_tokens/list.html",
        {
            "organization": organization,
            "form": form,
            "new_key": new_key,
            "tokens": listed.select_related("created_by").order_by("-created_at"),
        },
        status=status_for(form),
    )


@login_required
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken.objects.select_related("organization"), pk=token_id)
    if token.organization is not None:
        permissions.check(request.user, token.organization, Need.MANAGE)
        back = redirect("org_tokens", token.organization_id)
    elif token.created_by_id == request.user.pk and request.user.is_reviewer:
        back = redirect("reviewer_tokens")
    else:
        raise Http404
    revoke_token(token, actor=Actor.from_request(request))
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return back
