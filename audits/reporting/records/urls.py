"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from audits.reporting.records.api import RecordPdfView
from audits.reporting.records.views import record_pdf_download

# (kind, route of the record, URL name)
ROUTES = [
    ("incident", "incidents/<int:pk>/report.pdf", "incident-pdf"),
    ("fria", "fria/<int:pk>/pdf/", "fria-pdf"),
    ("declaration", "declarations/<int:pk>/pdf/", "declaration-pdf"),
    ("registration", "systems/<int:pk>/eu-database-registration.pdf", "registration-pdf"),
    ("soa", "systems/<int:pk>/statement-of-applicability.pdf", "soa-pdf"),
]

urlpatterns = [
    path(route, record_pdf_download, {"kind": kind}, name=name) for kind, route, name in ROUTES
]

api_urlpatterns = [
    path(
        route,
        RecordPdfView.as_view(kind=kind),
        name=f"api-{name}",
    )
    for kind, route, name in ROUTES
]
