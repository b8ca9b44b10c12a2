"""Background jobs of analytics. Jobs take ids, are idempotent, and are enqueued on commit.

They stay at the app's root, not in exports/: the database backend keeps each queued job by this
module's path, and a job queued before an upgrade must still find its function after it."""

from __future__ import annotations

from django_tasks import task


@task()
def export_job_execute(job_id: int) -> None:
    """Write one export of a list; a job already taken or finished is left alone."""
    from ocrotire.analytics.exports.jobs import export_job_run

    export_job_run(job_id)
