"""API views of the governance app: thin, they validate and call services or selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.kernel.api.errors import ApiError
from governance.kernel.jobs.models import BackgroundJob
from governance.kernel.jobs.selectors import background_job_get
from governance.kernel.jobs.serializers import BackgroundJobSerializer


class BackgroundJobView(APIView):
    @extend_schema(responses=BackgroundJobSerializer)
    def get(self, request, pk: int):

        try:
            job = background_job_get(actor=request.user, job_id=pk)
        except BackgroundJob.DoesNotExist as exc:
            raise ApiError(404, "not_found", "No such job.") from exc
        return Response(BackgroundJobSerializer(job).data)
