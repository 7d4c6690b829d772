package ec.stocksync.common;

import jakarta.enterprise.context.RequestScoped;

/** The request's {@link Caller}, set by the access filter before any /api resource runs. */
@RequestScoped
public class CurrentCaller {

    private Caller caller;

    public void set(Caller caller) {
        this.caller = caller;
    }

    /** The caller; never null inside an /api resource, since the filter refuses the request first. */
    public Caller get() {
        if (caller == null) {
            throw new IllegalStateException("no authenticated caller on this request");
        }
        return caller;
    }
}
