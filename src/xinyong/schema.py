"""Import every model so the metadata is complete (Alembic, create_all in tests)."""

# the newer domains are imported as modules: their tables register on import, whatever classes they define
from .archive.models import ArchiveCheckpoint, ArchiveEntry
from .auth.models import AuditEvent
from .cases import models as cases_models  # noqa: F401
from .commitments import models as commitments_models  # noqa: F401
from .db.base import Base
from .evaluation.models import Evaluation
from .evidence.models import EvidenceFile
from .governance.models import StandardComment, StandardVersion
from .inspections import models as inspections_models  # noqa: F401
from .jobs import models as jobs_models  # noqa: F401
from .listings.models import Membership
from .notifications import models as notifications_models  # noqa: F401
from .outbox import models as outbox_models  # noqa: F401
from .records.models import Correction, Duplicate, Record, Withdrawal
from .reference.models import CatalogueItem, Department, Industry
from .subjects.models import NationalGrade, Subject, SubjectIndustry
from .supervision import models as supervision_models  # noqa: F401
from .users.models import ApiToken, LoginAttempt, User

__all__ = [
    "Duplicate", "Membership",
    "ApiToken", "ArchiveEntry", "AuditEvent", "Base", "CatalogueItem", "Department", "Evaluation", "Industry",
    "NationalGrade", "Record", "StandardVersion", "Subject", "SubjectIndustry", "Withdrawal",
    "ArchiveCheckpoint", "Correction", "EvidenceFile", "LoginAttempt", "StandardComment", "User",
]
