-- What consumers filter on without parsing an event (its type; for task events the task type, status and runAfter),
-- as a flat JSON object of text values; the outbox relay copies it onto the Kafka record as headers (EventHeaders in
-- contracts). Null = no headers (rows written before this column). A dead letter keeps its row's headers so a redrive
-- publishes them again. Same shape in every service.
ALTER TABLE outbox ADD COLUMN headers jsonb;
ALTER TABLE outbox_dead_letters ADD COLUMN headers jsonb;
