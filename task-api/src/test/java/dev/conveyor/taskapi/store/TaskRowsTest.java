package dev.conveyor.taskapi.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** TaskRows maps task rows by position: each position constant must name its column's place in COLS. */
class TaskRowsTest {

    /** A select-list item's output name: {@code params::text AS params_json} is {@code params}. */
    private static String columnOf(String item) {
        String name = item.trim().split("::| ")[0];
        return name.startsWith("t.") ? name.substring(2) : name;
    }

    private static List<String> columns(String selectList) {
        return Arrays.stream(selectList.split(",")).map(TaskRowsTest::columnOf).toList();
    }

    /** Every {@code static final int} of TaskRows but COLUMNS, by its name as a column name. */
    private static Map<String, Integer> positions() throws IllegalAccessException {
        Map<String, Integer> out = new TreeMap<>();
        for (Field f : TaskRows.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m)
                    && Modifier.isFinal(m)
                    && f.getType() == int.class
                    && !f.getName().equals("COLUMNS")) {
                out.put(f.getName().toLowerCase(Locale.ROOT), f.getInt(null));
            }
        }
        return out;
    }

    @Test
    void everyPositionConstantIsItsColumnsPlaceInCols() throws Exception {
        List<String> cols = columns(TaskRows.COLS);
        Map<String, Integer> positions = positions();

        assertThat(positions).hasSize(cols.size());
        positions.forEach((column, place) ->
                assertThat(cols.get(place)).as("column at %d", place).isEqualTo(column));
        assertThat(TaskRows.COLUMNS).isEqualTo(cols.size());
    }

    @Test
    void theJoinedSelectListHasTheSameOrder() {
        assertThat(columns(TaskRows.T_COLS)).isEqualTo(columns(TaskRows.COLS));
    }
}
