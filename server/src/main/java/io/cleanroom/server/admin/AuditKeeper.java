package io.cleanroom.server.admin;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.audit.AuditChain;
import io.cleanroom.core.audit.AuditDigest;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Row;
import io.cleanroom.core.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the audit trail verifiable: signs digests of the chain with the server's Ed25519 key
 * (audit-signing.key, mode 0600; its public half in audit-signing.pub for auditors), prunes events
 * older than the retention behind a signed checkpoint, and verifies chain and signatures.
 */
public final class AuditKeeper {
    private final Store store;
    private final Clock clock;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private AuditKeeper(Store store, Clock clock, PrivateKey privateKey, PublicKey publicKey) {
        this.store = store;
        this.clock = clock;
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    public static AuditKeeper open(Store store, Clock clock, Path dataDir) {
        requireNonNull(store, "store is null");
        Path keyFile = dataDir.resolve("audit-signing.key");
        Path publicFile = dataDir.resolve("audit-signing.pub");
        try {
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            if (!Files.exists(keyFile)) {
                KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                Files.writeString(keyFile, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n",
                        StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
                restrict(keyFile);
                Files.writeString(publicFile, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded())
                        + "\n", StandardCharsets.US_ASCII);
            }
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(
                    Files.readString(keyFile, StandardCharsets.US_ASCII).trim())));
            PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(
                    Files.readString(publicFile, StandardCharsets.US_ASCII).trim())));
            return new AuditKeeper(store, clock, privateKey, publicKey);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw CleanroomException.internal("cannot read or create the audit signing key", e);
        }
    }

    private String sign(long sequence, String hash, Instant time, String kind) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(AuditDigest.signedContent(sequence, hash, time, kind).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw CleanroomException.internal("cannot sign an audit digest", e);
        }
    }

    boolean signatureValid(AuditDigest d) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(AuditDigest.signedContent(d.sequence(), d.hash(), d.time(), d.kind())
                    .getBytes(StandardCharsets.UTF_8));
            return verifier.verify(Base64.getDecoder().decode(d.signature()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Signs a digest of the latest event, unless the latest digest already covers it. */
    public Optional<AuditDigest> digest() {
        return store.inTransaction(tx -> {
            Optional<AuditEvent> last = tx.of(Kinds.AUDIT_EVENTS).last();
            if (last.isEmpty()) {
                return Optional.<AuditDigest>empty();
            }
            if (tx.of(Kinds.AUDIT_DIGESTS).get(AuditDigest.key(last.get().sequence(), AuditDigest.DIGEST))
                    .isPresent()) {
                return Optional.<AuditDigest>empty();
            }
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            AuditDigest digest = new AuditDigest(last.get().sequence(), last.get().hash(), now, AuditDigest.DIGEST,
                    sign(last.get().sequence(), last.get().hash(), now, AuditDigest.DIGEST));
            tx.of(Kinds.AUDIT_DIGESTS).insert(digest);
            return Optional.of(digest);
        });
    }

    /**
     * Removes events older than the given time, behind a signed checkpoint of the last one removed,
     * so that the rest of the trail still verifies. Returns how many were removed.
     */
    public int prune(java.time.Duration olderThan) {
        Instant before = clock.instant().minus(olderThan);
        return store.inTransaction(tx -> {
            List<AuditEvent> events = tx.of(Kinds.AUDIT_EVENTS).all();
            Optional<AuditEvent> lastRemoved = events.stream().filter(e -> e.time().isBefore(before))
                    .reduce((first, second) -> second);
            if (lastRemoved.isEmpty()) {
                return 0;
            }
            long through = lastRemoved.get().sequence();
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            tx.of(Kinds.AUDIT_DIGESTS).insert(new AuditDigest(through, lastRemoved.get().hash(), now,
                    AuditDigest.CHECKPOINT, sign(through, lastRemoved.get().hash(), now, AuditDigest.CHECKPOINT)));
            // the chain must stay whole after the checkpoint: everything up to it goes, whatever its time
            int removed = 0;
            for (AuditEvent e : events) {
                if (e.sequence() <= through) {
                    tx.of(Kinds.AUDIT_EVENTS).delete(e.key());
                    removed++;
                }
            }
            return removed;
        });
    }

    /** Verification result: how many events and digests were checked, and the first problem. */
    record Verification(int events, int digests, Optional<AuditChain.Problem> problem) {
    }

    Verification verify() {
        // one transaction: a prune between reading events and reading digests would look like tampering
        return store.read(tx -> {
            // rows, not just events: the columns lookups go by must agree with the hashed events
            List<Row<AuditEvent>> events = tx.of(Kinds.AUDIT_EVENTS).rows();
            List<Row<AuditDigest>> digests = tx.of(Kinds.AUDIT_DIGESTS).rows();
            return new Verification(events.size(), digests.size(), AuditChain.verify(events, digests,
                    this::signatureValid));
        });
    }

    /** Only the server's own user may read the signing key. */
    private static void restrict(Path file) throws java.io.IOException {
        try {
            java.nio.file.Files.setPosixFilePermissions(file,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more to do
        }
    }
}
