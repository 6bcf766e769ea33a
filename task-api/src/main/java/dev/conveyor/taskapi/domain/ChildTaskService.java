package dev.conveyor.taskapi.domain;

import dev.conveyor.contracts.EventTypes;
import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.api.model.ChildItem;
import dev.conveyor.taskapi.api.model.CreateChild;
import dev.conveyor.taskapi.api.model.CreateChildren;
import dev.conveyor.taskapi.domain.TaskInput.Validated;
import dev.conveyor.taskapi.domain.TaskService.Created;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.PipelineStore;
import dev.conveyor.taskapi.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Children a worker creates under the task it leases (one, or a batch of 1..{@value #MAX_CHILDREN} in one transaction,
 * all or none): in the parent's project for the parent's user, their cost drawn from the parent's spawn budget (what
 * the parent's create held for them), task.created in the same transaction. The idempotency key is scoped to the
 * parent: a retried parent (a new lease) gets the children its earlier attempt created, and one that was cancelled or
 * failed is revived when the parent's budget holds its cost again (the parent was retried after a cascade).
 */
@ApplicationScoped
public class ChildTaskService {
    public static final int MAX_CHILDREN = 100;

    private final Pool pool;
    private final TaskStore tasks;
    private final PipelineStore pipelines;
    private final OutboxStore outbox;
    private final TaskService taskService;
    private final TaskInput input;

    public ChildTaskService(
            Pool pool,
            TaskStore tasks,
            PipelineStore pipelines,
            OutboxStore outbox,
            TaskService taskService,
            TaskInput input) {
        this.pool = pool;
        this.tasks = tasks;
        this.pipelines = pipelines;
        this.outbox = outbox;
        this.taskService = taskService;
        this.input = input;
    }

    public Uni<Created> createChild(UUID parentId, CreateChild req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        ChildItem item = new ChildItem(
                req.taskType(), req.params(), req.dependsOn(), null, req.priority(), req.idempotencyKey());
        return create(parentId, req.workerId(), req.leaseToken(), List.of(item), false)
                .map(created -> created.get(0));
    }

    public Uni<List<Created>> createChildren(UUID parentId, CreateChildren req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        if (req.children() == null || req.children().isEmpty() || req.children().size() > MAX_CHILDREN) {
            throw ProblemException.validation("children must hold 1 to " + MAX_CHILDREN + " items");
        }
        return create(parentId, req.workerId(), req.leaseToken(), req.children(), true);
    }

    private Uni<List<Created>> create(
            UUID parentId, String workerId, UUID leaseToken, List<ChildItem> items, boolean batch) {
        String worker = Leases.workerId(workerId);
        UUID token = Leases.token(leaseToken);
        List<Validated> validated = new ArrayList<>(items.size());
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String at = "children[" + i + "]";
            try {
                validated.add(validate(items.get(i), i, keys));
            } catch (ProblemException e) {
                throw batch ? e.at(at) : e;
            }
        }
        Uni<List<Created>> attempt = inTransaction(parentId, worker, token, items, validated, batch);
        if (keys.isEmpty()) {
            return attempt;
        }
        // A concurrent create won the race for one of the keys: run again, that key now answers its child.
        return attempt.onFailure(TaskService::uniqueViolation)
                .recoverWithUni(() -> inTransaction(parentId, worker, token, items, validated, batch));
    }

    private Validated validate(ChildItem item, int index, Set<String> keys) {
        if (item == null) {
            throw ProblemException.validation("a child is required");
        }
        Validated v = input.validate(
                item.taskType(), item.params(), item.priority(), item.dependsOn(), item.idempotencyKey());
        for (Integer j : item.dependsOnItems() == null ? List.<Integer>of() : item.dependsOnItems()) {
            if (j == null || j < 0 || j >= index) {
                throw ProblemException.validation(
                        "dependsOnItems must name earlier children of the batch (0 to " + (index - 1) + ")");
            }
        }
        if (v.key() != null && !keys.add(v.key())) {
            throw ProblemException.validation("idempotencyKey appears more than once in the batch");
        }
        return v;
    }

    private Uni<List<Created>> inTransaction(
            UUID parentId, String worker, UUID token, List<ChildItem> items, List<Validated> validated, boolean batch) {
        return pool.withTransaction(c -> tasks.findLeased(c, parentId, worker, token)
                .chain(parent -> {
                    if (parent == null) {
                        return leaseRefused(c, parentId);
                    }
                    return createFrom(c, parent, items, validated, 0, new ArrayList<>(), batch);
                }));
    }

    /** Creates items[i..] one after the other (one connection, so no parallel statements), appending to {@code out}. */
    private Uni<List<Created>> createFrom(
            SqlClient c,
            Task parent,
            List<ChildItem> items,
            List<Validated> validated,
            int i,
            List<Created> out,
            boolean batch) {
        if (i == items.size()) {
            return Uni.createFrom().item(out);
        }
        Validated v = withItemDependencies(validated.get(i), items.get(i), out);
        Uni<Task> existing =
                v.key() == null ? Uni.createFrom().nullItem() : tasks.findChildByKey(c, parent.id(), v.key());
        return existing.chain(found -> found != null
                        ? replay(c, parent, found)
                        : taskService
                                .insert(c, parent.userId(), parent.projectId(), v, parent.id(), null, v.key(), true)
                                .chain(inserted -> outbox.insert(c, inserted.events())
                                        .replaceWith(new Created(inserted.task(), false))))
                .onFailure(ProblemException.class)
                .transform(e -> batch ? ((ProblemException) e).at("children[" + i + "]") : e)
                .chain(created -> {
                    out.add(created);
                    return createFrom(c, parent, items, validated, i + 1, out, batch);
                });
    }

    /** The item's dependencies with the ids of the earlier children it names by index. */
    private static Validated withItemDependencies(Validated v, ChildItem item, List<Created> earlier) {
        if (item.dependsOnItems() == null || item.dependsOnItems().isEmpty()) {
            return v;
        }
        Set<UUID> deps = new LinkedHashSet<>(v.deps());
        item.dependsOnItems().forEach(j -> deps.add(earlier.get(j).task().id()));
        if (deps.size() > TaskInput.MAX_DEPENDENCIES) {
            throw ProblemException.validation("at most " + TaskInput.MAX_DEPENDENCIES + " dependencies");
        }
        return v.withDependencies(deps);
    }

    /**
     * A child with this key exists: answered as it is, unless it failed or was cancelled and its cost (with whatever did
     * not complete below it) fits in the parent's spawn budget: then it is queued again (or waiting) drawing that from
     * the parent, attempts from 0 (task.requeued). A child whose dependencies failed stays as it is.
     */
    private Uni<Created> replay(SqlClient c, Task parent, Task child) {
        Created asIs = new Created(child, true);
        boolean ended = TaskStatus.FAILED.equals(child.status()) || TaskStatus.CANCELLED.equals(child.status());
        if (!ended) {
            return Uni.createFrom().item(asIs);
        }
        return pipelines.share(c, child.id()).chain(share -> {
            if (!share.fromParent()) {
                return Uni.createFrom().item(asIs);
            }
            return taskService
                    .dependenciesStatus(
                            c, child.userId(), child.projectId(), new LinkedHashSet<>(child.dependsOn()), null)
                    .onFailure(ProblemException.class)
                    .recoverWithNull()
                    .chain(status -> status == null
                            ? Uni.createFrom().item(asIs)
                            : pipelines.unpaidDescendants(c, child.id()).chain(unpaid -> {
                                long cost = Math.addExact(share.cost(), unpaid);
                                return pipelines
                                        .drawBudget(c, parent.id(), cost)
                                        .chain(drawn -> !drawn
                                                ? Uni.createFrom().item(asIs)
                                                : tasks.retry(
                                                                c,
                                                                child.id(),
                                                                status,
                                                                cost,
                                                                share.spawnBudget() + unpaid,
                                                                true)
                                                        .chain(task -> outbox.insert(
                                                                        c,
                                                                        List.of(Events.task(
                                                                                EventTypes.TASK_REQUEUED, task)))
                                                                .replaceWith(new Created(task, true))));
                            }));
        });
    }

    private Uni<List<Created>> leaseRefused(SqlClient c, UUID parentId) {
        return tasks.find(c, parentId).map(t -> {
            if (t == null) {
                throw ProblemException.notFound("task " + parentId);
            }
            throw TaskProblems.leaseLost("task " + parentId + " is " + t.status()
                    + " and this worker does not hold its current, unexpired lease");
        });
    }
}
