"""The job marks of this process (`state.stores.JobMarks`): files in the data
directory, or the `job_marks` table with FOLIO_DATABASE_URL."""

from __future__ import annotations

from service.config import Settings
from service.jobs.reconcile import OpenJobs
from service.state.pg_marks import PgJobMarks
from service.state.stores import JobMarks, database_for


def marks_for(settings: Settings) -> JobMarks:
    db = database_for(settings)
    return PgJobMarks(db) if db is not None else OpenJobs(settings.data_dir)
