-- The deployment's own signing key (used when FOLIO_SIGNING_KEYS is unset), one for
-- every node: URLs signed on one node verify on all of them.
CREATE TABLE signing_key (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    kid text NOT NULL,
    secret text NOT NULL
);
