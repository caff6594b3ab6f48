-- revision: 212c31d97f11
-- down_revision: d382069dacef
-- message: seed data
-- create_date: 2025-10-20 14:00:00+00

-- +upgrade

-- Default settings.  Operators change them later with UPDATE; the downgrade
-- removes exactly these keys, whatever their values have become.
INSERT INTO system_config (key, value, description) VALUES
    ('app.name',                        '"Org Archivist"',
     'Name shown in the page title and in e-mails'),
    ('app.default_locale',              '"en-GB"',
     'Locale for dates and numbers when the user has not chosen one'),
    ('auth.session_ttl_hours',          '336',
     'Lifetime of a browser session (14 days)'),
    ('auth.password_min_length',        '12',
     'Minimum password length; longer is better, composition rules are not enforced'),
    ('auth.api_key_default_scopes',     '["read"]',
     'Scopes given to a new API key unless the user picks others'),
    ('documents.max_content_bytes',     '10485760',
     'Largest document body accepted (10 MiB)'),
    ('documents.retention_days',        '{"archived": 3650, "draft": 365}',
     'How long documents are kept, per status; statuses not listed are kept forever'),
    ('search.language',                 '"english"',
     'Text search configuration; must match the one in documents.search'),
    ('assistant.enabled',               'true',
     'Whether the writing assistant is offered at all'),
    ('assistant.max_prompt_chars',      '24000',
     'Documents longer than this are truncated before they are sent to the model');

-- Prompt templates.  The bodies use a mix of quoting styles on purpose
-- (doubled quotes, E'' escapes, dollar quotes containing ';' and '--').
INSERT INTO prompt_templates (name, description, body, variables) VALUES
    ('summarize_document',
     'Short neutral summary of one document',
     E'Summarize the following document in at most {{max_sentences}} sentences.\n' ||
     'Keep names, dates and figures exactly as written; don''t speculate.' ||
     E'\n\nTitle: {{title}}\n\n{{content}}',
     '{max_sentences,title,content}'),
    ('extract_keywords',
     'Keywords for the metadata "tags" field',
     $prompt$List 5 to 10 keywords for the document below; one per line, lower case,
no numbering -- and nothing else.

{{content}}$prompt$,
     '{content}'),
    ('suggest_title',
     'Proposes a title for an untitled draft',
     $$Suggest one title (at most 12 words; no quotes; no trailing full stop) for:

{{content}}$$,
     '{content}'),
    ('rewrite_in_style',
     'Rewrites a passage following a writing style',
     E'Rewrite the text below following these guidelines:\n{{guidelines}}\n\n' ||
     E'Tone: {{tone}}. Keep the meaning; change only the wording.\n\n{{content}}',
     '{guidelines,tone,content}');

-- +downgrade

-- Delete exactly the rows inserted above, by their natural keys; rows that
-- users added afterwards stay.
DELETE FROM prompt_templates
 WHERE name IN ('summarize_document',
                'extract_keywords',
                'suggest_title',
                'rewrite_in_style');

DELETE FROM system_config
 WHERE key IN ('app.name',
               'app.default_locale',
               'auth.session_ttl_hours',
               'auth.password_min_length',
               'auth.api_key_default_scopes',
               'documents.max_content_bytes',
               'documents.retention_days',
               'search.language',
               'assistant.enabled',
               'assistant.max_prompt_chars');
