"""The API root: who you are and where every collection lives. The site's URL configuration
passes the collections (``collections=``), so this kernel view names no upper layer."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRootView(APIView):
    permission_classes = [IsAuthenticated]
    # (key, URL name) pairs, in the order the root lists them.
    collections: tuple[tuple[str, str], ...] = ()

    @extend_schema(exclude=True)
    def get(self, request):
        links = {key: reverse(name, request=request) for key, name in self.collections}
        return Response(
            {
                "version": "1",
                "user": request.user.username,
                "role": request.user.role,
                "links": links,
            }
        )
