"""Imports every domain's tables so the metadata is complete (for Alembic and tests)."""

from yingji.alarm import models as alarm_models
from yingji.audit import models as audit_models
from yingji.auth import models as auth_models
from yingji.command import models as command_models
from yingji.core.db import Base
from yingji.enterprise import models as enterprise_models
from yingji.grid import models as grid_models
from yingji.intake import models as intake_models
from yingji.media import models as media_models
from yingji.notify import models as notify_models
from yingji.org import models as org_models
from yingji.patrol import models as patrol_models
from yingji.prevention.hazard import models as prevention_hazard_models
from yingji.prevention.inspection import models as prevention_inspection_models
from yingji.prevention.risk import models as prevention_risk_models
from yingji.prevention.ruleset import models as prevention_ruleset_models
from yingji.resources import models as resources_models
from yingji.scheduling import models as scheduling_models

__all__ = [
    "Base",
    "alarm_models",
    "audit_models",
    "auth_models",
    "command_models",
    "enterprise_models",
    "grid_models",
    "intake_models",
    "media_models",
    "notify_models",
    "org_models",
    "patrol_models",
    "prevention_hazard_models",
    "prevention_inspection_models",
    "prevention_risk_models",
    "prevention_ruleset_models",
    "resources_models",
    "scheduling_models",
]
