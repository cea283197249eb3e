"""Domain events of the registry that other apps react to.

Explicit, few and documented: governance listens to invalidate approvals whose evidence
changed (a PII flag confirmed upstream, new lineage). Sent inside the sender's transaction.
"""

from django.dispatch import Signal

# kwargs: flag (PIIFlag), actor (User), previous (str status before)
pii_flag_decided = Signal()
# kwargs: edge (LineageEdge), actor (User)
lineage_edge_added = Signal()
# kwargs: system (AISystem), actor (User), fields (list of documentation fields that changed)
system_documentation_changed = Signal()
# kwargs: binding (PromptBinding), previous (PromptVersion, None when newly bound), actor (User)
prompt_changed = Signal()
