package dev.conveyor.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.chaos.History.AccountRow;
import dev.conveyor.chaos.History.GenerationEvent;
import dev.conveyor.chaos.History.GenerationRow;
import dev.conveyor.chaos.History.LedgerEntry;
import dev.conveyor.chaos.History.ShotLink;
import dev.conveyor.chaos.History.TaskEvent;
import dev.conveyor.chaos.History.TaskRow;
import dev.conveyor.contracts.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds small histories by hand for the checkers' tests: a healthy one, then each test breaks one thing. */
final class Histories {
    final UUID user = UUID.randomUUID();
    final UUID project = UUID.randomUUID();
    final UUID shot = UUID.randomUUID();
    final List<TaskRow> tasks = new ArrayList<>();
    final List<TaskEvent> taskEvents = new ArrayList<>();
    final List<GenerationEvent> generationEvents = new ArrayList<>();
    final List<LedgerEntry> ledger = new ArrayList<>();
    final List<AccountRow> accounts = new ArrayList<>();
    final List<GenerationRow> generations = new ArrayList<>();
    final List<ShotLink> links = new ArrayList<>();
    final List<History.Lag> lags = new ArrayList<>();
    final List<String> deadLetters = new ArrayList<>();
    final ClientLog client = new ClientLog();
    final Map<UUID, ProjectView> cached = new HashMap<>();
    final Map<UUID, ProjectView> truth = new HashMap<>();
    private long offset;
    private long ledgerId;

    Histories() {
        ledger.add(new LedgerEntry(++ledgerId, user, "grant", 100, null));
    }

    static JsonNode params(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A single_image the client created into the shot that completed on its first attempt, paid, with its generation. */
    TaskRow completedImage() {
        UUID id = UUID.randomUUID();
        UUID gen = UUID.randomUUID();
        TaskRow t = new TaskRow(
                id,
                user,
                project,
                "single_image",
                "complete",
                1,
                3,
                null,
                params("{\"prompt\":\"x\",\"num_images\":1,\"shot_id\":\"" + shot + "\"}"),
                null,
                gen,
                shot,
                1,
                null);
        tasks.add(t);
        client.created(
                new ClientLog.Created(id, new Op(tasks.size(), Op.Kind.IMAGE, 0, 0, 1, 0, -1), user, project, shot));
        event(id, "task.created", "queued", 0, null);
        event(id, "task.claimed", "in_progress", 1, "w1");
        event(id, "task.completed", "complete", 1, "w1");
        ledger.add(new LedgerEntry(++ledgerId, user, "hold", 1, id));
        ledger.add(new LedgerEntry(++ledgerId, user, "capture", 1, id));
        generations.add(new GenerationRow(gen, id, project, "image", false));
        generationEvents.add(new GenerationEvent(UUID.randomUUID(), "generation.created", gen, null, false));
        generationEvents.add(new GenerationEvent(UUID.randomUUID(), "shot-generation.changed", gen, shot, true));
        links.add(new ShotLink(shot, gen));
        return t;
    }

    /** A no-op the client created that failed permanently... as a no-op cannot: used for unexplained failures. */
    TaskRow task(String type, String status, int attempts, String params) {
        return task(type, status, attempts, params, null);
    }

    /** The same, its lease held as {@code lease} describes ("worker-2 until +30 s"). */
    TaskRow task(String type, String status, int attempts, String params, String lease) {
        UUID id = UUID.randomUUID();
        TaskRow t = new TaskRow(
                id, user, project, type, status, attempts, 3, null, params(params), null, null, null, 1, lease);
        tasks.add(t);
        client.created(
                new ClientLog.Created(id, new Op(tasks.size(), Op.Kind.NOOP, 0, -1, 1, 0, -1), user, project, null));
        return t;
    }

    void event(UUID task, String type, String status, int attempts, String worker) {
        taskEvents.add(new TaskEvent(UUID.randomUUID(), type, task, status, attempts, worker, 0, offset++));
    }

    void account() {
        long grants = 0;
        long captures = 0;
        long holds = 0;
        long releases = 0;
        for (LedgerEntry e : ledger) {
            switch (e.kind()) {
                case "grant" -> grants += e.amount();
                case "capture" -> captures += e.amount();
                case "hold" -> holds += e.amount();
                default -> releases += e.amount();
            }
        }
        accounts.add(new AccountRow(user, grants - captures, holds - captures - releases));
    }

    History history() {
        return new History(
                tasks,
                taskEvents,
                generationEvents,
                ledger,
                accounts,
                generations,
                links,
                lags,
                deadLetters,
                client,
                cached,
                truth);
    }
}
