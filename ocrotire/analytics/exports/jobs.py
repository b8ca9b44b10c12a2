"""Exports of lists: answered at once when short, else an `ExportJob` written by the worker; each
request and each download is an audit row. The requester alone reads and downloads their job."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation

from ocrotire.accounts.models import User
from ocrotire.analytics.exports.lists import (
    CONTENT_TYPES,
    KINDS,
    ExportKind,
    export_write,
    file_name,
)
from ocrotire.analytics.models import ExportJob
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import NotAllowed
from ocrotire.core.jobs import JobBeat, jobs_expire
from ocrotire.core.models import AuditAction

logger = logging.getLogger(__name__)


def inline_limit() -> int:
    return int(getattr(settings, "OCROTIRE_EXPORT_INLINE_ROWS", 2000))


def export_record(
    *,
    actor: User,
    kind: ExportKind,
    fmt: str,
    filters: Mapping[str, str],
    rows: int,
    step: str,
    job: ExportJob | None = None,
) -> None:
    """The audit row of an export: who took (or asked for) which list, filtered how, how many rows."""
    changes: dict[str, Any] = {
        "list": kind.code,
        "format": fmt,
        "filters": dict(filters),
        "rows": rows,
        "step": step,
    }
    if job is not None:
        changes["export"] = job.pk
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type=kind.object_type,
            object_repr=str(kind.title),
            changes=changes,
        )


def export_job_create(
    *,
    actor: User,
    kind: ExportKind,
    fmt: str,
    filters: Mapping[str, str],
    total: int,
    run_now: bool = False,
) -> ExportJob:
    """Queue the export of a list (the worker writes it after the commit), or with `run_now`
    write it before answering. The caller has checked that the actor may export the list.
    The request and its audit row commit first, so that the file is written (when the caller
    holds no transaction) with no write transaction open."""
    if not kind.allowed(actor):
        raise NotAllowed
    with transaction.atomic():
        export_jobs_expire(requested_by=actor)
        job = ExportJob.objects.create(
            requested_by=actor,
            kind=kind.code,
            format=fmt,
            params={"filters": dict(filters), "language": translation.get_language() or ""},
            total=total,
        )
        export_record(
            actor=actor, kind=kind, fmt=fmt, filters=filters, rows=total, step="requested", job=job
        )
        if not run_now:
            from ocrotire.analytics.tasks import export_job_execute

            transaction.on_commit(lambda: export_job_execute.enqueue(job.pk))
    if run_now:
        export_job_run(job.pk)
        job.refresh_from_db()
    return job


def _fail(job_id: int, error: str) -> None:
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.FAILED, error=error[:500], finished_at=timezone.now()
    )


def export_job_run(job_id: int) -> None:
    """Write one queued export; a job another worker took, or that finished, is left alone. The
    list is read again now, with the requester's scope of now.

    No write transaction is held while the file is written: the progress and the beats go
    through `JobBeat`, the file to storage, and the result is recorded in one short UPDATE
    after, only while the job is still this worker's (one marked failed meanwhile stays so)."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    kind = KINDS.get(job.kind)
    user = job.requested_by
    if kind is None or not user.is_active or not kind.allowed(user):
        _fail(job_id, "the requester may no longer export this list")
        return
    filters = dict(job.params.get("filters") or {})
    language = str(job.params.get("language") or settings.LANGUAGE_CODE)

    try:
        with (
            JobBeat(ExportJob, job_id) as beat,
            translation.override(language),
            tempfile.TemporaryFile() as out,
        ):
            qs = kind.query(user=user, params=filters)[0]
            total = qs.count()
            beat.progress(total=total, written=0)
            written = export_write(
                kind=kind,
                fmt=job.format,
                qs=qs,
                out=out,
                progress=lambda done: beat.progress(written=done),
            )
            size = out.tell()
            out.seek(0)
            name = file_name(kind, job.format)
            job.file.save(name, File(out, name=name), save=False)
    except Exception as exc:
        logger.exception("export %s failed", job_id)
        _fail(job_id, str(exc) or exc.__class__.__name__)
        return
    recorded = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.DONE,
        file=job.file.name,
        name=name,
        size=size,
        total=max(total, written),
        written=written,
        heartbeat_at=timezone.now(),
        finished_at=timezone.now(),
        error="",
    )
    if not recorded:
        # Marked failed while it ran (its beats stopped): the person asked again; drop the file.
        job.file.delete(save=False)


def export_job_list(*, user: User) -> QuerySet[ExportJob]:
    """The user's own exports, newest first."""
    return ExportJob.objects.filter(requested_by=user).order_by("-created_at", "-id")


def export_job_get(*, user: User, pk: int | str) -> ExportJob:
    """The user's export, or 404 when it is missing or someone else's."""
    try:
        return export_job_list(user=user).get(pk=pk)
    except (ExportJob.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def export_job_download_record(*, actor: User, job: ExportJob) -> None:
    kind = KINDS.get(job.kind)
    if kind is None:
        raise Http404
    export_record(
        actor=actor,
        kind=kind,
        fmt=job.format,
        filters=job.params.get("filters") or {},
        rows=job.written,
        step="downloaded",
        job=job,
    )


def export_job_file(*, actor: User, pk: int) -> tuple[Any, str, str]:
    """The file of one's own finished export, its name and content type, the download audited
    (404 for someone else's export, or one still being written)."""
    job = export_job_get(user=actor, pk=pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    export_job_download_record(actor=actor, job=job)
    return (
        job.file.open("rb"),
        job.name or file_name(KINDS[job.kind], job.format),
        CONTENT_TYPES.get(job.format, "application/octet-stream"),
    )


def export_jobs_expire(*, now: datetime | None = None, **where: Any) -> int:
    """Mark failed the exports whose worker is gone (`core.jobs.stale_q`: no beat for the
    heartbeat timeout, or never taken from the queue), so that the person waiting sees it and
    asks again rather than watch a progress bar for ever. Run by the deadline watcher and when
    an export is asked for; returns how many."""
    return jobs_expire(
        ExportJob,
        error="the export was not finished: its worker stopped",
        now=now,
        **where,
    )
