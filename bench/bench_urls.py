"""The project's URLs, plus the claim list pinned to one implementation, to compare them
side by side: ``/bench/claims-drf/`` (``ClaimSerializer``, as before ``claims.fast_list``),
``/bench/claims-fast/`` (``claims.fast_list``, as ``/api/v1/claims/`` is wired) and
``/bench/claims-general/`` (``fast_list``'s rendering of the page the general path selects:
django-filter, ``claims.search``, ``KeysetPagination``); and a claim's detail through
``ClaimWithRelationsSerializer``, as before ``claims.fast_detail``: ``/bench/claims-drf/<pk>/``."""

from django.http import HttpResponse
from django.urls import path

from claims import fast_list, selectors
from claims.views import ClaimViewSet
from project.urls import handler404, handler500, urlpatterns as project_urlpatterns  # noqa: F401


class SerializerClaimList(ClaimViewSet):
    def list(self, request):
        return self.serialized_list(request)


class FastClaimList(ClaimViewSet):
    def list(self, request):
        return HttpResponse(fast_list.list_page(request, self), content_type="application/json")


class GeneralPathClaimList(ClaimViewSet):
    """fast_list's rendering, but the page selected by the general path (django-filter,
    ``claims.search``, ``KeysetPagination``) for every request."""

    def list(self, request):
        claims = self.filter_queryset(selectors.visible_claims(request.user))
        rows = self.paginator.paginate_queryset(fast_list.claim_rows(claims), request, view=self)
        envelope = self.paginator.links()
        envelope["results"] = fast_list.claims_payload(rows)
        return HttpResponse(fast_list.render(envelope), content_type="application/json")


class EmptyClaimList(ClaimViewSet):
    """The claim list's framework with nothing to do: DRF's dispatch (authentication,
    permissions, throttles, negotiation) and the middleware, answering ``{}``."""

    def list(self, request):
        return HttpResponse(b"{}", content_type="application/json")


def empty_django_view(request):
    """Django and its middleware alone, answering ``{}``."""
    return HttpResponse(b"{}", content_type="application/json")


# As many bytes as the list page, without building it.
PAGE_SIZED_BODY = b'{"results":"' + b"x" * 81_077 + b'"}'


def page_sized_django_view(request):
    """Django and its middleware answering a constant body the size of the list page: what
    carrying the page's 81 KB through Django and the HTTP server costs."""
    return HttpResponse(PAGE_SIZED_BODY, content_type="application/json")


urlpatterns = [
    path("bench/empty-drf/", EmptyClaimList.as_view({"get": "list"})),
    path("bench/empty-django/", empty_django_view),
    path("bench/page-sized-django/", page_sized_django_view),
    path("bench/claims-general/", GeneralPathClaimList.as_view({"get": "list"})),
    path("bench/claims-drf/", SerializerClaimList.as_view({"get": "list"})),
    path("bench/claims-fast/", FastClaimList.as_view({"get": "list"})),
    path("bench/claims-drf/<int:pk>/", ClaimViewSet.as_view({"get": "serialized_detail"})),
    *project_urlpatterns,
]
