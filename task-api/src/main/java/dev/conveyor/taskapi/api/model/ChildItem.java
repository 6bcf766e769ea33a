package dev.conveyor.taskapi.api.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;

/**
 * One child of a batch: a child create's fields, and {@code dependsOnItems}, indexes of earlier children of the same
 * batch it depends on (their ids are not known before the batch commits).
 */
public record ChildItem(
        String taskType,
        JsonNode params,
        List<UUID> dependsOn,
        List<Integer> dependsOnItems,
        Integer priority,
        String idempotencyKey) {}
