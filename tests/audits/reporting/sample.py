"""A realistic snapshot, hand-written, for rendering tests that need no database."""


def sample(full=True):
    return {
        "kind": "annex_iv",
        "title": "Technical documentation",
        "full": full,
        "generated_at": "2026-11-22T03:00:00+00:00",
        "generated_by": {"name": "Aude Auditor", "role": "auditor"},
        "input_hash": "ab" * 32,
        "retention_until": "2036-11-22",
        "retention_basis": "Art. 18: 10 years",
        "system": {
            "name": "Consumer credit scoring",
            "team": "Credit Risk Analytics",
            "intended_purpose": "Estimate repayment probability.",
            "provider_name": "Demo Bank AG",
            "human_oversight": "",
            "post_market_plan": "",
        },
        "classification": {
            "id": 3,
            "tier": "high_risk",
            "tier_label": "High risk",
            "annex_iii_area": "5(b)",
            "created_by": "compliance",
            "created_at": "2026-11-20T10:00:00",
            "art50": [],
        },
        "version": {
            "model": "credit-risk-xgb",
            "version": "1.0.0",
            "status": "approved",
            "task": "binary_classification",
            "framework": "xgboost",
            "code_commit": "9c1e4b2",
            "environment_lock": "xgboost==3.2",
            "description": "",
            "hyperparameters": {"max_depth": 3, "n_estimators": 120},
            "declared_metrics": {"auc": 0.74},
            "artefact": {
                "sha256": "15d2" * 16,
                "size": 136000,
                "format": "xgboost_json",
                "safe": True,
            },
        },
        "version_history": [
            {
                "version": "1.0.0",
                "status": "approved",
                "created_at": "2026-11-20",
                "created_by": "scientist",
                "sha256": "15d2" * 16,
                "is_this": True,
            }
        ],
        "software": {"python": "3.11.7", "xgboost": "3.2.0"},
        "datasets": [
            {
                "name": "German Credit",
                "version": "2024-01",
                "edge_kind": "trained_on",
                "sha256": "cd" * 32,
                "row_count": 1000,
                "origin": "UCI",
                "collection_method": "",
                "labelling": "",
                "cleaning": "",
                "licence": "CC BY 4.0",
                "legal_basis": "",
                "sensitive": ["sex", "age"],
                "pii_flags": [],
                "description": "",
                "columns": [
                    {
                        "name": "age",
                        "dtype": "integer",
                        "role": "feature",
                        "null_share": 0.0,
                        "distinct": 53,
                        "is_sensitive": True,
                    }
                ]
                * 12,
            }
        ],
        "lineage": [
            {
                "kind": "trained on",
                "upstream": "German Credit 2024-01",
                "downstream": "credit-risk-xgb 1.0.0",
            }
        ],
        "checks": [
            {
                "id": 1,
                "kind": "fairness",
                "dataset": "German Credit 2024-01",
                "finished_at": "2026-11-21T09:00",
                "status": "succeeded",
                "passed": False,
                "result_sha256": "ef" * 32,
            }
        ],
        "monitoring_checks": [],
        "fairness": {
            "id": 1,
            "dataset": "German Credit 2024-01",
            "finished_at": "2026-11-21",
            "passed": False,
            "metrics": [
                {
                    "feature": "sex",
                    "metric": "demographic parity difference",
                    "value": "0.0723",
                    "threshold": "0.10",
                    "passed": True,
                }
            ],
            "group_tables": [
                {
                    "feature": "sex",
                    "groups": [
                        {
                            "group": "female",
                            "count": 310,
                            "selection_rate": "0.61",
                            "tpr": "0.8",
                            "fpr": "0.5",
                            "fnr": "0.2",
                            "precision": "0.7",
                            "accuracy": "0.7",
                            "small": False,
                        }
                    ]
                    * 30,
                }
            ],
            "findings": [{"message": "Disparate impact ratio 0.78 below 0.80 for sex"}],
            "charts": [],
        },
        "explainability": None,
        "performance": None,
        "data_quality": None,
        "thresholds": [
            {"kind": "fairness", "metric": "demographic_parity_difference", "value": "0.10"}
        ],
        "requirements": [
            {"label": "Fairness check passed", "met": False, "reason": "failed threshold"}
        ],
        "approvals": [
            {
                "reviewer_name": "Colette Compliance",
                "capacity_label": "compliance officer",
                "decided_at": "2026-11-21T10:00",
                "comment": "ok",
                "signature": "aa" * 32,
            }
        ],
        "changes": [],
        "audit_trail": [
            {
                "sequence": i,
                "created_at": "2026-11-21T10:00",
                "actor": "scientist",
                "action": "model_version.registered",
                "hash": "bb" * 32,
            }
            for i in range(60)
        ],
        "deployments": [],
        "personal_data": {"has_personal_data": False, "categories": []},
        "logging": {
            "events": 60,
            "verified_at": "2026-11-22T03:00",
            "chain_ok": True,
            "documentation_years": 10,
            "log_months": 6,
        },
        "incidents": [],
        "manifest": [{"what": "artefact", "sha256": "15d2" * 16}],
        "gate_allowed": False,
    }
