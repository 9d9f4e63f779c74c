"""Job marks in PostgreSQL (FOLIO_DATABASE_URL): the `job_marks` table, the same
marks `jobs.reconcile.OpenJobs` keeps as files — one per job submitted to Redis
whose record is not done yet, with when it was marked."""

from __future__ import annotations

import time

from service.state.database import Database


class PgJobMarks:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, processing_id: str) -> None:
        self.db.run(lambda conn: conn.execute(
            "INSERT INTO job_marks (processing_id, marked_at) VALUES ($1, $2) "
            "ON CONFLICT (processing_id) DO UPDATE SET marked_at = EXCLUDED.marked_at",
            processing_id, time.time()))

    def remove(self, processing_id: str) -> None:
        self.db.run(lambda conn: conn.execute(
            "DELETE FROM job_marks WHERE processing_id = $1", processing_id))

    def listing(self) -> list[tuple[str, float]]:
        rows = self.db.run(lambda conn: conn.fetch(
            "SELECT processing_id, marked_at FROM job_marks"), retry=True)
        return [(row["processing_id"], row["marked_at"]) for row in rows]
