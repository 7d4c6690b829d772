package ec.stocksync.common;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a URL may receive a merchant's credentials. Without it, whoever can edit a store could point its
 * API at a cloud metadata endpoint or an internal service and have the service call it (server-side request forgery),
 * or send the key over plain http. Blocking (it resolves host names): {@link OutboundUrls} runs it off the event loop.
 * Checked when a URL is saved; a host that later re-resolves elsewhere (DNS rebinding) is not caught here.
 */
public final class OutboundUrlPolicy {

    /** Host name resolution, replaceable so tests need no DNS. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    // Names cloud providers serve instance metadata (and credentials) under, whatever they resolve to.
    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata",
            "metadata.goog", "instance-data", "instance-data.ec2.internal");

    private final boolean allowInsecure;
    private final List<String> allowedHosts;
    private final Resolver resolver;

    public OutboundUrlPolicy(OutboundConfig config, Resolver resolver) {
        this.allowInsecure = config.allowInsecure();
        this.allowedHosts = config.allowedHosts().orElse(List.of()).stream()
                .map(OutboundUrlPolicy::normalizeHost).filter(h -> !h.isEmpty()).toList();
        this.resolver = resolver;
    }

    /** Throws a 400 naming {@code field} and the reason when {@code url} may not receive credentials. */
    public void check(String field, String url) {
        URI u;
        try {
            u = new URI(url.trim());
        } catch (URISyntaxException | NullPointerException e) {
            throw ApiException.invalidField(field, "must be an absolute http(s) URL");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (u.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw ApiException.invalidField(field, "must be an absolute http(s) URL");
        }
        if (scheme.equals("http") && !allowInsecure) {
            throw ApiException.invalidField(field, "must be https (credentials are sent to this address)");
        }
        if (u.getRawUserInfo() != null) {
            throw ApiException.invalidField(field, "must not carry a user name or password");
        }
        String host = normalizeHost(u.getHost());
        if (allowed(host)) {
            return;
        }
        if (METADATA_NAMES.contains(host)) {
            throw ApiException.invalidField(field, host + " is a cloud metadata address");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException | SecurityException e) {
            addresses = null;
        }
        if (addresses == null || addresses.length == 0) {
            throw ApiException.invalidField(field, host + " does not resolve");
        }
        // Every address, not just the first: a name with one public and one private address would otherwise pass.
        for (InetAddress a : addresses) {
            String refused = refusedRange(a);
            if (refused != null) {
                throw ApiException.invalidField(field, host + " is a " + refused + " (" + a.getHostAddress()
                        + "); list it in stocksync.outbound.allowed-hosts if this is intended");
            }
        }
    }

    /** Why this address may not receive credentials, or null when it may. */
    static String refusedRange(InetAddress a) {
        byte[] b = a.getAddress();
        if (a.isAnyLocalAddress() || (b.length == 4 && b[0] == 0)) {
            return "unspecified address";
        }
        if (a.isLoopbackAddress()) {
            return "loopback address";
        }
        if (b.length == 4 && (b[0] & 0xff) == 169 && (b[1] & 0xff) == 254 && (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254) {
            return "cloud metadata address";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local address";
        }
        if (a.isMulticastAddress()) {
            return "multicast address";
        }
        if (a.isSiteLocalAddress()) {
            return "private address";
        }
        if (b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) {
            return "private address"; // 100.64/10, carrier-grade NAT: internal to a provider's network
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return "private address"; // fc00::/7, unique local (includes AWS's fd00:ec2::254 metadata)
            }
            // ::ffff:a.b.c.d and ::a.b.c.d carry an IPv4 address: judge that one.
            boolean zeros = true;
            for (int i = 0; i < 10; i++) {
                zeros &= b[i] == 0;
            }
            if (zeros && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
                try {
                    return refusedRange(InetAddress.getByAddress(new byte[]{b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return "unspecified address";
                }
            }
        }
        return null;
    }

    private boolean allowed(String host) {
        for (String a : allowedHosts) {
            if (a.startsWith("*.") ? host.endsWith(a.substring(1)) : host.equals(a)) {
                return true;
            }
        }
        return false;
    }

    private static String normalizeHost(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        // "localhost." is localhost: a trailing dot must not slip past the allowed-hosts or metadata names.
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }
}
