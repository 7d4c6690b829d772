package ec.stocksync.sync;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of {@code POST /api/stores/{id}/pull}; every field is optional, and so is the body. */
@Schema(name = "PullRequest", description = "How to run a pull; every field is optional, and so is the body.")
public record PullRequest(
        @Schema(description = "Decide and report, write nothing.", defaultValue = "false")
        Boolean dryRun,
        @Schema(description = "At most this many SKUs (full pulls only).", minimum = "1")
        @Min(value = 1, message = "must be a positive whole number")
        Integer limit,
        @Schema(description = "Also pull SKUs pushed in the last minutes.", defaultValue = "false")
        Boolean skipRecentPushCheck,
        @Schema(description = "Write even when many SKUs would go to 0 (after a 409 pull_blocked).", defaultValue = "false")
        Boolean force,
        @Schema(description = "full: every mapped SKU; delta: only what Contifico's change signals flag.",
                enumeration = {"full", "delta"}, defaultValue = "full")
        @Pattern(regexp = "[fF][uU][lL][lL]|[dD][eE][lL][tT][aA]", message = "must be \"full\" or \"delta\"")
        String mode) {

    static final String EXAMPLE = """
            {"mode": "full", "dryRun": true, "limit": 100}""";

    static final PullRequest DEFAULTS = new PullRequest(null, null, null, null, null);

    SyncOptions options() {
        return new SyncOptions(Boolean.TRUE.equals(dryRun), limit, Boolean.TRUE.equals(skipRecentPushCheck),
                Boolean.TRUE.equals(force));
    }

    PullMode pullMode() {
        return mode == null || mode.equalsIgnoreCase("full") ? PullMode.FULL : PullMode.DELTA;
    }
}
