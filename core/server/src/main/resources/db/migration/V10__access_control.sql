-- Access control. A token is stored as its SHA-256 only (a token is 32 random bytes: a hash without salt
-- cannot be searched backwards), with its first characters for people to recognise it by. A name is never
-- reused, so the change log's "token:<name>" names one token for all time.
create table api_token (
    id           uuid primary key,
    name         text not null unique check (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    role         text not null check (role in ('reader', 'writer', 'admin')),
    prefix       text not null,
    hash         bytea not null unique check (octet_length(hash) = 32),
    created_at   timestamptz not null,
    created_by   text not null,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    revoked_by   text,
    last_used_at timestamptz
);

-- What a reader or writer token may do per namespace ('*': every namespace). An admin needs none.
create table api_grant (
    token_id   uuid not null references api_token (id),
    namespace  text not null check (octet_length(namespace) between 1 and 256),
    privilege  text not null check (privilege in ('read', 'write', 'promote')),
    granted_at timestamptz not null,
    granted_by text not null,
    primary key (token_id, namespace)
);

-- Aliases only a promote grant may move or remove (a model's 'production', say).
create table protected_alias (
    model_id     uuid not null references model (id),
    name         text not null check (octet_length(name) between 1 and 128),
    protected_at timestamptz not null,
    protected_by text not null,
    primary key (model_id, name)
);

-- A request stored by a queued receiver instance is written later with the identity it came with: who sent it
-- (the token's actor, or null for the instance itself) and the namespaces it may write and promote in.
alter table intake_queue add column actor text, add column write_namespaces text[], add column promote_namespaces text[];
