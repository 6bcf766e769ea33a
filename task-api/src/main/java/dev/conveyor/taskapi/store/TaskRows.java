package dev.conveyor.taskapi.store;

import dev.conveyor.taskapi.domain.Task;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** The select list of a task row ({@link #COLS}) and its mapping to a {@link Task}, for every store's task query. */
final class TaskRows {
    static final String COLS =
            "id, project_id, user_id, task_type, params::text AS params_json, status, priority, cost, attempts, "
                    + "max_attempts, progress, progress_message, worker_id, output_location, metadata::text AS metadata_json, error_message, "
                    + "generation_id, generation_type, shot_id, depends_on, parent_task_id, created_at, updated_at, claimed_at, completed_at, "
                    + "run_after, lease_token, lease_expires_at";
    static final String T_COLS = COLS.replaceAll("(^|, )([a-z_]+)", "$1t.$2");

    // Each column's place in COLS: rows map by position, not by name (a name is looked up by a linear search over the
    // row's 28 column names, ~400 string comparisons per task row; TaskRowsTest holds these to COLS).
    static final int ID = 0;
    static final int PROJECT_ID = 1;
    static final int USER_ID = 2;
    static final int TASK_TYPE = 3;
    static final int PARAMS = 4;
    static final int STATUS = 5;
    static final int PRIORITY = 6;
    static final int COST = 7;
    static final int ATTEMPTS = 8;
    static final int MAX_ATTEMPTS = 9;
    static final int PROGRESS = 10;
    static final int PROGRESS_MESSAGE = 11;
    static final int WORKER_ID = 12;
    static final int OUTPUT_LOCATION = 13;
    static final int METADATA = 14;
    static final int ERROR_MESSAGE = 15;
    static final int GENERATION_ID = 16;
    static final int GENERATION_TYPE = 17;
    static final int SHOT_ID = 18;
    static final int DEPENDS_ON = 19;
    static final int PARENT_TASK_ID = 20;
    static final int CREATED_AT = 21;
    static final int UPDATED_AT = 22;
    static final int CLAIMED_AT = 23;
    static final int COMPLETED_AT = 24;
    static final int RUN_AFTER = 25;
    static final int LEASE_TOKEN = 26;
    static final int LEASE_EXPIRES_AT = 27;
    /** How many columns COLS has: the place of a column selected after them. */
    static final int COLUMNS = 28;

    /** A row whose select list starts with {@link #COLS} (or {@link #T_COLS}) as a task. */
    static Task task(Row r) {
        UUID[] deps = r.getArrayOfUUIDs(DEPENDS_ON);
        return new Task(
                r.getUUID(ID),
                r.getUUID(PROJECT_ID),
                r.getUUID(USER_ID),
                r.getString(TASK_TYPE),
                Sql.json(r, PARAMS),
                r.getString(STATUS),
                r.getInteger(PRIORITY),
                r.getLong(COST),
                r.getInteger(ATTEMPTS),
                r.getInteger(MAX_ATTEMPTS),
                r.getInteger(PROGRESS),
                r.getString(PROGRESS_MESSAGE),
                r.getString(WORKER_ID),
                r.getString(OUTPUT_LOCATION),
                Sql.json(r, METADATA),
                r.getString(ERROR_MESSAGE),
                r.getUUID(GENERATION_ID),
                r.getString(GENERATION_TYPE),
                r.getUUID(SHOT_ID),
                deps == null ? List.of() : Arrays.asList(deps),
                r.getUUID(PARENT_TASK_ID),
                Sql.instant(r, CREATED_AT),
                Sql.instant(r, UPDATED_AT),
                Sql.instant(r, CLAIMED_AT),
                Sql.instant(r, COMPLETED_AT),
                Sql.instant(r, RUN_AFTER),
                null,
                null,
                r.getUUID(LEASE_TOKEN),
                Sql.instant(r, LEASE_EXPIRES_AT));
    }

    static Task first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? task(it.next()) : null;
    }

    private TaskRows() {}
}
