"""Seed the AI Act questionnaire (AI_ACT.md section 1) and the default policies (section 2).

The data is frozen here on purpose: later amendments are made by admins on the rows (audited),
or by a new data migration, never by editing this one.
"""

from django.db import migrations

# (key, step, text, article, multiple, [(value, label, article, effect, effect_value), ...])
QUESTIONS = [
    ("q0-ai-system", "Q0",
     "Is it an AI system: a machine-based system that infers from its input how to generate "
     "outputs such as predictions, content, recommendations or decisions?", "Art. 3(1)", False,
     [("yes", "Yes", "Art. 3(1)", "", ""),
      ("no", "No, it does not infer its outputs", "Art. 3(1)", "out_of_scope", "")]),
    ("q0-exclusions", "Q0", "Does one of the exclusions of Art. 2 apply?", "Art. 2", True,
     [("defence", "Exclusively military, defence or national security", "Art. 2(3)",
       "out_of_scope", ""),
      ("research", "Sole purpose of scientific research and development", "Art. 2(6)",
       "out_of_scope", ""),
      ("pre-market", "Research, testing or development before market placement", "Art. 2(8)",
       "out_of_scope", ""),
      ("personal", "Purely personal, non-professional use", "Art. 2(10)", "out_of_scope", ""),
      ("open-source", "Released under a free and open-source licence", "Art. 2(12)",
       "open_source_exclusion", ""),
      ("none", "None of these", "", "", "")]),
    ("q1-role", "Q1", "What is the organisation's role for this system?", "Art. 3(3), 3(4), 25(1)",
     False,
     [("provider", "Provider: develops it or has it developed and places it on the market "
       "under its name", "Art. 3(3)", "role", "provider"),
      ("deployer", "Deployer: uses it under its authority", "Art. 3(4)", "role", "deployer"),
      ("deployer-as-provider", "Deployer that rebrands, substantially modifies or repurposes it "
       "(becomes a provider)", "Art. 25(1)", "role", "provider (Art. 25(1))")]),
    ("q2-prohibited-practices", "Q2", "Does the system carry out any practice of Art. 5(1)?",
     "Art. 5(1)", True,
     [("manipulation", "Subliminal, manipulative or deceptive techniques distorting behaviour",
       "Art. 5(1)(a)", "prohibited", "5(1)(a)"),
      ("vulnerabilities", "Exploiting vulnerabilities of age, disability or social or economic "
       "situation", "Art. 5(1)(b)", "prohibited", "5(1)(b)"),
      ("social-scoring", "Social scoring leading to detrimental or unfavourable treatment",
       "Art. 5(1)(c)", "prohibited", "5(1)(c)"),
      ("crime-prediction", "Predicting criminal offences from profiling or personality traits "
       "alone", "Art. 5(1)(d)", "prohibited", "5(1)(d)"),
      ("facial-scraping", "Untargeted scraping of facial images to build recognition databases",
       "Art. 5(1)(e)", "prohibited", "5(1)(e)"),
      ("emotion-work-school", "Emotion recognition in the workplace or education",
       "Art. 5(1)(f)", "prohibited", "5(1)(f)"),
      ("biometric-categorisation", "Biometric categorisation inferring sensitive traits",
       "Art. 5(1)(g)", "prohibited", "5(1)(g)"),
      ("realtime-rbi", "Real-time remote biometric identification in public spaces for law "
       "enforcement", "Art. 5(1)(h)", "prohibited", "5(1)(h)"),
      ("none", "None of these", "", "", "")]),
    ("q3-annex-i", "Q3",
     "Is it a safety component of, or itself, a product covered by Annex I that needs a "
     "third-party conformity assessment?", "Art. 6(1), Annex I", False,
     [("yes", "Yes", "Art. 6(1)", "annex_i", ""), ("no", "No", "", "", "")]),
    ("q4-annex-iii", "Q4", "Is it intended to be used in one of the areas of Annex III?",
     "Art. 6(2), Annex III", True,
     [("biometrics", "Biometrics (remote identification, categorisation, emotion recognition)",
       "Annex III(1)", "annex_iii", "1"),
      ("critical-infrastructure", "Safety components of critical infrastructure",
       "Annex III(2)", "annex_iii", "2"),
      ("education", "Education and vocational training", "Annex III(3)", "annex_iii", "3"),
      ("employment", "Employment, workers management, access to self-employment",
       "Annex III(4)", "annex_iii", "4"),
      ("public-benefits", "Eligibility for essential public assistance benefits and services",
       "Annex III(5)(a)", "annex_iii", "5(a)"),
      ("credit-scoring", "Creditworthiness or credit score of natural persons (not fraud "
       "detection)", "Annex III(5)(b)", "annex_iii", "5(b)"),
      ("insurance-pricing", "Risk assessment and pricing for life and health insurance",
       "Annex III(5)(c)", "annex_iii", "5(c)"),
      ("emergency-dispatch", "Evaluating and classifying emergency calls, dispatch, triage",
       "Annex III(5)(d)", "annex_iii", "5(d)"),
      ("law-enforcement", "Law enforcement", "Annex III(6)", "annex_iii", "6"),
      ("migration", "Migration, asylum and border control", "Annex III(7)", "annex_iii", "7"),
      ("justice-democracy", "Administration of justice and democratic processes",
       "Annex III(8)", "annex_iii", "8"),
      ("none", "None of these", "", "", "")]),
    ("q5-profiling", "Q5", "Does the system perform profiling of natural persons?",
     "Art. 6(3), last subparagraph", False,
     [("yes", "Yes", "Art. 6(3)", "profiling", ""), ("no", "No", "", "", "")]),
    ("q5-significant-risk", "Q5",
     "Does it pose a significant risk of harm to health, safety or fundamental rights, "
     "including by materially influencing the outcome of decision making?", "Art. 6(3)", False,
     [("yes", "Yes", "Art. 6(3)", "significant_risk", ""), ("no", "No", "", "", "")]),
    ("q5-derogation", "Q5", "Which condition of Art. 6(3) does it meet?", "Art. 6(3)", True,
     [("narrow-procedural", "A narrow procedural task", "Art. 6(3)(a)", "derogation", "6(3)(a)"),
      ("improves-human-activity", "Improves the result of a previously completed human activity",
       "Art. 6(3)(b)", "derogation", "6(3)(b)"),
      ("detects-patterns", "Detects decision-making patterns without replacing human "
       "assessment, with proper human review", "Art. 6(3)(c)", "derogation", "6(3)(c)"),
      ("preparatory", "A preparatory task to an assessment", "Art. 6(3)(d)", "derogation",
       "6(3)(d)"),
      ("none", "None of these", "", "", "")]),
    ("q5-derogation-documented", "Q5",
     "Is the assessment documented (Art. 6(4)) and the system registered (Art. 49(2))?",
     "Art. 6(4), 49(2)", False,
     [("yes", "Yes", "Art. 6(4)", "derogation_documented", ""), ("no", "No", "", "", "")]),
    ("q6-transparency", "Q6", "Which transparency obligations of Art. 50 apply?", "Art. 50", True,
     [("interacts", "Interacts directly with natural persons", "Art. 50(1)", "transparency",
       "50(1)"),
      ("synthetic-content", "Generates synthetic audio, image, video or text", "Art. 50(2)",
       "transparency", "50(2)"),
      ("emotion-biometric", "Emotion recognition or biometric categorisation", "Art. 50(3)",
       "transparency", "50(3)"),
      ("deep-fake", "Generates or manipulates deep fakes or public-interest text",
       "Art. 50(4)", "transparency", "50(4)"),
      ("none", "None of these", "", "", "")]),
    ("q7-gpai", "Q7", "Is it, or is it built on, a general-purpose AI model placed on the market "
     "by the organisation?", "Art. 3(63), 51, 53", False,
     [("no", "No", "", "", ""),
      ("gpai", "Yes (Art. 53 duties)", "Art. 53", "gpai", ""),
      ("gpai-systemic", "Yes, with systemic risk (> 10^25 FLOP or designated)", "Art. 51(2)",
       "gpai_systemic", "")]),
]

