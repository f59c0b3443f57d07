package io.envelopecrypt.connect.kms.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;

import org.apache.kafka.common.config.ConfigException;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/** Builds the Entra credential the user asked for, on the plugin's own HTTP client. */
final class AzureCredentials {
    /** Authority hosts of Microsoft's clouds, for which MSAL's instance discovery works. */
    private static final Set<String> MICROSOFT_AUTHORITIES = Set.of(
            "login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn",
            "login.microsoftonline.de", "login.windows.net", "login.partner.microsoftonline.cn");

    private AzureCredentials() {
    }

    static TokenCredential create(AzureKeyVaultConfig config, HttpClient httpClient, RetryOptions retry,
                                  HttpPipelinePolicy transportPolicy) {
        String authority = config.authorityHost();
        boolean skipDiscovery = authority != null && !isMicrosoftAuthority(authority);
        switch (config.credentialType()) {
            case CLIENT_SECRET: {
                requireAll("client-secret", AzureKeyVaultConfig.TENANT_ID, config.tenantId(),
                        AzureKeyVaultConfig.CLIENT_ID, config.clientId());
                if (config.clientSecret() == null || config.clientSecret().isEmpty()) {
                    throw AzureKeyVaultConfig.required(AzureKeyVaultConfig.CLIENT_SECRET, "with azure.credential.type=client-secret");
                }
                ClientSecretCredentialBuilder b = new ClientSecretCredentialBuilder()
                        .tenantId(config.tenantId()).clientId(config.clientId()).clientSecret(config.clientSecret())
                        .httpClient(httpClient).retryOptions(retry).addPolicy(transportPolicy);
                if (authority != null) {
                    b.authorityHost(authority);
                }
                if (skipDiscovery) {
                    b.disableInstanceDiscovery();
                }
                return b.build();
            }
            case CLIENT_CERTIFICATE: {
                requireAll("client-certificate", AzureKeyVaultConfig.TENANT_ID, config.tenantId(),
                        AzureKeyVaultConfig.CLIENT_ID, config.clientId(),
                        AzureKeyVaultConfig.CLIENT_CERTIFICATE_PATH, config.clientCertificatePath());
                ClientCertificateCredentialBuilder b = new ClientCertificateCredentialBuilder()
                        .tenantId(config.tenantId()).clientId(config.clientId())
                        .httpClient(httpClient).retryOptions(retry).addPolicy(transportPolicy);
                String path = config.clientCertificatePath();
                String lower = path.toLowerCase(Locale.ROOT);
                if (lower.endsWith(".pfx") || lower.endsWith(".p12")) {
                    b.pfxCertificate(path);
                    if (config.clientCertificatePassword() != null) {
                        b.clientCertificatePassword(config.clientCertificatePassword());
                    }
                } else {
                    b.pemCertificate(path);
                }
                if (authority != null) {
                    b.authorityHost(authority);
                }
                if (skipDiscovery) {
                    b.disableInstanceDiscovery();
                }
                return b.build();
            }
            case MANAGED_IDENTITY: {
                ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder()
                        .httpClient(httpClient).retryOptions(retry).addPolicy(transportPolicy);
                if (config.clientId() != null) {
                    b.clientId(config.clientId());
                }
                return b.build();
            }
            case WORKLOAD_IDENTITY: {
                WorkloadIdentityCredentialBuilder b = new WorkloadIdentityCredentialBuilder()
                        .httpClient(httpClient).retryOptions(retry).addPolicy(transportPolicy);
                if (config.tenantId() != null) {
                    b.tenantId(config.tenantId());
                }
                if (config.clientId() != null) {
                    b.clientId(config.clientId());
                }
                if (config.federatedTokenFile() != null) {
                    b.tokenFilePath(config.federatedTokenFile());
                }
                if (authority != null) {
                    b.authorityHost(authority);
                }
                if (skipDiscovery) {
                    b.disableInstanceDiscovery();
                }
                return b.build();
            }
            case DEFAULT:
            default: {
                DefaultAzureCredentialBuilder b = new DefaultAzureCredentialBuilder()
                        .httpClient(httpClient).retryOptions(retry).addPolicy(transportPolicy);
                if (config.tenantId() != null) {
                    b.tenantId(config.tenantId());
                }
                if (config.clientId() != null) {
                    b.managedIdentityClientId(config.clientId());
                    b.workloadIdentityClientId(config.clientId());
                }
                if (authority != null) {
                    b.authorityHost(authority);
                }
                if (skipDiscovery) {
                    b.disableInstanceDiscovery();
                }
                return b.build();
            }
        }
    }

    static boolean isMicrosoftAuthority(String authority) {
        try {
            String host = URI.create(authority).getHost();
            return host != null && MICROSOFT_AUTHORITIES.contains(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void requireAll(String type, String... keysAndValues) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] == null || keysAndValues[i + 1].isBlank()) {
                throw new ConfigException(keysAndValues[i], null, "required with azure.credential.type=" + type);
            }
        }
    }
}
