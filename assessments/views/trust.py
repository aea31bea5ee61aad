"""Public: a product's trust page and seal, and the directory of attested products."""

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.views.decorators.http import require_safe

from accounts.throttling import DIRECTORY, throttled_posts
from assessments.forms.trust import DirectoryForm
from attestations import public_trust


@require_safe
def trust_page(request, product_id):
    product = public_trust.public_product(product_id)
    if product is None:
        raise Http404("This product has no public trust page.")
    current = public_trust.standing(product)
    # Pasted on other sites: the portal's own address, whichever host the request named.
    page = settings.SITE_URL + reverse("trust_page", args=[product.pk])
    seal = settings.SITE_URL + reverse("trust_seal", args=[product.pk])
    response = render(
        request,
        "trust/product.html",
        {
            "current": current,
            # Markup, its values escaped so a quote in a product's name cannot break it; the
            # page shows it as text to copy (escaped once more there).
            "snippet": format_html(
                '<a href="{}"><img src="{}" width="{}" height="{}" alt="{}"></a>',
                page,
                seal,
                public_trust.SEAL_WIDTH,
                public_trust.SEAL_HEIGHT,
                current.seal_text(),
            ),
        },
    )
    patch_cache_control(response, no_cache=True)  # a revocation shows at once
    return response


@require_safe
def trust_seal(request, product_id):
    """The seal as an SVG: revalidated at every view (no-cache with an ETag), so it changes
    the moment the attestation does, and costs a 304 otherwise."""
    product = public_trust.public_product(product_id)
    if product is None:
        raise Http404("This product has no public seal.")
    svg = public_trust.seal_svg(public_trust.standing(product))
    etag = f'"{public_trust.seal_etag(svg)}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(svg, content_type="image/svg+xml")
    response["ETag"] = etag
    patch_cache_control(response, public=True, no_cache=True, max_age=0)
    # Shown on other sites as an image: it may be embedded anywhere, and runs nothing.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_safe
@throttled_posts(DIRECTORY, methods=("GET",))
def directory(request):
    form = DirectoryForm(request.GET)
    searched = form.cleaned_data if form.is_valid() else None  # a refused field says why
    return render(
        request,
        "trust/directory.html",
        {
            "found": public_trust.directory(
                query=searched["q"], law=searched["law"], age_band=searched["age"]
            )
            if searched is not None
            else [],
            "form": form,
            "searching": searched is None or any(searched.values()),
        },
    )
