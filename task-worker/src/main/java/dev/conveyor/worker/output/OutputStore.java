package dev.conveyor.worker.output;

import io.smallrye.mutiny.Uni;
import java.util.Optional;

/**
 * Where handlers put the files they produce. The default keeps them on the worker's filesystem and the worker serves
 * them under {@code /v1/outputs/}; an S3-compatible store implements the same interface and answers its own URLs.
 * Keys are relative paths of safe segments ({@code [A-Za-z0-9._-]}, separated by {@code /}).
 */
public interface OutputStore {

    /** Stores {@code data} under {@code key} (replacing it) and answers the file's public URL. */
    Uni<String> put(String key, byte[] data, String contentType);

    /** Reads back a stored file (for handlers that post-process outputs of this store). */
    Optional<byte[]> get(String key);

    /** The public URL a key is served at. */
    String urlOf(String key);

    /** True when {@code key} is a valid key: relative, non-empty segments of letters, digits, '.', '_' and '-'. */
    static boolean isValidKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 512 || key.startsWith("/") || key.endsWith("/")) {
            return false;
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()
                    || segment.equals(".")
                    || segment.equals("..")
                    || !segment.matches("[A-Za-z0-9._-]+")) {
                return false;
            }
        }
        return true;
    }

    /** The content type served for a key, from its extension. */
    static String contentTypeOf(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        if (k.endsWith(".png")) {
            return "image/png";
        } else if (k.endsWith(".gif")) {
            return "image/gif";
        } else if (k.endsWith(".json")) {
            return "application/json";
        } else if (k.endsWith(".txt")) {
            return "text/plain";
        }
        return "application/octet-stream";
    }
}
