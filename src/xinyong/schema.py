"""Import every model so the metadata is complete (Alembic, create_all in tests)."""

from .archive.models import ArchiveCheckpoint, ArchiveEntry
from .auth.models import AuditEvent
from .db.base import Base
from .evaluation.models import Evaluation
from .evidence.models import EvidenceFile
from .governance.models import StandardComment, StandardVersion
from .listings.models import Membership
from .records.models import Correction, Duplicate, Record, Withdrawal
from .reference.models import CatalogueItem, Department, Industry
from .subjects.models import NationalGrade, Subject, SubjectIndustry
from .users.models import ApiToken, LoginAttempt, User

__all__ = [
    "Duplicate", "Membership",
    "ApiToken", "ArchiveEntry", "AuditEvent", "Base", "CatalogueItem", "Department", "Evaluation", "Industry",
    "NationalGrade", "Record", "StandardVersion", "Subject", "SubjectIndustry", "Withdrawal",
    "ArchiveCheckpoint", "Correction", "EvidenceFile", "LoginAttempt", "StandardComment", "User",
]
