package ec.stocksync.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/**
 * Where the service may send merchants' credentials ({@code stocksync.outbound.*}). Checked whenever a store or
 * integration URL is saved (see {@link OutboundUrlPolicy}). The defaults are the prod posture; dev and test loosen
 * them in application.properties so they can reach the simulators on 127.0.0.1 over http.
 */
@ConfigMapping(prefix = "stocksync.outbound")
public interface OutboundConfig {

    /** Accept http URLs. Off in prod: an API key sent over http is readable by anyone on the path. */
    @WithDefault("false")
    boolean allowInsecure();

    /**
     * Hosts exempt from the address checks (loopback, private, link-local, metadata): exact names or IP literals, or
     * {@code *.domain} for any name under a domain. For deliberate exceptions such as an on-premises Contifico proxy.
     */
    Optional<List<String>> allowedHosts();
}
