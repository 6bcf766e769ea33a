package dev.conveyor.deploy;

import java.math.BigDecimal;

/** Kubernetes resource quantities (250m, 1, 512Mi, 2Gi) as plain numbers, for comparisons. */
final class Quantities {
    private Quantities() {}

    static BigDecimal parse(String q) {
        String[][] suffixes = {
            {"Ki", "1024"},
            {"Mi", "1048576"},
            {"Gi", "1073741824"},
            {"Ti", "1099511627776"},
            {"m", "0.001"},
            {"k", "1000"},
            {"M", "1000000"},
            {"G", "1000000000"}
        };
        for (String[] s : suffixes) {
            if (q.endsWith(s[0])) {
                return new BigDecimal(q.substring(0, q.length() - s[0].length())).multiply(new BigDecimal(s[1]));
            }
        }
        return new BigDecimal(q);
    }
}
