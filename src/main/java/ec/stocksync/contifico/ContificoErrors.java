package ec.stocksync.contifico;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.UpstreamText;
import ec.stocksync.contifico.ContificoException.BadAnswer;
import ec.stocksync.contifico.ContificoException.OutcomeUnknown;
import ec.stocksync.contifico.ContificoException.Rejected;
import ec.stocksync.contifico.ContificoException.Unavailable;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;

/**
 * Failure classification: what came back from Contifico (an answer of any status, or a transport failure) as the
 * typed {@link ContificoException} the caller acts on. {@code write} marks the movement POST, for which anything that
 * may have reached Contifico is {@link OutcomeUnknown} (DESIGN rule 2).
 */
final class ContificoErrors {

    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

    private ContificoErrors() {
    }

    /** The parsed 2xx body, or the typed failure its status stands for. */
    static JsonNode body(ObjectMapper mapper, ContificoAnswer a, boolean write, String label) {
        int s = a.status();
        if (s >= 200 && s < 300) {
            try {
                return a.body().length == 0 ? mapper.nullNode() : mapper.readTree(a.body());
            } catch (IOException e) {
                if (write) {
                    throw new OutcomeUnknown("Contifico answered " + s + " with unreadable JSON to " + label, s, e);
                }
                throw new Unavailable("Contifico answered " + s + " with unreadable JSON to " + label, s, false, e);
            }
        }
        if (s == 429) {
            Duration wait = retryAfter(a.retryAfter(), Instant.now());
            throw new Unavailable("Contifico is throttling (429) " + label + (wait == null ? "" : ", retry after " + wait),
                    s, false, null, wait);
        }
        if (s >= 500) {
            String snippet = UpstreamText.sanitize(a.bodyText());
            if (write) {
                throw new OutcomeUnknown("Contifico failed with " + s + " on " + label
                        + ": the movement may exist, look up its reference. Body: " + snippet, s, null);
            }
            throw new Unavailable("Contifico failed with " + s + " on " + label + ": " + snippet, s, false, null);
        }
        if (s >= 300 && s < 400) {
            throw new Rejected(s, "redirected to " + a.location() + ": Contifico paths need a trailing slash", null);
        }
        String mensaje = null;
        Integer cod = null;
        try {
            JsonNode err = mapper.readTree(a.body());
            if (err != null && err.isObject()) {
                mensaje = err.hasNonNull("mensaje") ? err.get("mensaje").asText()
                        : err.hasNonNull("error") ? err.get("error").asText() : null;
                JsonNode code = err.hasNonNull("cod_error") ? err.get("cod_error") : err.get("code");
                if (code != null && !code.isNull() && code.asText().matches("-?\\d+")) {
                    cod = Integer.valueOf(code.asText());
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Not JSON (401/403 bodies are undocumented): the snippet below still says what came back.
        }
        throw new Rejected(s, UpstreamText.sanitize(mensaje != null ? mensaje : a.bodyText()), cod);
    }

    /**
     * A failure of the exchange itself. The REST client cannot say whether the request left the machine, so only a
     * failure to connect (or to resolve the host) counts as "nothing sent"; anything else may have reached Contifico,
     * which for the movement POST means its outcome is unknown.
     */
    static ContificoException transport(Throwable e, boolean write, String label) {
        if (e instanceof ContificoException ce) {
            return ce;
        }
        ContificoBodyLimit.TooLarge tooLarge = find(e, ContificoBodyLimit.TooLarge.class);
        if (tooLarge != null) {
            if (write) {
                return new OutcomeUnknown("Contifico answered " + label + " with a body over " + tooLarge.limit()
                        + " bytes, cut off: the movement may exist, look up its reference", tooLarge.status(), e);
            }
            // Asking again brings the same body back, and a server that answers is not down.
            return new BadAnswer("Contifico answered " + label + " with a body over " + tooLarge.limit()
                    + " bytes (stocksync.contifico.max-body-size): not read");
        }
        if (notSent(e)) {
            return new Unavailable("Could not reach Contifico for " + label + " (nothing sent): " + e.getMessage(), 0,
                    false, e);
        }
        boolean timedOut = find(e, TimeoutException.class) != null;
        if (write) {
            return new OutcomeUnknown((timedOut ? "Contifico did not answer " + label + " in time"
                    : "Connection to Contifico lost after sending " + label)
                    + ": the movement may exist, look up its reference (" + e + ")", 0, e);
        }
        return new Unavailable((timedOut ? "Contifico did not answer " + label + " in time: "
                : "Connection to Contifico lost during " + label + ": ") + e, 0, false, e);
    }

    /** The client's own deadline for one exchange passed (the REST client's read timeout is only its backstop). */
    static ContificoException timeout(boolean write, String label, long timeoutMs) {
        return write
                ? new OutcomeUnknown("Contifico did not answer " + label + " within " + timeoutMs
                        + " ms after it was sent: the movement may exist, look up its reference", 0, null)
                : new Unavailable("Contifico did not answer " + label + " within " + timeoutMs + " ms", 0, false, null);
    }

    /** What an answer's status says, for {@code stocksync.contifico.calls}. */
    static String outcome(int status) {
        if (status >= 200 && status < 300) {
            return "ok";
        }
        if (status == 404) {
            return "not_found";
        }
        if (status == 429) {
            return "throttled";
        }
        if (status == 401 || status == 403) {
            return "unauthorized";
        }
        return status >= 500 ? "server_error" : "rejected";
    }

    /** What a transport failure was, for {@code stocksync.contifico.calls}: a read timeout is a timeout. */
    static String outcome(Throwable e) {
        if (find(e, ContificoBodyLimit.TooLarge.class) != null) {
            return "too_large";
        }
        return find(e, TimeoutException.class) != null && !notSent(e) ? "timeout" : "connection_error";
    }

    /**
     * A Retry-After header (delta-seconds or HTTP-date) as a wait from {@code now}; null when absent or unreadable.
     * Capped, so a broken or hostile value cannot park a caller for days; a date in the past is no wait.
     */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        Duration wait;
        if (h.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            // More digits than a long holds is still "a very long time", not an unreadable header.
            wait = h.length() > 12 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(h));
        } else {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    /** Refused, unreachable or unresolvable: the request never left (Netty's connect timeout is a ConnectException). */
    private static boolean notSent(Throwable e) {
        return find(e, ConnectException.class) != null || find(e, UnknownHostException.class) != null;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        // Bounded: a cause chain that loops back on itself must not hang the caller.
        for (int depth = 0; e != null && depth < 16; depth++, e = e.getCause()) {
            if (type.isInstance(e)) {
                return type.cast(e);
            }
        }
        return null;
    }
}
