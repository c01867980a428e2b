package io.cleanroom.server;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.service.SecretSealer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals access-key secrets with AES-256-GCM under the server's master key, a file kept outside the
 * metadata database (mode 0600), created on first start.
 */
final class AesSecretSealer implements SecretSealer {
    private static final int NONCE_BYTES = 12;
    private static final int OPENED_KEPT = 4096;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();
    /**
     * Secrets already opened, by their sealed text: every signed call needs its key's secret, and
     * opening is a pure function of the sealed text. The master key is in memory anyway.
     */
    private final java.util.Map<String, String> opened = new java.util.concurrent.ConcurrentHashMap<>();

    private AesSecretSealer(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    static AesSecretSealer fromFile(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.US_ASCII,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                restrict(file);
            }
            byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
            if (key.length != 32) {
                throw CleanroomException.invalidConfiguration("master key " + file + " must hold 32 bytes (base64)");
            }
            return new AesSecretSealer(key);
        } catch (IOException | IllegalArgumentException e) {
            throw CleanroomException.internal("cannot read or create the master key " + file, e);
        }
    }

    static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more to do
        }
    }

    /**
     * A key for another purpose (e.g. "page-tokens"), derived from the master key with HMAC-SHA256,
     * so that no two uses share a key and the master key itself never leaves this class.
     */
    byte[] derive(String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(("cleanroom/" + purpose + "/v1").getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw CleanroomException.internal("cannot derive a key", e);
        }
    }

    @Override
    public String seal(String secret) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return "v1:" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw CleanroomException.internal("cannot seal a secret", e);
        }
    }

    @Override
    public String open(String sealed) {
        String known = opened.get(sealed);
        if (known != null) {
            return known;
        }
        String secret = openSealed(sealed);
        if (opened.size() >= OPENED_KEPT) {
            opened.clear();
        }
        opened.put(sealed, secret);
        return secret;
    }

    private String openSealed(String sealed) {
        try {
            if (!sealed.startsWith("v1:")) {
                throw new GeneralSecurityException("unknown sealed format");
            }
            byte[] in = Base64.getDecoder().decode(sealed.substring(3));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, NONCE_BYTES));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw CleanroomException.internal("cannot open a sealed secret (wrong master key?)", e);
        }
    }
}
