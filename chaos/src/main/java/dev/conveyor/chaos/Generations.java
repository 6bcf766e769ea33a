package dev.conveyor.chaos;

import dev.conveyor.chaos.History.GenerationEvent;
import dev.conveyor.chaos.History.GenerationRow;
import dev.conveyor.chaos.History.ShotLink;
import dev.conveyor.chaos.History.TaskRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Exactly one generation per completed generating task ({@code single_image} -> image, {@code travel_stitch} ->
 * video), of its project, named back on the task ({@code generationId}); none for any other task; one
 * {@code generation.created} per generation on the topic; and every completed task with a shot linked to that shot
 * exactly once (one link, one {@code shot-generation.changed linked}), no other link.
 */
final class Generations implements Invariant {
    static final Map<String, String> GENERATING = Map.of("single_image", "image", "travel_stitch", "video");

    @Override
    public String name() {
        return "generations: one per completed generating task, none for others, each shot link once";
    }

    @Override
    public List<Violation> check(History h) {
        List<Violation> out = new ArrayList<>();
        Map<UUID, List<GenerationRow>> byTask = h.generations().stream()
                .filter(g -> !g.deleted())
                .collect(Collectors.groupingBy(GenerationRow::taskId));
        Map<UUID, TaskRow> tasks = new HashMap<>();
        h.tasks().forEach(t -> tasks.put(t.id(), t));
        Set<ShotLink> expectedLinks = new HashSet<>();
        for (TaskRow t : h.tasks()) {
            List<GenerationRow> gens = byTask.getOrDefault(t.id(), List.of());
            String type = GENERATING.get(t.taskType());
            boolean should = type != null && t.status().equals("complete");
            if (!should) {
                if (!gens.isEmpty()) {
                    out.add(v("task " + t.id() + " (" + t.taskType() + ", " + t.status() + ") has generation(s) "
                            + ids(gens) + " but should have none"));
                }
                continue;
            }
            if (gens.size() != 1) {
                out.add(v("completed task " + t.id() + " (" + t.taskType() + ") has " + gens.size() + " generations "
                        + ids(gens) + ", expected exactly 1"));
                continue;
            }
            GenerationRow g = gens.get(0);
            if (!g.type().equals(type) || !g.projectId().equals(t.projectId())) {
                out.add(v("generation " + g.id() + " of task " + t.id() + " is " + g.type() + " in project "
                        + g.projectId() + ", expected " + type + " in " + t.projectId()));
            }
            if (!g.id().equals(t.generationId())) {
                out.add(v("task " + t.id() + " names generation " + t.generationId() + " but its generation is "
                        + g.id() + " (generation.created not applied by task-api)"));
            }
            if (t.shotId() != null) {
                expectedLinks.add(new ShotLink(t.shotId(), g.id()));
            }
        }
        for (GenerationRow g : h.generations()) {
            if (!tasks.containsKey(g.taskId())) {
                out.add(v("generation " + g.id() + " names task " + g.taskId() + " that task-api does not know"));
            }
        }
        Map<UUID, Long> created = new HashMap<>();
        Set<UUID> seenCreated = new HashSet<>();
        for (GenerationEvent e : h.generationEvents()) {
            if (e.type().equals("generation.created") && seenCreated.add(e.eventId())) {
                created.merge(e.generationId(), 1L, Long::sum);
            }
        }
        for (GenerationRow g : h.generations()) {
            long n = created.getOrDefault(g.id(), 0L);
            if (n != 1) {
                out.add(v("generation " + g.id() + " (task " + g.taskId() + ") was announced by " + n
                        + " generation.created events, expected 1"));
            }
        }
        Set<ShotLink> links = new HashSet<>(h.shotLinks());
        for (ShotLink l : expectedLinks) {
            if (!links.contains(l)) {
                out.add(v("generation " + l.generationId() + " is not linked to its task's shot " + l.shotId()));
            }
        }
        for (ShotLink l : h.shotLinks()) {
            if (!expectedLinks.contains(l)) {
                out.add(v("unexpected link of generation " + l.generationId() + " to shot " + l.shotId()));
            }
        }
        Map<ShotLink, Long> linkedEvents = new HashMap<>();
        Set<UUID> seen = new HashSet<>();
        for (GenerationEvent e : h.generationEvents()) {
            if (e.type().equals("shot-generation.changed") && e.linked() && seen.add(e.eventId())) {
                linkedEvents.merge(new ShotLink(e.shotId(), e.generationId()), 1L, Long::sum);
            }
        }
        for (ShotLink l : expectedLinks) {
            long n = linkedEvents.getOrDefault(l, 0L);
            if (n != 1) {
                out.add(v("link of generation " + l.generationId() + " to shot " + l.shotId() + " announced " + n
                        + " times, expected once"));
            }
        }
        return out;
    }

    private static String ids(List<GenerationRow> gens) {
        return gens.stream().map(g -> g.id().toString()).toList().toString();
    }

    private Violation v(String detail) {
        return new Violation(name(), detail);
    }
}
