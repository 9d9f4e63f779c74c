-- folio's state in PostgreSQL: processing records, API keys, share tokens, job marks.
-- Times a Record carries are unix seconds (double precision), as in record.json, so a
-- record reads back exactly as it was written; to_timestamp() shows them as dates.

CREATE TABLE processings (
    processing_id uuid PRIMARY KEY,
    tenant text NOT NULL,
    workflow text NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL,
    completed_at double precision,
    error text,
    parameters jsonb NOT NULL DEFAULT '{}',
    source_kind text,
    pages jsonb NOT NULL DEFAULT '[]',      -- [[width, height], ...], page 1 first
    results jsonb NOT NULL DEFAULT '[]',    -- hyphenated result names
    sub_pdfs jsonb NOT NULL DEFAULT '[]',   -- file names, index 0 first
    version text NOT NULL,
    attempts integer NOT NULL DEFAULT 0
);
-- retention: finished processings by age
CREATE INDEX processings_completed ON processings (completed_at) WHERE completed_at IS NOT NULL;

CREATE TABLE api_keys (
    key_id text PRIMARY KEY,
    tenant text NOT NULL,
    digest text NOT NULL UNIQUE,             -- sha256 of the secret; the secret is not kept
    created date NOT NULL,
    expires date,                            -- last valid day (UTC)
    revoked boolean NOT NULL DEFAULT false
);

CREATE TABLE share_tokens (
    uuid uuid PRIMARY KEY,
    digest text NOT NULL UNIQUE,             -- sha256 of the token: what a request looks up
    token text NOT NULL,                     -- listed again by the API, as in the files
    document_id text NOT NULL,
    tenant_id text NOT NULL,
    expires_at date NOT NULL,
    issuer_user_id text NOT NULL,
    created_at text NOT NULL,
    last_used_at text
);
CREATE INDEX share_tokens_tenant ON share_tokens (tenant_id, created_at);

-- jobs submitted to Redis whose records are not done yet (jobs/reconcile.py)
CREATE TABLE job_marks (
    processing_id text PRIMARY KEY,
    marked_at double precision NOT NULL
);
