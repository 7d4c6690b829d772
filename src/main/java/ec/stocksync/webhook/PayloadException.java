package ec.stocksync.webhook;

import ec.stocksync.common.ApiException;

/** Well-formed JSON that is not the order or refund its topic promises: 400, nothing stored. */
public class PayloadException extends ApiException {
    public PayloadException(String message) {
        super(400, "invalid_payload", message);
    }
}
