package ec.stocksync.sync;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** The body of {@code POST /api/stores/{id}/pull/selective}. */
@Schema(name = "SelectivePullRequest", description = "The SKUs to pull now, and how.")
public record SelectivePullRequest(
        @Schema(description = "The SKUs, as the store knows them.", maxItems = SelectivePullRequest.MAX_SKUS)
        @NotEmpty(message = "must be a non-empty array of SKUs")
        @Size(max = MAX_SKUS, message = "at most " + MAX_SKUS + " per request; use the full pull")
        List<@NotBlank(message = "every SKU must be a non-empty string") String> skus,
        @Schema(description = "Decide and report, write nothing.", defaultValue = "false")
        Boolean dryRun,
        @Schema(description = "Also pull SKUs pushed in the last minutes.", defaultValue = "false")
        Boolean skipRecentPushCheck,
        @Min(value = 1, message = "must be a positive whole number")
        Integer limit,
        @Schema(description = "Write even when many SKUs would go to 0.", defaultValue = "false")
        Boolean force) {

    static final String EXAMPLE = """
            {"skus": ["PERF-001", "PERF-002"], "dryRun": false}""";

    static final int MAX_SKUS = 500;

    public SelectivePullRequest {
        skus = skus == null ? null : skus.stream().map(s -> s == null ? null : s.trim()).toList();
    }

    SyncOptions options() {
        return new SyncOptions(Boolean.TRUE.equals(dryRun), limit, Boolean.TRUE.equals(skipRecentPushCheck),
                Boolean.TRUE.equals(force));
    }
}
