-- migrations/schema.sql: the desired schema of the sample application, as
-- SQL. It equals what migrations/versions gives at its head (the seed
-- revision adds rows, not schema), so `migratectl diff` finds nothing to do.
-- Change it, then `migratectl revision --autogenerate -m "..."` writes the
-- revision that gets there (README: "Autogenerate").

-- Org Archivist: a document archive with accounts, API access and prompt
-- templates for the AI assistant.  Everything lives in the public schema.

-- Shared trigger function: keeps updated_at current on every UPDATE.
-- The dollar-quoted body contains ';' and BEGIN/END on purpose: they belong
-- to PL/pgSQL, not to the migration's statement list.
CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    -- Respect an explicit value set by the statement itself; otherwise stamp now().
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION set_updated_at() IS
    'BEFORE UPDATE trigger: sets updated_at = now(); used by every table that has one';

-- People who log in to the archive.
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL,
    display_name  text NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    role          text NOT NULL DEFAULT 'member',
    is_active     boolean NOT NULL DEFAULT true,
    last_login_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_check
        CHECK (email = btrim(email) AND position('@' IN email) > 1),
    CONSTRAINT users_password_hash_check
        CHECK (password_hash <> ''),
    CONSTRAINT users_role_check
        CHECK (role IN ('member', 'editor', 'admin'))
);

-- E-mail addresses are unique whatever their case (no citext needed).
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

COMMENT ON COLUMN users.password_hash IS
    'Argon2id or bcrypt hash in PHC string format; never the password itself';

-- Browser sessions.  Only a SHA-256 of the cookie is stored.
CREATE TABLE user_sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      bigint NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL,
    user_agent   text,
    ip_address   inet,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    CONSTRAINT user_sessions_token_hash_key UNIQUE (token_hash),
    CONSTRAINT user_sessions_token_hash_check
        CHECK (octet_length(token_hash) = 32),
    CONSTRAINT user_sessions_expiry_check
        CHECK (expires_at > created_at)
);

CREATE INDEX user_sessions_user_id_idx ON user_sessions (user_id);
-- The session sweeper only looks at sessions that are still live.
CREATE INDEX user_sessions_expires_at_idx ON user_sessions (expires_at)
    WHERE revoked_at IS NULL;

-- API keys for scripts and integrations.  The key is shown once at creation;
-- afterwards only its prefix (to tell keys apart) and its hash are kept.
CREATE TABLE api_keys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    key_prefix   text NOT NULL,
    key_hash     bytea NOT NULL,
    scopes       text[] NOT NULL DEFAULT '{read}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at   timestamptz,                -- NULL: never expires
    revoked_at   timestamptz,
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
    CONSTRAINT api_keys_user_id_name_key UNIQUE (user_id, name),
    CONSTRAINT api_keys_key_prefix_check
        CHECK (key_prefix ~ '^[A-Za-z0-9_]{6,12}$'),
    CONSTRAINT api_keys_key_hash_check
        CHECK (octet_length(key_hash) = 32),
    CONSTRAINT api_keys_scopes_check
        CHECK (cardinality(scopes) > 0
               AND scopes <@ ARRAY['read', 'write', 'admin']::text[]),
    CONSTRAINT api_keys_expiry_check
        CHECK (expires_at IS NULL OR expires_at > created_at)
);

CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);

-- The archive itself.
CREATE TABLE documents (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id    bigint NOT NULL
        REFERENCES users (id) ON DELETE RESTRICT,
    title       text NOT NULL,
    status      text NOT NULL DEFAULT 'draft',
    content     text NOT NULL DEFAULT '',
    metadata    jsonb NOT NULL DEFAULT '{}',
    -- Full-text search vector, kept in step with title and content.
    search      tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A') ||
        setweight(to_tsvector('english'::regconfig, content), 'B')
    ) STORED,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz,
    CONSTRAINT documents_status_check
        CHECK (status IN ('draft', 'in_review', 'published', 'archived')),
    CONSTRAINT documents_title_check
        CHECK (length(btrim(title)) BETWEEN 1 AND 500),
    CONSTRAINT documents_metadata_check
        CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT documents_archived_at_check
        CHECK ((status = 'archived') = (archived_at IS NOT NULL))
);

CREATE INDEX documents_owner_id_idx ON documents (owner_id);
CREATE INDEX documents_status_updated_at_idx ON documents (status, updated_at DESC);
CREATE INDEX documents_metadata_idx ON documents USING gin (metadata jsonb_path_ops);
CREATE INDEX documents_search_idx ON documents USING gin (search);

CREATE TRIGGER documents_set_updated_at
    BEFORE UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

COMMENT ON TABLE documents IS
    'Archived documents; one row per document, content stored inline -- see metadata for the source';
COMMENT ON COLUMN documents.metadata IS
    'Free-form JSON object: source, author, tags, language, ...';

-- Prompt templates for the assistant.  {{name}} placeholders are listed in
-- "variables" so the UI can ask for them.
CREATE TABLE prompt_templates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    body        text NOT NULL,
    variables   text[] NOT NULL DEFAULT '{}',
    version     integer NOT NULL DEFAULT 1,
    is_active   boolean NOT NULL DEFAULT true,
    created_by  bigint
        REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT prompt_templates_name_key UNIQUE (name),
    CONSTRAINT prompt_templates_name_check
        CHECK (name ~ '^[a-z][a-z0-9_]{0,63}$'),
    CONSTRAINT prompt_templates_body_check
        CHECK (length(body) > 0),
    CONSTRAINT prompt_templates_version_check
        CHECK (version > 0)
);

CREATE TRIGGER prompt_templates_set_updated_at
    BEFORE UPDATE ON prompt_templates
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Application settings that operators may change at run time.
CREATE TABLE system_config (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    description text NOT NULL DEFAULT '',
    updated_by  bigint
        REFERENCES users (id) ON DELETE SET NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT system_config_key_check
        CHECK (key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$')
);

CREATE TRIGGER system_config_set_updated_at
    BEFORE UPDATE ON system_config
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();


-- Writing styles: reusable guidance ("formal, third person, no jargon")
-- that the assistant applies when it drafts or rewrites a document.
CREATE TABLE writing_styles (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    guidelines  text NOT NULL,
    tone        text NOT NULL DEFAULT 'neutral',
    examples    jsonb NOT NULL DEFAULT '[]',
    is_default  boolean NOT NULL DEFAULT false,
    created_by  bigint
        REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT writing_styles_name_check
        CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    CONSTRAINT writing_styles_tone_check
        CHECK (tone IN ('neutral', 'formal', 'friendly', 'technical', 'concise')),
    CONSTRAINT writing_styles_examples_check
        CHECK (jsonb_typeof(examples) = 'array')
);

-- Style names are unique whatever their case.
CREATE UNIQUE INDEX writing_styles_name_lower_key ON writing_styles (lower(name));
-- At most one style is the default.
CREATE UNIQUE INDEX writing_styles_one_default_key ON writing_styles (is_default)
    WHERE is_default;

CREATE TRIGGER writing_styles_set_updated_at
    BEFORE UPDATE ON writing_styles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A document may be written in one style; deleting the style keeps the document.
ALTER TABLE documents
    ADD COLUMN writing_style_id bigint,
    ADD CONSTRAINT documents_writing_style_id_fkey
        FOREIGN KEY (writing_style_id) REFERENCES writing_styles (id)
        ON DELETE SET NULL;

CREATE INDEX documents_writing_style_id_idx ON documents (writing_style_id)
    WHERE writing_style_id IS NOT NULL;

