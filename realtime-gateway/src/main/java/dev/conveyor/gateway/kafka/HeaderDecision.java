package dev.conveyor.gateway.kafka;

import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.Topics;
import dev.conveyor.gateway.domain.Change;
import dev.conveyor.gateway.domain.KeyMapper;
import dev.conveyor.kit.kafka.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * What an event means to clients, decided from its record's headers and key without parsing its value (docs/events.md
 * "Headers"): a task event's project is its key, its task the {@code ce_subject} header, a completion's shot the
 * {@code conveyor_shot_id} header; an account event's user is its key. Most of what the gateway reads (every task and
 * credit change of a drain) is decided here; the value is parsed only for the generation and shot events, whose keys
 * come from their data, and for records without these headers (older producers, tests' plain producers).
 */
record HeaderDecision(Optional<Change> change, Instant occurredAt) {

    /** The decision, or null when the headers do not suffice and the value must be parsed. */
    static HeaderDecision of(ConsumerRecord<byte[], byte[]> record) {
        Headers headers = record.headers();
        String type = RecordHeaders.text(headers, EventHeaders.TYPE);
        String time = RecordHeaders.text(headers, EventHeaders.TIME);
        if (type == null || time == null || KeyMapper.needsValue(type)) {
            return null;
        }
        Instant occurredAt;
        try {
            occurredAt = Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null;
        }
        UUID keyId =
                record.key() == null ? null : KeyMapper.uuidOrNull(new String(record.key(), StandardCharsets.UTF_8));
        if (record.topic().equals(Topics.TASK_EVENTS)) {
            String subject = RecordHeaders.text(headers, EventHeaders.SUBJECT);
            boolean completion = EventTypes.TASK_COMPLETED.equals(type);
            if (keyId == null
                    || subject == null
                    || (completion && RecordHeaders.text(headers, EventHeaders.GENERATION_TYPE) == null)) {
                return null;
            }
            UUID shot = completion ? KeyMapper.uuidOrNull(RecordHeaders.text(headers, EventHeaders.SHOT_ID)) : null;
            return new HeaderDecision(
                    KeyMapper.taskFromHeaders(type, keyId, KeyMapper.uuidOrNull(subject), shot), occurredAt);
        }
        if (record.topic().equals(Topics.ACCOUNT_EVENTS)) {
            return keyId == null ? null : new HeaderDecision(KeyMapper.accountFromHeaders(type, keyId), occurredAt);
        }
        return null;
    }
}
