from audits.views import urlpatterns

__all__ = ["urlpatterns"]
