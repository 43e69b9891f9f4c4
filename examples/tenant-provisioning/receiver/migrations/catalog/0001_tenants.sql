-- The tenants catalog: one row per WorkOS organization (SQLite and PostgreSQL).
CREATE TABLE tenants (
    organization_id TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- SQLite: the file under tenants/; PostgreSQL: the database on the server.
    database_name   TEXT NOT NULL,
    -- provisioning | active | deleted
    status          TEXT NOT NULL CHECK (status IN ('provisioning', 'active', 'deleted')),
    -- Unix seconds.
    created_at      BIGINT NOT NULL,
    provisioned_at  BIGINT,
    deleted_at      BIGINT
);
