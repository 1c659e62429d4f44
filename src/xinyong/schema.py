"""Import every model so the metadata is complete (Alembic, create_all in tests)."""

from .archive.models import ArchiveCheckpoint, ArchiveEntry
from .auth.models import AuditEvent
from .db.base import Base
from .evaluation.models import Evaluation
from .evidence.models import EvidenceFile
from .records.models import Correction, Record, Withdrawal
from .reference.models import CatalogueItem, Department, Industry, StandardVersion
from .subjects.models import NationalGrade, Subject, SubjectIndustry
from .users.models import ApiToken, LoginAttempt, User

__all__ = [
    "ApiToken", "ArchiveEntry", "AuditEvent", "Base", "CatalogueItem", "Department", "Evaluation", "Industry",
    "NationalGrade", "Record", "StandardVersion", "Subject", "SubjectIndustry", "Withdrawal",
    "ArchiveCheckpoint", "Correction", "EvidenceFile", "LoginAttempt", "User",
]
