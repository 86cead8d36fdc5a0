"""Imports every table so ``metadata`` is complete (for Alembic and tests)."""

from talentbase.attachments.models import Attachment
from talentbase.candidates.models import Candidate, DeletedCandidate
from talentbase.client_contacts.models import ClientContact, ClientContactStage
from talentbase.companies.models import Company
from talentbase.custom_attributes.models import CustomAttributeDefinition, CustomAttributeValue
from talentbase.db.base import Base
from talentbase.duplicates.models import CandidateIdentifier  # also keeps it in step
from talentbase.events.models import OutboxEvent
from talentbase.history.models import HistoryEntry
from talentbase.idempotency.models import IdempotencyKey
from talentbase.linkedin.models import LinkedInProfile
from talentbase.notes.models import Note, NoteLink
from talentbase.placements.models import Placement
from talentbase.search.models import CandidateSearch  # also keeps it in step with candidates
from talentbase.tasks.models import Task, TaskLink
from talentbase.users.models import User
from talentbase.webhooks.models import Webhook, WebhookDelivery
from talentbase.work_history.models import Education, WorkExperience
from talentbase.workspaces.models import ApiKey, ServerSetting, Workspace

metadata = Base.metadata

__all__ = [
    "ApiKey",
    "Attachment",
    "Candidate",
    "CandidateIdentifier",
    "CandidateSearch",
    "ClientContact",
    "ClientContactStage",
    "Company",
    "CustomAttributeDefinition",
    "CustomAttributeValue",
    "DeletedCandidate",
    "Education",
    "HistoryEntry",
    "IdempotencyKey",
    "LinkedInProfile",
    "Note",
    "NoteLink",
    "OutboxEvent",
    "Placement",
    "ServerSetting",
    "Task",
    "TaskLink",
    "User",
    "Webhook",
    "WebhookDelivery",
    "WorkExperience",
    "Workspace",
    "metadata",
]
