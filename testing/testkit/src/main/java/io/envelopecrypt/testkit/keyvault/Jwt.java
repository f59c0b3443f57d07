package io.envelopecrypt.testkit.keyvault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import java.util.Map;

/** Minimal JWS compact serialization: RS256 signing, RS256/PS256 verification. */
final class Jwt {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Jwt() {
    }

    static String sign(Map<String, Object> header, Map<String, Object> claims, PrivateKey key) {
        try {
            String signingInput = B64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + B64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A parsed, not yet verified token. */
    record Parsed(JsonNode header, JsonNode claims, String signingInput, byte[] signature) {
        boolean verify(PublicKey key) {
            try {
                String alg = header.path("alg").asText();
                Signature s;
                if ("RS256".equals(alg)) {
                    s = Signature.getInstance("SHA256withRSA");
                } else if ("PS256".equals(alg)) {
                    s = Signature.getInstance("RSASSA-PSS");
                    s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                } else {
                    return false;
                }
                s.initVerify(key);
                s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
                return s.verify(signature);
            } catch (GeneralSecurityException e) {
                return false;
            }
        }
    }

    static Parsed parse(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        try {
            Base64.Decoder d = Base64.getUrlDecoder();
            return new Parsed(JSON.readTree(d.decode(parts[0])), JSON.readTree(d.decode(parts[1])),
                    parts[0] + "." + parts[1], d.decode(parts[2]));
        } catch (Exception e) {
            return null;
        }
    }
}
