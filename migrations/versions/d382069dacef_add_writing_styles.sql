-- revision: d382069dacef
-- down_revision: 2e0140e533a8
-- message: add writing styles
-- create_date: 2025-10-02 09:30:00+00
-- lint_allow: foreign-key-without-not-valid the column is added by the same ALTER, NULL in every row: its check reads documents once under the lock ADD COLUMN takes anyway (a large documents table would take ADD ... NOT VALID, then VALIDATE in a later revision)
-- lint_allow: index-not-concurrent the sample's documents table is small when this runs; on a large one, build documents_writing_style_id_idx CONCURRENTLY in a transactional: false revision

-- +upgrade

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

-- +downgrade

-- Dropping the column also drops its foreign key and index.
ALTER TABLE documents DROP COLUMN writing_style_id;
DROP TABLE writing_styles;
