"""Who may read and write the AI Act records of this layer, in one place.

Compliance officers and admins write (the records are oversight decisions, not the authors'
own paperwork); auditors and compliance officers read every team's; data scientists read
their own teams' and never learn that another team's records exist (404, not 403).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from governance.kernel.accounts.models import Role, User
from governance.kernel.errors import Forbidden, NotFound
from governance.kernel.permissions import CHANGE, VIEW, team_scoped_queryset
from registry.models import AISystem
from registry.selectors import system_list

WRITER_ROLES = frozenset({Role.ADMIN, Role.COMPLIANCE_OFFICER})


def obligation_queryset(team_path: str):
    """The queryset class of a record that belongs to a system's team at ``team_path``."""
    return team_scoped_queryset(team_path, writer_roles=(), cross_team_writer_roles=WRITER_ROLES)


def may_write(actor: User) -> bool:
    return actor.is_authenticated and actor.is_active and actor.role in WRITER_ROLES


def require_writer(actor: User, refusal: str) -> None:
    """Refuse (403) anyone but a writer; ``refusal`` is the whole sentence saying who may do
    what, translated by the caller."""
    if not may_write(actor):
        raise Forbidden("obligation_role", refusal)


def visible_system(actor: User, pk: int, action: str = VIEW) -> AISystem:
    """The system if ``actor`` may see it; otherwise 404 whatever the reason."""
    system = system_list(actor=actor).filter(pk=pk).first()
    if system is None:
        raise NotFound("not_found", _("No AI system %(id)s, or you may not see it.") % {"id": pk})
    if action == CHANGE:
        require_writer(actor, _("Only compliance officers and admins change this record."))
    return system


# Who may take a record away as a PDF (the same roles as reports): the data scientists who
# read their own teams' records do not hand documents to authorities.
PDF_ROLES = frozenset({Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.AUDITOR})


def may_download_pdf(actor: User) -> bool:
    return actor.is_authenticated and actor.is_active and actor.role in PDF_ROLES
