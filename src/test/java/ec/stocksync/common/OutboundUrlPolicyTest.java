package ec.stocksync.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outbound URL policy on its own: a config object and a resolver that needs no DNS. */
class OutboundUrlPolicyTest {

    static OutboundConfig config(boolean insecure, String... allowed) {
        return new OutboundConfig() {
            @Override
            public boolean allowInsecure() {
                return insecure;
            }

            @Override
            public Optional<List<String>> allowedHosts() {
                return allowed.length == 0 ? Optional.empty() : Optional.of(List.of(allowed));
            }
        };
    }

    /** Names the tests invent; IP literals are parsed, never looked up; anything else does not resolve. */
    static final Map<String, String[]> NAMES = Map.of(
            "api.contifico.com", new String[]{"52.1.2.3"},
            "rebind.attacker.test", new String[]{"52.1.2.3", "10.0.0.7"},
            "internal.corp.test", new String[]{"10.20.30.40"},
            "v6private.attacker.test", new String[]{"2600:1f18::1", "fd12:3456::1"});

    static InetAddress[] resolve(String host) throws UnknownHostException {
        String[] ips = NAMES.get(host);
        if (ips == null) {
            if (host.matches("[0-9.]+") || host.contains(":")) {
                return new InetAddress[]{InetAddress.getByName(host)};
            }
            throw new UnknownHostException(host);
        }
        InetAddress[] out = new InetAddress[ips.length];
        for (int i = 0; i < ips.length; i++) {
            out[i] = InetAddress.getByName(ips[i]);
        }
        return out;
    }

    static OutboundUrlPolicy policy(boolean insecure, String... allowed) {
        return new OutboundUrlPolicy(config(insecure, allowed), OutboundUrlPolicyTest::resolve);
    }

    static String refusal(OutboundUrlPolicy p, String url) {
        ApiException e = assertThrows(ApiException.class, () -> p.check("baseUrl", url), url);
        assertEquals(400, e.status());
        assertEquals("invalid_field", e.code());
        assertTrue(e.getMessage().startsWith("baseUrl: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void httpIsRefusedUnlessInsecureIsAllowed() {
        assertTrue(refusal(policy(false), "http://api.contifico.com/sistema/api").contains("must be https"));
        assertDoesNotThrow(() -> policy(false).check("baseUrl", "https://api.contifico.com/sistema/api"));
        assertDoesNotThrow(() -> policy(true).check("baseUrl", "http://api.contifico.com/sistema/api"));
        assertTrue(refusal(policy(true), "ftp://api.contifico.com/").contains("http(s)"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://127.0.0.1/", "https://127.8.9.10/", "https://[::1]/",             // loopback
            "https://10.1.2.3/", "https://172.16.0.1/", "https://172.31.255.255/", "https://192.168.1.1/", // private
            "https://100.64.0.1/",                                                      // carrier-grade NAT
            "https://[fc00::1]/", "https://[fd00:ec2::254]/",                           // IPv6 unique local (AWS metadata)
            "https://169.254.1.1/", "https://[fe80::1]/",                               // link-local
            "https://169.254.169.254/latest/meta-data/", "https://metadata.google.internal/computeMetadata/v1/",
            "https://METADATA.google.internal./",                                       // case and trailing dot
            "https://0.0.0.0/", "https://[::]/", "https://0.1.2.3/",                    // unspecified
            "https://224.0.0.1/", "https://[ff02::1]/",                                 // multicast
            "https://[::ffff:10.0.0.1]/", "https://[::ffff:169.254.169.254]/",           // IPv4 inside IPv6
            "https://internal.corp.test/"                                               // a name for a private address
    })
    void internalAddressesAreRefused(String url) {
        String message = refusal(policy(false), url);
        assertTrue(message.matches(".*(loopback|private|link-local|metadata|unspecified|multicast).*"), message);
    }

    @Test
    void aHostIsRefusedWhenAnyOfItsAddressesIsInternal() {
        assertTrue(refusal(policy(false), "https://rebind.attacker.test/").contains("10.0.0.7"));
        assertTrue(refusal(policy(false), "https://v6private.attacker.test/").contains("private address"));
    }

    @Test
    void publicAddressesAreAccepted() {
        OutboundUrlPolicy p = policy(false);
        assertDoesNotThrow(() -> p.check("baseUrl", "https://8.8.8.8/"));
        assertDoesNotThrow(() -> p.check("baseUrl", "https://172.32.0.1/"));   // just past 172.16/12
        assertDoesNotThrow(() -> p.check("baseUrl", "https://[2600:1f18::1]/"));
    }

    @Test
    void allowedHostsOverrideTheAddressChecksButNotHttps() {
        OutboundUrlPolicy p = policy(false, "127.0.0.1", "*.corp.test", "[::1]");
        assertDoesNotThrow(() -> p.check("baseUrl", "https://127.0.0.1:8443/api"));
        assertDoesNotThrow(() -> p.check("baseUrl", "https://internal.corp.test/"));
        assertDoesNotThrow(() -> p.check("baseUrl", "https://[::1]/"));
        assertTrue(refusal(p, "http://127.0.0.1/").contains("must be https"));
        // Only what is listed: the suffix does not match a look-alike, nor the bare domain's neighbours.
        refusal(p, "https://127.0.0.2/");
        refusal(p, "https://rebind.attacker.test/");
        assertDoesNotThrow(() -> policy(true, "localhost").check("baseUrl", "http://LOCALHOST:8089/sistema/api"));
    }

    @Test
    void aHostThatDoesNotResolveIsRefused() {
        assertTrue(refusal(policy(false), "https://no-such-host.invalid/").contains("does not resolve"));
    }

    @Test
    void credentialsInTheUrlAndMalformedUrlsAreRefused() {
        assertTrue(refusal(policy(false), "https://user:pass@api.contifico.com/").contains("user name"));
        refusal(policy(false), "not a url");
        refusal(policy(false), "https:///path-only");
    }
}
