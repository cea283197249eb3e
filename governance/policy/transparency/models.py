"""Art. 50 transparency duties of a system and the measures recorded to meet them.

Which duties apply follows from the classification (questionnaire Q6: the Art. 50
paragraphs ticked); each becomes a requirement of the system's versions that holds once a
measure with its evidence is recorded (how users are told, how outputs are marked, and where
a reviewer can see it). Measures are append-only: a newer one supersedes, none is edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from governance.kernel.permissions import team_scoped_queryset

#: Art. 50 paragraph (the classification's transparency flag) -> (duty, what it asks).
DUTIES: dict[str, tuple[str, str]] = {
    "50(1)": (
        "disclosure_to_users",
        gettext_noop(
            "People interacting with the system are told they are interacting with an AI system"
        ),
    ),
    "50(2)": (
        "synthetic_content_marking",
        gettext_noop(
            "Generated audio, image, video or text is marked, machine-readably, as artificially "
            "generated"
        ),
    ),
    "50(3)": (
        "emotion_biometric_notice",
        gettext_noop(
            "People exposed to emotion recognition or biometric categorisation are informed"
        ),
    ),
    "50(4)": (
        "deep_fake_disclosure",
        gettext_noop(
            "Deep fakes and generated public-interest text are disclosed as artificially generated"
        ),
    ),
}
DUTY_CHOICES = [(duty, label) for duty, label in DUTIES.values()]


class TransparencyMeasure(models.Model):
    system = models.ForeignKey(
        "registry.AISystem", on_delete=models.PROTECT, related_name="transparency_measures"
    )
    duty = models.CharField(max_length=40, choices=DUTY_CHOICES)
    measure = models.TextField(help_text="What is done: the notice shown, the marking applied.")
    evidence = models.TextField(
        help_text="Where a reviewer sees it: a screenshot's location, a test, a document."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = team_scoped_queryset(
        "system__team",
        writer_roles=("data_scientist", "compliance_officer"),
        cross_team_writer_roles=("admin", "compliance_officer"),
    ).as_manager()

    class Meta:
        ordering = ["system", "duty", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.system_id}: {self.duty}"
