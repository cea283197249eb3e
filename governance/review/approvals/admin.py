"""Reviews and decisions are evidence: the admin shows them and changes nothing."""

from django.contrib import admin

from governance.kernel.admin import ReadOnlyAdmin
from governance.review.approvals.models import Decision, Review

for model in (Review, Decision):
    admin.site.register(model, ReadOnlyAdmin)
