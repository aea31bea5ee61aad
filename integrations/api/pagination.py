from rest_framework.pagination import LimitOffsetPagination


class Pages(LimitOffsetPagination):
    """?limit=&offset=, bounded: no page larger than 200 rows, no offset a database cannot
    take (an absurd one is an empty page, not a server error)."""

    default_limit = 50
    max_limit = 200
    max_offset = 10**9

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)
