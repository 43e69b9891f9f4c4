CREATE TABLE members (
    user_id   TEXT PRIMARY KEY,
    role      TEXT NOT NULL DEFAULT 'member',
    joined_at BIGINT NOT NULL
);

CREATE INDEX members_role ON members (role);
