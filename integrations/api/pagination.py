from rest_framework.pagination import LimitOffsetPagination

from integrations.api.errors import FieldErrors


class Pages(LimitOffsetPagination):
    """?limit=&offset=, bounded: no page larger than 200 rows, no offset a database cannot
    take (an absurd one is an empty page, not a server error)."""

    default_limit = 50
    max_limit = 200
    max_offset = 10**9

    def get_limit(self, request):
        self._require_integers(request)
        return super().get_limit(request)

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)

    def _require_integers(self, request) -> None:
        """?limit=ten is a mistake to say, not a default to fall back on silently."""
        wrong = {
            name: ["A whole number of 0 or more."]
            for name in (self.limit_query_param, self.offset_query_param)
            if name in request.query_params and not request.query_params[name].strip().isdigit()
        }
        if wrong:
            raise FieldErrors(wrong)
