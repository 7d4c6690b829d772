package ec.stocksync;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout rules of docs/ARCHITECTURE.md ("Packages and the tables they own"), checked on every build: the feature
 * packages form no cycle, and every table is read and written only from the package that owns it. A package that
 * needs another's table calls the owner's repository, or embeds a SQL fragment the owner publishes (a public static
 * method or constant in the owner's package, such as {@code MovementQueue.insertCte}), so the SQL stays with its owner.
 */
class ArchitectureTest {

    /** The owner of every table; a new migration's table must be given one here (and in ARCHITECTURE.md). */
    static final Map<String, Set<String>> OWNERS = Map.of(
            "store", Set.of("stores", "store_integrations", "store_locations"),
            "webhook", Set.of("webhook_events", "storefront_orders", "shopify_order_edits", "woocommerce_refunds"),
            "movement", Set.of("inventory_movements_queue", "inventory_movements_purged_keys"),
            "sync", Set.of("stock_cache", "pull_runs", "sync_logs", "sync_status_latest", "pull_baselines",
                    "contifico_seen_events", "catalog_imports", "sku_links"),
            "reconcile", Set.of("reconciliation_state"),
            "access", Set.of("api_tokens", "api_audit_log"),
            "cluster", Set.of("schedule_claims"),
            "status", Set.of("status_versions", "status_changes", "status_changes_pruned"));

    /**
     * Documented exceptions, as "source file relative to ec/stocksync → table". Each must say why it cannot go through
     * the owner. Keep it short: an entry here is a debt or a deliberate single statement.
     */
    static final Map<String, String> ALLOWED = Map.of(
            // The sandbox is not the product (dev and test builds only). Its seed upserts the demo store and its
            // integration in one locked transaction, idempotent across restarts; the store package's CRUD would need a
            // Contifico check and a JSON body for what is a fixture. Nothing of the product reads what it writes
            // differently from any other store.
            "sandbox/demo/DemoSetup.java → stores", "demo seed",
            "sandbox/demo/DemoSetup.java → store_integrations", "demo seed");

    static final Path MAIN = Path.of("src/main/java/ec/stocksync");
    static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("ec.stocksync");
    }

    @Test
    void featurePackagesDependOnEachOtherWithoutCycles() {
        slices().matching("ec.stocksync.(*)..").should().beFreeOfCycles().check(classes);
    }

    /** Inside a feature too (the sandbox's simulators and demo): no two packages depend on each other. */
    @Test
    void packagesDependOnEachOtherWithoutCyclesAtEveryLevel() {
        slices().matching("ec.stocksync.(**)").should().beFreeOfCycles().check(classes);
    }

    /** A Panache entity's static queries (find, list, delete, update...) run only in the package that owns its table. */
    @Test
    void panacheEntitiesAreQueriedOnlyByTheirOwnPackage() {
        classes().should(new ArchCondition<>("query Panache entities of their own package only") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                for (JavaMethodCall call : item.getMethodCallsFromSelf()) {
                    var owner = call.getTargetOwner();
                    boolean isStatic = call.getTarget().resolveMember()
                            .map(m -> m.getModifiers().contains(JavaModifier.STATIC)).orElse(true);
                    if (owner.getPackageName().startsWith("ec.stocksync.") && owner.isAssignableTo(PanacheEntityBase.class)
                            && isStatic && !owner.getPackageName().equals(item.getPackageName())) {
                        events.add(SimpleConditionEvent.violated(call, call.getDescription()));
                    }
                }
            }
        }).check(classes);
    }

    @Test
    void everyTableHasExactlyOneOwningPackage() {
        Set<String> owned = new TreeSet<>();
        OWNERS.values().forEach(tables -> tables.forEach(t -> assertTrue(owned.add(t), t + " has two owners")));
        assertEquals(migrationTables(), owned, "tables created by the migrations vs. tables given an owner here");
    }

    @Test
    void sqlInEachPackageTouchesOnlyTheTablesItOwns() {
        Set<String> tables = migrationTables();
        List<String> violations = new ArrayList<>();
        Set<String> allowedSeen = new TreeSet<>();
        for (Path file : javaFiles()) {
            String rel = file.toString().replace('\\', '/').replaceFirst("^.*?/ec/stocksync/", "");
            String pkg = rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : "";
            Set<String> mine = OWNERS.getOrDefault(pkg, Set.of());
            for (String table : tablesIn(read(file), tables)) {
                String key = rel + " → " + table;
                if (mine.contains(table)) {
                    continue;
                }
                if (ALLOWED.containsKey(key)) {
                    allowedSeen.add(key);
                    continue;
                }
                violations.add(key + " (owned by " + ownerOf(table) + ")");
            }
        }
        assertEquals(List.of(), violations, "SQL on another package's table: call the owner's repository, or embed a"
                + " fragment the owner publishes; a deliberate exception goes in ALLOWED with its reason");
        assertEquals(ALLOWED.keySet(), allowedSeen, "allow-list entries that no longer match anything: remove them");
    }

    /** The scanner itself, on shapes the sources use: text blocks, joins, comma joins, CTEs, DML, comments. */
    @Test
    void theScannerFindsTablesInEveryStatementShape() {
        Set<String> known = Set.of("stores", "stock_cache", "sync_logs", "pull_runs", "webhook_events", "api_tokens");
        String source = """
                class X {
                    // FROM api_tokens in a comment is not SQL
                    String a = \"""
                            WITH q AS (SELECT sku FROM stock_cache c WHERE x)
                            SELECT * FROM q JOIN sync_logs l ON TRUE\""";
                    String b = "DELETE FROM pull_runs WHERE id = $1" + " AND " + "x";
                    String c = "SELECT 1 FROM stores s, webhook_events e";
                    String d = "the \\" FROM quoted\\" text and extract(epoch FROM now())";
                }
                """;
        assertEquals(Set.of("stock_cache", "sync_logs", "pull_runs", "stores", "webhook_events"),
                tablesIn(source, known));
    }

    // --- the scan -------------------------------------------------------------------------------------------------

    private static final Pattern CREATE_TABLE = Pattern.compile("(?i)\\bCREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(\\w+)");
    /** A table after a keyword that names one; a second one after a comma (FROM a x, b y; TRUNCATE a, b). */
    private static final Pattern TABLE_REF = Pattern.compile(
            "(?i)\\b(?:FROM|JOIN|INTO|UPDATE|TRUNCATE(?:\\s+TABLE)?|TABLE)\\s+(?:ONLY\\s+)?(\\w+)"
                    + "(?:\\s+(?:AS\\s+)?(?!(?:WHERE|ON|JOIN|LEFT|RIGHT|INNER|FULL|CROSS|SET|USING|GROUP|ORDER|LIMIT|UNION)\\b)\\w+)?((?:\\s*,\\s*\\w+(?:\\s+(?:AS\\s+)?\\w+)?)*)");
    private static final Pattern LIST_ITEM = Pattern.compile(",\\s*(\\w+)");

    static Set<String> migrationTables() {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            files.filter(f -> f.toString().endsWith(".sql")).forEach(f -> {
                Matcher m = CREATE_TABLE.matcher(read(f));
                while (m.find()) {
                    out.add(m.group(1).toLowerCase());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * The Java sources of every source root but the tests' ({@code src/main/java}, and any other {@code src/<x>/java}
     * such as a sandbox root that only dev and test builds add).
     */
    static List<Path> javaFiles() {
        try (Stream<Path> roots = Files.list(Path.of("src"))) {
            List<Path> out = new ArrayList<>();
            for (Path root : roots.filter(r -> !r.getFileName().toString().equals("test")).toList()) {
                Path pkg = root.resolve("java/ec/stocksync");
                if (Files.isDirectory(pkg)) {
                    try (Stream<Path> files = Files.walk(pkg)) {
                        files.filter(f -> f.toString().endsWith(".java")).forEach(out::add);
                    }
                }
            }
            assertTrue(out.stream().anyMatch(f -> f.startsWith(MAIN)), "no sources found under " + MAIN);
            return out.stream().sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The known tables that the string literals and text blocks of a Java source name after a SQL keyword. */
    static Set<String> tablesIn(String javaSource, Set<String> known) {
        Set<String> out = new TreeSet<>();
        for (String literal : literals(javaSource)) {
            String sql = literal.replaceAll("--[^\\n]*", " ");
            Matcher m = TABLE_REF.matcher(sql);
            while (m.find()) {
                List<String> names = new ArrayList<>(List.of(m.group(1)));
                Matcher item = LIST_ITEM.matcher(m.group(2) == null ? "" : m.group(2));
                while (item.find()) {
                    names.add(item.group(1));
                }
                for (String n : names) {
                    if (known.contains(n.toLowerCase())) {
                        out.add(n.toLowerCase());
                    }
                }
            }
        }
        return out;
    }

    /**
     * String literals and text blocks, outside comments and char literals, with escapes left as written. The
     * literals of one expression are joined ("a" + x + "b" reads as "a b"), so a statement split over several
     * literals is scanned whole.
     */
    static List<String> literals(String src) {
        List<String> out = new ArrayList<>();
        StringBuilder expr = new StringBuilder();
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                i = src.indexOf('\n', i) < 0 ? n : src.indexOf('\n', i);
            } else if (src.startsWith("/*", i)) {
                i = src.indexOf("*/", i + 2) < 0 ? n : src.indexOf("*/", i + 2) + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                while (end > 0 && src.charAt(end - 1) == '\\') {
                    end = src.indexOf("\"\"\"", end + 1);
                }
                end = end < 0 ? n : end;
                expr.append(src, i + 3, end).append(' ');
                i = end + 3;
            } else if (c == '"') {
                int j = i + 1;
                while (j < n && src.charAt(j) != '"' && src.charAt(j) != '\n') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                expr.append(src, i + 1, Math.min(j, n)).append(' ');
                i = j + 1;
            } else if (c == '\'') {
                int j = i + 1;
                while (j < n && src.charAt(j) != '\'') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
            } else {
                // A ; , ( ) { } ends the expression whose literals are joined; operators and names continue it.
                if (";,(){}".indexOf(c) >= 0 && !expr.isEmpty()) {
                    out.add(expr.toString());
                    expr.setLength(0);
                }
                i++;
            }
        }
        if (!expr.isEmpty()) {
            out.add(expr.toString());
        }
        return out;
    }

    private static String ownerOf(String table) {
        return OWNERS.entrySet().stream().filter(e -> e.getValue().contains(table)).map(Map.Entry::getKey)
                .findFirst().orElse("nobody");
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
