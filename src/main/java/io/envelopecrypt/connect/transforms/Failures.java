package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.engine.DataKeyRejectedException;
import io.envelopecrypt.connect.envelope.EnvelopeAuthenticationException;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.metrics.TransformCounters.Failure;

import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;

/** Sorts a transform's exceptions into the kinds counted by the failures-total metric. */
final class Failures {
    private Failures() {
    }

    static Failure kind(RuntimeException e) {
        if (e instanceof EnvelopeAuthenticationException
                || e instanceof DataKeyRejectedException rejected && rejected.isAuthenticationFailure()) {
            return Failure.AUTHENTICATION;
        }
        if (e instanceof RetriableException) {
            return Failure.KEK_UNAVAILABLE;
        }
        if (e instanceof KmsAccessException) {
            return Failure.KEK_ACCESS;
        }
        if (e instanceof DataException) {
            return Failure.INVALID_INPUT;
        }
        return Failure.OTHER;
    }
}
