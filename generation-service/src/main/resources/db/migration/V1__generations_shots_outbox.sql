-- generation-service owns this database (conveyor_generations). No other service reads it.

-- Who owns each project, from the compacted `projects` topic. Used for REST authorization only.
create table projects (
    id          uuid primary key,
    owner_id    uuid        not null,
    name        text,
    deleted     boolean     not null default false,
    updated_at  timestamptz not null default now()
);

-- One generation per completed generating task (task_id unique: redelivery creates nothing twice).
-- Deleting a generation keeps the row (deleted_at) so a late redelivery of its completion cannot bring it back.
create table generations (
    id          uuid primary key,
    project_id  uuid        not null,
    task_id     uuid        not null unique,
    task_ids    uuid[]      not null,
    type        text        not null check (type in ('image', 'video')),
    location    text        not null,
    metadata    jsonb,
    params      jsonb,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    deleted_at  timestamptz
);
create index generations_project_newest on generations (project_id, created_at desc, id desc) where deleted_at is null;
create index generations_task_ids on generations using gin (task_ids);

create table shots (
    id          uuid primary key,
    project_id  uuid        not null,
    name        text        not null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);
create index shots_project on shots (project_id, created_at);

-- A generation placed in a shot; position null = unpositioned.
create table shot_generations (
    shot_id       uuid        not null references shots (id) on delete cascade,
    generation_id uuid        not null references generations (id) on delete cascade,
    position      integer     check (position >= 0),
    created_at    timestamptz not null default now(),
    primary key (shot_id, generation_id)
);
create index shot_generations_generation on shot_generations (generation_id);
create index shot_generations_unpositioned on shot_generations (shot_id) where position is null;

-- Every consumed event that changed (or deliberately did not change) something, in the same transaction as the change.
create table processed_events (
    event_id      uuid primary key,
    topic         text        not null,
    kafka_partition integer   not null,
    kafka_offset  bigint      not null,
    event_type    text        not null,
    task_id       uuid,
    generation_id uuid,
    outcome       text        not null,
    detail        text,
    processed_at  timestamptz not null default now()
);
create index processed_events_task on processed_events (task_id);

-- Transactional outbox, relayed to Kafka in id order by one relay at a time (advisory lock).
create table outbox (
    id            bigserial primary key,
    topic         text        not null,
    record_key    text        not null,
    event_id      uuid        not null unique,
    event_type    text        not null,
    payload       text        not null,
    created_at    timestamptz not null default now(),
    published_at  timestamptz
);
create index outbox_unpublished on outbox (id) where published_at is null;
