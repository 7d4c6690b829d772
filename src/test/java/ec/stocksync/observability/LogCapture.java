package ec.stocksync.observability;

import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Level;
import org.jboss.logmanager.Logger;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every log record the application writes while installed (on the root logger of the JBoss LogManager, which Quarkus
 * logs through), with its formatted text, stack trace and MDC as they were when it was written; the service's own
 * loggers are opened to DEBUG meanwhile, so what a DEBUG-level prod log would show is checked too.
 */
final class LogCapture extends ExtHandler implements AutoCloseable {

    record Captured(String logger, String level, String text, Map<String, String> mdc) {

        /** Everything a log line could print: message, stack trace, MDC. */
        String all() {
            return text + " " + mdc;
        }
    }

    private final List<Captured> records = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Logger ours = Logger.getLogger("ec.stocksync");
    private final java.util.logging.Level oursBefore;

    LogCapture() {
        oursBefore = ours.getLevel();
        ours.setLevel(Level.DEBUG);
        root.addHandler(this);
    }

    @Override
    protected void doPublish(ExtLogRecord record) {
        StringBuilder text = new StringBuilder(String.valueOf(record.getFormattedMessage()));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            text.append('\n').append(trace);
        }
        records.add(new Captured(record.getLoggerName(), record.getLevel().getName(), text.toString(),
                Map.copyOf(record.getMdcCopy())));
    }

    List<Captured> records() {
        return List.copyOf(records);
    }

    @Override
    public void close() {
        root.removeHandler(this);
        ours.setLevel(oursBefore);
    }
}
