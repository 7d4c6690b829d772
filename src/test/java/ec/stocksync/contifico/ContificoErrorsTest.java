package ec.stocksync.contifico;

import ec.stocksync.contifico.ContificoException.BadAnswer;
import ec.stocksync.contifico.ContificoException.OutcomeUnknown;
import ec.stocksync.contifico.ContificoException.Unavailable;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.impl.NoStackTraceTimeoutException;
import jakarta.ws.rs.ProcessingException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How transport failures, as the REST client wraps them, are classified. The rule that matters (DESIGN rule 2): for
 * the movement POST, only a failure to connect proves nothing was sent; every other failure is an unknown outcome.
 */
class ContificoErrorsTest {

    private static final String LABEL = "POST /v1/movimiento-inventario/";

    private static Throwable wrapped(Throwable cause) {
        return new ProcessingException(cause);
    }

    @Test
    void aRefusedOrUnresolvableConnectionIsUnavailableEvenForTheMovementPost() {
        for (Throwable cause : new Throwable[] {new ConnectException("Connection refused"),
                new ConnectTimeoutException("connection timed out: /10.0.0.1:443"), new UnknownHostException("nowhere")}) {
            Unavailable write = assertInstanceOf(Unavailable.class, ContificoErrors.transport(wrapped(cause), true, LABEL));
            assertFalse(write.outcomeUnknown(), cause::toString);
            assertFalse(write.circuitOpen());
            assertTrue(write.isRetryable());
            assertEquals("connection_error", ContificoErrors.outcome(wrapped(cause)));
        }
    }

    @Test
    void aReadTimeoutIsATimeoutAndOnThePostAnUnknownOutcome() {
        Throwable timeout = wrapped(new NoStackTraceTimeoutException("The timeout period of 1000ms has been exceeded"));
        assertEquals("timeout", ContificoErrors.outcome(timeout));
        assertInstanceOf(OutcomeUnknown.class, ContificoErrors.transport(timeout, true, LABEL));
        Unavailable read = assertInstanceOf(Unavailable.class, ContificoErrors.transport(timeout, false, "GET /v1/bodega/"));
        assertTrue(read.getMessage().contains("did not answer"), read.getMessage());
        assertTrue(read.isRetryable());
    }

    @Test
    void aConnectionLostAfterConnectingIsAnUnknownOutcomeOnThePost() {
        Throwable reset = wrapped(new IOException("Connection reset by peer"));
        assertEquals("connection_error", ContificoErrors.outcome(reset));
        assertInstanceOf(OutcomeUnknown.class, ContificoErrors.transport(reset, true, LABEL));
        assertInstanceOf(Unavailable.class, ContificoErrors.transport(reset, false, "GET /v1/bodega/"));
        Throwable closed = wrapped(new IllegalStateException("Connection was closed"));
        assertInstanceOf(OutcomeUnknown.class, ContificoErrors.transport(closed, true, LABEL));
    }

    @Test
    void anAnswerOverTheSizeLimitIsABadAnswerOnAReadAndAnUnknownOutcomeOnThePost() {
        Throwable tooLarge = wrapped(new ContificoBodyLimit.TooLarge(1024, 200));
        assertEquals("too_large", ContificoErrors.outcome(tooLarge));
        BadAnswer read = assertInstanceOf(BadAnswer.class, ContificoErrors.transport(tooLarge, false, "GET /v1/bodega/"));
        assertFalse(read.isRetryable());
        assertInstanceOf(OutcomeUnknown.class, ContificoErrors.transport(tooLarge, true, LABEL));
    }
}
