-- A tenant's own schema, applied to each tenant database (SQLite and PostgreSQL).
CREATE TABLE projects (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
