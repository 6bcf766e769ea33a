package dev.conveyor.taskapi.api.model;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** {@code taskTypes} (optional): only these types; absent = every type the capabilities allow. */
@Schema(
        example =
                "{\"workerId\":\"gpu-1\",\"capabilities\":[\"wan2gp\"],\"taskTypes\":[\"travel_segment\",\"travel_stitch\"],"
                        + "\"max\":10,\"waitSeconds\":20}")
public record ClaimRequest(
        String workerId, List<String> capabilities, List<String> taskTypes, Integer max, Integer waitSeconds) {}