DEFAULT_THRESHOLDS = {
    "fairness": {
        "demographic_parity_difference_max": 0.10,
        "disparate_impact_ratio_min": 0.80,
        "equal_opportunity_difference_max": 0.10,
        "equalized_odds_difference_max": 0.10,
        "min_group_size": 30,
    }
}
HIGH_RISK_DOCS = ["intended_purpose", "human_oversight", "post_market_plan"]

POLICIES = [
    # tier, submittable, checks, approvals, approver roles, accountable, pii, docs, recert, audit
    ("prohibited", False, [], 0, [], False, False, [], None, None),
    ("high_risk", True, ["fairness", "explainability", "data_quality", "performance"], 2,
     ["compliance_officer", "accountable_owner"], True, True, HIGH_RISK_DOCS, 180, 30),
    ("limited", True, ["fairness", "explainability"], 1, ["compliance_officer"], False, False,
     ["transparency_notice"], 365, 91),
    ("minimal", True, ["performance"], 1, ["compliance_officer"], False, False, [], 365, 365),
    ("not_high_risk_6_3", True, ["performance"], 1, ["compliance_officer"], False, False, [],
     365, 365),
    # Outside the Act, but still governed by the organisation: the lightest review.
    ("out_of_scope", True, [], 1, ["compliance_officer"], False, False, [], 365, None),
    ("unclassified", False, [], 0, [], False, False, [], None, None),
]


def seed(apps, schema_editor):
    Question = apps.get_model("governance", "QuestionnaireQuestion")
    Option = apps.get_model("governance", "QuestionnaireOption")
    Policy = apps.get_model("governance", "Policy")
    for position, (key, step, text, article, multiple, options) in enumerate(QUESTIONS):
        question, _ = Question.objects.update_or_create(
            key=key,
            defaults={"step": step, "position": (position + 1) * 10, "text": text,
                      "article": article, "multiple": multiple},
        )
        for opt_pos, (value, label, opt_article, effect, effect_value) in enumerate(options):
            Option.objects.update_or_create(
                question=question, value=value,
                defaults={"label": label, "article": opt_article, "effect": effect,
                          "effect_value": effect_value, "position": opt_pos},
            )
    for tier, submittable, checks, approvals, roles, accountable, pii, docs, recert, audit in (
        POLICIES
    ):
        Policy.objects.get_or_create(
            tier=tier,
            defaults={
                "submittable": submittable,
                "required_checks": checks,
                "thresholds": {k: v for k, v in DEFAULT_THRESHOLDS.items() if k in checks},
                "approvals_required": approvals,
                "approver_roles": roles,
                "requires_accountable_owner": accountable,
                "pii_must_be_resolved": pii,
                "required_documentation": docs,
                "recertify_days": recert,
                "audit_interval_days": audit,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("governance", "QuestionnaireOption").objects.all().delete()
    apps.get_model("governance", "QuestionnaireQuestion").objects.all().delete()
    apps.get_model("governance", "Policy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_governance_domain")]

    operations = [migrations.RunPython(seed, unseed)]
