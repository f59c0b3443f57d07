package io.envelopecrypt.connect.kms;

import io.envelopecrypt.connect.RecordText;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The key-encryption keys a data key is wrapped by, in order (e.g. one vault per region, or a local key next to an
 * Azure key during a migration). Writing, a data key is wrapped by every member, so each region holds a copy that
 * unwraps it alone; reading, members are tried in order for the copies they may unwrap, failing over when one is
 * unreachable. A ring of one behaves exactly as its provider. Owns its providers.
 */
public final class Keyring implements AutoCloseable {
    private final List<Member> members;
    private final WrapPolicy policy;

    /** What writing does when a member cannot wrap. */
    public enum WrapPolicy {
        /** Every member must wrap; otherwise the record fails (retriable when a member is unreachable). */
        ALL,
        /** Proceed with the members that wrapped, at least one; the data key then has no copy under the others. */
        AVAILABLE
    }

    /** One KEK of the ring: its alias (for messages and metrics) and its provider. */
    public record Member(String alias, KeyEncryptionKeyProvider provider) {
        public Member {
            Objects.requireNonNull(alias, "alias");
            Objects.requireNonNull(provider, "provider");
        }
    }

    /** A data key wrapped by the ring: its copies in ring order, and the aliases of members that could not wrap. */
    public record Wrapped(List<WrappedKey> copies, List<String> missing) {
        public boolean complete() {
            return missing.isEmpty();
        }
    }

    /** A wrapped copy a member may unwrap. */
    public record Candidate(Member member, WrappedKey copy) {
    }

    public Keyring(List<Member> members, WrapPolicy policy) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a keyring needs at least one key-encryption key");
        }
        this.members = List.copyOf(members);
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** A ring of one provider. */
    public static Keyring of(KeyEncryptionKeyProvider provider) {
        return new Keyring(List.of(new Member("kek", provider)), WrapPolicy.ALL);
    }

    public List<Member> members() {
        return members;
    }

    /**
     * Wraps {@code dataKey} with every member. With {@link WrapPolicy#ALL}, any member's failure is the result's
     * (a {@link KmsUnavailableException} stays retriable); with {@link WrapPolicy#AVAILABLE}, the members that
     * failed are reported in {@link Wrapped#missing()}, unless none wrapped.
     */
    public Wrapped wrap(byte[] dataKey) {
        List<WrappedKey> copies = new ArrayList<>(members.size());
        List<String> missing = new ArrayList<>(0);
        RuntimeException first = null;
        for (Member m : members) {
            try {
                copies.add(m.provider().wrap(dataKey));
            } catch (KmsUnavailableException | KmsAccessException e) {
                if (policy == WrapPolicy.ALL) {
                    throw inRing(m, e);
                }
                missing.add(m.alias());
                first = first == null ? inRing(m, e) : first;
            }
        }
        if (copies.isEmpty()) {
            throw first;
        }
        return new Wrapped(copies, missing);
    }

    /** The signature of the first member that signs data keys and can (failing over when one is unreachable). */
    public DataKeySignature sign(byte[] commitment) {
        RuntimeException failure = null;
        for (Member m : members) {
            try {
                DataKeySignature s = m.provider().signDataKey(commitment);
                if (s != null) {
                    return s;
                }
            } catch (KmsUnavailableException e) {
                failure = failure == null ? inRing(m, e) : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return null;
    }

    /**
     * Accepts a data key signature when no member requires signatures, or when one that does verifies it; otherwise
     * throws the first refusal (an unreachable member's, retriable, before any other).
     */
    public void verifyDataKey(DataKeySignature signature, byte[] commitment) {
        RuntimeException unavailable = null;
        RuntimeException refused = null;
        for (Member m : members) {
            if (!m.provider().requiresSignedDataKeys()) {
                continue;
            }
            try {
                m.provider().verifyDataKey(signature, commitment);
                return;
            } catch (KmsUnavailableException e) {
                unavailable = unavailable == null ? inRing(m, e) : unavailable;
            } catch (KmsAccessException e) {
                refused = refused == null ? inRing(m, e) : refused;
            }
        }
        if (unavailable != null) {
            throw unavailable;
        }
        if (refused != null) {
            throw refused;
        }
    }

    /**
     * The envelope copies this ring may unwrap, one per member at most, in member order; an envelope none of whose
     * copies is for a member is refused here, without a call.
     */
    public List<Candidate> candidates(List<WrappedKey> copies) {
        List<Candidate> out = new ArrayList<>(Math.min(members.size(), copies.size()));
        for (Member m : members) {
            for (WrappedKey copy : copies) {
                if (m.provider().canUnwrap(copy.keyId())) {
                    out.add(new Candidate(m, copy));
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            throw new KmsAccessException(KmsAccessException.Reason.KEY_NOT_FOUND, "The envelope's data key was wrapped by "
                    + RecordText.quoted(copies.get(0).keyId())
                    + (copies.size() == 1 ? "" : " and " + (copies.size() - 1) + " more key(s)")
                    + ", none of them a key-encryption key this reader may use (" + describe() + "); it is not unwrapped");
        }
        return out;
    }

    /** The same ring wrapping with the key named {@code keyName} in every member (per-record key selection). */
    public Keyring forKey(String keyName) {
        List<Member> derived = new ArrayList<>(members.size());
        try {
            for (Member m : members) {
                derived.add(new Member(m.alias(), m.provider().forKey(keyName)));
            }
        } catch (RuntimeException e) {
            derived.forEach(d -> d.provider().close());
            throw e;
        }
        return new Keyring(derived, policy);
    }

    /** A failure of one member, named in the message when the ring has several. */
    public RuntimeException inRing(Member m, RuntimeException e) {
        if (members.size() == 1) {
            return e;
        }
        String message = "Keyring member '" + m.alias() + "': " + e.getMessage();
        if (e instanceof KmsUnavailableException) {
            return new KmsUnavailableException(message, e);
        }
        KmsAccessException access = (KmsAccessException) e;
        return new KmsAccessException(access.reason(), message, e);
    }

    /** Which keys this ring uses, for logs and messages; never secrets. */
    public String describe() {
        if (members.size() == 1) {
            return members.get(0).provider().description();
        }
        StringBuilder sb = new StringBuilder("keyring of ").append(members.size()).append(": ");
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            sb.append(i == 0 ? "" : ", ").append(m.alias()).append(" = ").append(m.provider().description());
        }
        return sb.toString();
    }

    /** Calls made to remote key services by every member. */
    public long remoteCalls() {
        long n = 0;
        for (Member m : members) {
            n += m.provider().remoteCalls();
        }
        return n;
    }

    /** Closes every member, even when one fails to close. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (Member m : members) {
            try {
                m.provider().close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
