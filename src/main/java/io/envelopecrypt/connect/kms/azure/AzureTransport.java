package io.envelopecrypt.connect.kms.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;

import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The HTTP client and retry policy shared by the Key Vault clients and the Entra credential.
 * A custom CA goes into an SSLContext private to this client, so the worker's global truststore
 * (and every other plugin's TLS) is left alone.
 */
final class AzureTransport {
    private AzureTransport() {
    }

    static HttpClient httpClient(AzureKeyVaultConfig config) {
        java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
        if (config.truststoreLocation() != null) {
            jdk.sslContext(sslContext(config));
        }
        return new JdkHttpClientBuilder(jdk)
                .connectionTimeout(config.connectTimeout())
                .responseTimeout(config.responseTimeout())
                .build();
    }

    static RetryOptions retryOptions(AzureKeyVaultConfig config) {
        return new RetryOptions(new ExponentialBackoffOptions()
                .setMaxRetries(config.maxRetries())
                .setBaseDelay(config.retryBaseDelay())
                .setMaxDelay(config.retryMaxDelay()));
    }

    private static SSLContext sslContext(AzureKeyVaultConfig config) {
        String location = config.truststoreLocation();
        try {
            KeyStore custom = KeyStore.getInstance("PKCS12");
            if ("PEM".equals(config.truststoreType())) {
                custom.load(null, null);
                int i = 0;
                for (Certificate cert : readPem(Path.of(location))) {
                    custom.setCertificateEntry("ca-" + i++, cert);
                }
                if (i == 0) {
                    throw new ConfigException(AzureKeyVaultConfig.TRUSTSTORE_LOCATION, location, "holds no certificate");
                }
            } else {
                custom = KeyStore.getInstance(config.truststoreType());
                try (InputStream in = Files.newInputStream(Path.of(location))) {
                    custom.load(in, config.truststorePassword());
                }
            }
            X509TrustManager extra = trustManager(custom);
            X509TrustManager jvm = trustManager(null);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new EitherTrustManager(extra, jvm)}, null);
            return ctx;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof ConfigException ce) {
                throw ce;
            }
            throw new ConfigException(AzureKeyVaultConfig.TRUSTSTORE_LOCATION, location,
                    "cannot be loaded as " + config.truststoreType() + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Collection<? extends Certificate> readPem(Path path) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(path)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager");
    }

    /** Trusts a chain that either the extra CAs or the JVM's default CAs trust. */
    private static final class EitherTrustManager implements X509TrustManager {
        private final X509TrustManager first;
        private final X509TrustManager second;

        EitherTrustManager(X509TrustManager first, X509TrustManager second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkClientTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkClientTrusted(chain, authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> all = new ArrayList<>(Arrays.asList(first.getAcceptedIssuers()));
            all.addAll(Arrays.asList(second.getAcceptedIssuers()));
            return all.toArray(new X509Certificate[0]);
        }
    }
}
