"""The questionnaire's texts in the language of the page.

The questions and their options are rows (seeded by migration 0004, amendable by admins), and
a classification record keeps the texts it was answered with. Neither is changed: the pages
look each English text up in the catalogues when they show it, and print a text the
catalogues do not know (an admin's amendment) as it is stored.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

# The seeded texts, so that ``make messages`` collects them for the translators.
SEEDED_TEXTS = (
    gettext_noop(
        "Is it an AI system: a machine-based system that infers from its input "
        "how to generate outputs such as predictions, content, recommendations "
        "or decisions?"
    ),
    gettext_noop("Yes"),
    gettext_noop("No, it does not infer its outputs"),
    gettext_noop("Does one of the exclusions of Art. 2 apply?"),
    gettext_noop("Exclusively military, defence or national security"),
    gettext_noop("Sole purpose of scientific research and development"),
    gettext_noop("Research, testing or development before market placement"),
    gettext_noop("Purely personal, non-professional use"),
    gettext_noop("Released under a free and open-source licence"),
    gettext_noop("None of these"),
    gettext_noop("What is the organisation's role for this system?"),
    gettext_noop(
        "Provider: develops it or has it developed and places it on the market under its name"
    ),
    gettext_noop("Deployer: uses it under its authority"),
    gettext_noop(
        "Deployer that rebrands, substantially modifies or repurposes it (becomes a provider)"
    ),
    gettext_noop("Does the system carry out any practice of Art. 5(1)?"),
    gettext_noop("Subliminal, manipulative or deceptive techniques distorting behaviour"),
    gettext_noop("Exploiting vulnerabilities of age, disability or social or economic situation"),
    gettext_noop("Social scoring leading to detrimental or unfavourable treatment"),
    gettext_noop("Predicting criminal offences from profiling or personality traits alone"),
    gettext_noop("Untargeted scraping of facial images to build recognition databases"),
    gettext_noop("Emotion recognition in the workplace or education"),
    gettext_noop("Biometric categorisation inferring sensitive traits"),
    gettext_noop("Real-time remote biometric identification in public spaces for law enforcement"),
    gettext_noop(
        "Is it a safety component of, or itself, a product covered by Annex I "
        "that needs a third-party conformity assessment?"
    ),
    gettext_noop("No"),
    gettext_noop("Is it intended to be used in one of the areas of Annex III?"),
    gettext_noop("Biometrics (remote identification, categorisation, emotion recognition)"),
    gettext_noop("Safety components of critical infrastructure"),
    gettext_noop("Education and vocational training"),
    gettext_noop("Employment, workers management, access to self-employment"),
    gettext_noop("Eligibility for essential public assistance benefits and services"),
    gettext_noop("Creditworthiness or credit score of natural persons (not fraud detection)"),
    gettext_noop("Risk assessment and pricing for life and health insurance"),
    gettext_noop("Evaluating and classifying emergency calls, dispatch, triage"),
    gettext_noop("Law enforcement"),
    gettext_noop("Migration, asylum and border control"),
    gettext_noop("Administration of justice and democratic processes"),
    gettext_noop("Does the system perform profiling of natural persons?"),
    gettext_noop(
        "Does it pose a significant risk of harm to health, safety or "
        "fundamental rights, including by materially influencing the outcome of "
        "decision making?"
    ),
    gettext_noop("Which condition of Art. 6(3) does it meet?"),
    gettext_noop("A narrow procedural task"),
    gettext_noop("Improves the result of a previously completed human activity"),
    gettext_noop(
        "Detects decision-making patterns without replacing human assessment, "
        "with proper human review"
    ),
    gettext_noop("A preparatory task to an assessment"),
    gettext_noop(
        "Is the assessment documented (Art. 6(4)) and the system registered (Art. 49(2))?"
    ),
    gettext_noop("Which transparency obligations of Art. 50 apply?"),
    gettext_noop("Interacts directly with natural persons"),
    gettext_noop("Generates synthetic audio, image, video or text"),
    gettext_noop("Emotion recognition or biometric categorisation"),
    gettext_noop("Generates or manipulates deep fakes or public-interest text"),
    gettext_noop(
        "Is it, or is it built on, a general-purpose AI model placed on the "
        "market by the organisation?"
    ),
    gettext_noop("Yes (Art. 53 duties)"),
    gettext_noop("Yes, with systemic risk (> 10^25 FLOP or designated)"),
)
FOLLOW_UP_NOTE = gettext_noop(
    "Only if you chose an Annex III area in Q4; leave it empty otherwise."
)
PROFILING_FOLLOW_UP_NOTE = gettext_noop(
    "Only if you chose an Annex III area and the system does not profile people (Q5)."
)


def shown(text: str) -> str:
    """``text`` in the active language when the catalogues know it, else as stored."""
    return gettext(text) if text else text
