package io.envelopecrypt.connect.kms.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;

import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsAccessException.Reason;

import org.apache.kafka.common.cache.LRUCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;

/**
 * The SDK clients of one vault, the calls made through them, and credential refresh: when Key Vault rejects
 * a token that the credential still considers valid (revoked, or a clock disagreement), the clients are
 * rebuilt with a fresh credential and the call is retried once. Every call's failure is translated by
 * {@link AzureErrors}.
 */
final class KeyVaultClients {
    private static final Logger log = LoggerFactory.getLogger(KeyVaultClients.class);
    private static final int MAX_CRYPTO_CLIENTS = 64;

    private final String vaultUrl;
    private final Supplier<TokenCredential> credentials;
    private final HttpClient httpClient;
    private final RetryOptions retryOptions;
    private final boolean challengeVerification;
    private final HttpPipelinePolicy requestCounter;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong credentialRefreshes = new AtomicLong();
    private final AtomicLong httpRequests = new AtomicLong();
    private volatile Clients clients;

    KeyVaultClients(String vaultUrl, Supplier<TokenCredential> credentials, HttpClient httpClient,
                    RetryOptions retryOptions, boolean challengeVerification) {
        this.vaultUrl = vaultUrl;
        this.credentials = credentials;
        this.httpClient = httpClient;
        this.retryOptions = retryOptions;
        this.challengeVerification = challengeVerification;
        this.requestCounter = new RequestCounter(httpRequests);
        this.clients = new Clients(credentials.get());
    }

    /** The SDK clients of one credential. */
    final class Clients {
        final KeyClient keyClient;
        private final TokenCredential credential;
        private final LRUCache<String, CryptographyClient> cryptoClients = new LRUCache<>(MAX_CRYPTO_CLIENTS);

        Clients(TokenCredential credential) {
            // One token for every client of this vault: each CryptographyClient (one per key version, so one per
            // tenant key) has its own token policy, and would otherwise fetch a token of its own.
            this.credential = new SharedTokens(credential);
            KeyClientBuilder kb = new KeyClientBuilder().vaultUrl(vaultUrl).credential(this.credential).httpClient(httpClient)
                    .retryOptions(retryOptions).addPolicy(requestCounter);
            if (!challengeVerification) {
                kb.disableChallengeResourceVerification();
            }
            this.keyClient = kb.buildClient();
        }

        synchronized CryptographyClient crypto(String name, String version) {
            String id = vaultUrl + "/keys/" + name + "/" + version;
            CryptographyClient client = cryptoClients.get(id);
            if (client == null) {
                CryptographyClientBuilder b = new CryptographyClientBuilder().keyIdentifier(id).credential(credential)
                        .httpClient(httpClient).retryOptions(retryOptions).addPolicy(requestCounter)
                        // No GET before each crypto call: the unwrapping identity needs only unwrapKey.
                        .disableKeyCaching();
                if (!challengeVerification) {
                    b.disableChallengeResourceVerification();
                }
                client = b.buildClient();
                cryptoClients.put(id, client);
            }
            return client;
        }
    }

    /**
     * Runs one Key Vault operation; {@code what} describes the key for messages (no secrets). A rejected token
     * rebuilds the credential and retries once.
     */
    <T> T call(String operation, String what, Function<Clients, T> action) {
        Clients current = clients;
        try {
            calls.incrementAndGet();
            return action.apply(current);
        } catch (RuntimeException e) {
            RuntimeException translated = AzureErrors.translate(e, operation, what);
            if (!(translated instanceof KmsAccessException k) || k.reason() != Reason.TOKEN_REJECTED) {
                throw translated;
            }
        }
        Clients fresh = refreshCredential(current);
        log.warn("Key Vault rejected the access token of {} for {}; retrying once with a fresh credential", what, operation);
        try {
            calls.incrementAndGet();
            return action.apply(fresh);
        } catch (RuntimeException e) {
            throw AzureErrors.translate(e, operation, what);
        }
    }

    private synchronized Clients refreshCredential(Clients rejected) {
        if (clients == rejected) {
            clients = new Clients(credentials.get());
            credentialRefreshes.incrementAndGet();
        }
        return clients;
    }

    /** Logical operations sent to Key Vault, not counting SDK retries. */
    long calls() {
        return calls.get();
    }

    long credentialRefreshes() {
        return credentialRefreshes.get();
    }

    /** HTTP requests sent to Key Vault, including retries and authentication challenges. */
    long httpRequests() {
        return httpRequests.get();
    }

    /**
     * Hands the same access token to every client that asks for the same scopes and tenant while it has more than five
     * minutes to live; requests with claims (a continuous access evaluation challenge) always go to the credential.
     */
    static final class SharedTokens implements TokenCredential {
        private static final java.time.Duration MARGIN = java.time.Duration.ofMinutes(5);
        private final TokenCredential delegate;
        private final java.util.Map<String, com.azure.core.credential.AccessToken> tokens =
                new java.util.concurrent.ConcurrentHashMap<>();

        SharedTokens(TokenCredential delegate) {
            this.delegate = delegate;
        }

        private static String key(com.azure.core.credential.TokenRequestContext c) {
            return c.getTenantId() + " " + c.isCaeEnabled() + " " + String.join(" ", c.getScopes());
        }

        private com.azure.core.credential.AccessToken fresh(String key) {
            com.azure.core.credential.AccessToken t = tokens.get(key);
            return t != null && t.getExpiresAt().isAfter(java.time.OffsetDateTime.now().plus(MARGIN)) ? t : null;
        }

        @Override
        public Mono<com.azure.core.credential.AccessToken> getToken(com.azure.core.credential.TokenRequestContext c) {
            if (c.getClaims() != null) {
                return delegate.getToken(c);
            }
            String key = key(c);
            com.azure.core.credential.AccessToken cached = fresh(key);
            return cached != null ? Mono.just(cached) : delegate.getToken(c).doOnNext(t -> tokens.put(key, t));
        }

        @Override
        public com.azure.core.credential.AccessToken getTokenSync(com.azure.core.credential.TokenRequestContext c) {
            if (c.getClaims() != null) {
                return delegate.getTokenSync(c);
            }
            String key = key(c);
            synchronized (this) {
                com.azure.core.credential.AccessToken cached = fresh(key);
                if (cached != null) {
                    return cached;
                }
                com.azure.core.credential.AccessToken t = delegate.getTokenSync(c);
                tokens.put(key, t);
                return t;
            }
        }
    }

    /**
     * Counts every HTTP request the SDK sends, retries included, and drops the Content-Length header that
     * the JDK HTTP client computes itself (and warns about on every request otherwise).
     */
    static final class RequestCounter implements HttpPipelinePolicy {
        private final AtomicLong counter;

        RequestCounter(AtomicLong counter) {
            this.counter = counter;
        }

        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            counter.incrementAndGet();
            context.getHttpRequest().getHeaders().remove(HttpHeaderName.CONTENT_LENGTH);
            return next.process();
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            counter.incrementAndGet();
            context.getHttpRequest().getHeaders().remove(HttpHeaderName.CONTENT_LENGTH);
            return next.processSync();
        }

        @Override
        public HttpPipelinePosition getPipelinePosition() {
            return HttpPipelinePosition.PER_RETRY;
        }
    }
}
