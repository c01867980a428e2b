package io.cleanroom.core.service;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.store.Position;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Page tokens: the position of the last item a page returned, sealed with AES-256-GCM under a
 * server key and bound (as associated data) to the listing it came from, that is the operation,
 * the caller's account and every parameter that shapes the listing. A token cannot be forged,
 * altered, or replayed on another listing or by another account: each of those fails to open, and
 * the call answers ValidationException "Invalid nextToken". Tokens do not expire; they stop opening
 * when the master key changes.
 */
public final class PageTokens {
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MAX_TOKEN_CHARS = 10240;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    /** Tokens sealed under a 32-byte key (derived from the server's master key, never the key itself). */
    public PageTokens(byte[] key) {
        if (key == null || key.length != 32) {
            throw new IllegalArgumentException("a page token key has 32 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
    }

    /** Tokens under a fresh random key (tests, tools): valid only for this instance's life. */
    public static PageTokens random() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new PageTokens(key);
    }

    /**
     * The listing of one operation for one caller with the given parameters (null when absent). The
     * token field is named as the operation's protocol names it: nextToken, or NextToken for Glue
     * and CloudTrail.
     */
    public Listing listing(String operation, Caller caller, String... parameters) {
        return listing("nextToken", operation, caller, parameters);
    }

    public Listing listing(String tokenField, String operation, Caller caller, String... parameters) {
        String[] parts = new String[parameters.length + 2];
        parts[0] = operation;
        parts[1] = caller.operator() ? null : caller.account().value();
        System.arraycopy(parameters, 0, parts, 2, parameters.length);
        return new Listing(this, tokenField, encode(parts));
    }

    /** Each part with its length, null marked apart from "", so that different parts never encode alike. */
    private static byte[] encode(String... parts) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(parts.length);
            for (String part : parts) {
                out.writeBoolean(part != null);
                if (part != null) {
                    byte[] utf8 = part.getBytes(StandardCharsets.UTF_8);
                    out.writeInt(utf8.length);
                    out.write(utf8);
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String seal(byte[] binding, Position position) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(binding);
            byte[] sealed = cipher.doFinal(encode(position.order(), position.key()));
            byte[] out = new byte[1 + NONCE_BYTES + sealed.length];
            out[0] = VERSION;
            System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, 1 + NONCE_BYTES, sealed.length);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw CleanroomException.internal("cannot seal a page token", e);
        }
    }

    Position open(byte[] binding, String token, String field) {
        if (token.length() <= MAX_TOKEN_CHARS) {
            try {
                byte[] in = Base64.getUrlDecoder().decode(token);
                // version, nonce, and at least the authentication tag: shorter is not a token of ours
                if (in.length >= 1 + NONCE_BYTES + TAG_BITS / 8 && in[0] == VERSION) {
                    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 1, NONCE_BYTES));
                    cipher.updateAAD(binding);
                    byte[] plain = cipher.doFinal(in, 1 + NONCE_BYTES, in.length - 1 - NONCE_BYTES);
                    return decodePosition(plain);
                }
            } catch (GeneralSecurityException | IllegalArgumentException | IOException e) {
                // not ours, altered, or from another listing: refused below, for every cause alike
            }
        }
        throw invalid(field);
    }

    static CleanroomException invalid(String field) {
        return CleanroomException.validation(field,
                "Invalid " + field + "; pass the " + field + " of the previous page of the same listing, "
                        + "with the same parameters");
    }

    private static Position decodePosition(byte[] plain) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(plain));
        if (in.readInt() != 2) {
            throw new IOException("not a position");
        }
        String[] parts = new String[2];
        for (int i = 0; i < 2; i++) {
            if (!in.readBoolean()) {
                throw new IOException("not a position");
            }
            int length = in.readInt();
            if (length < 0 || length > plain.length) {
                throw new IOException("not a position");
            }
            byte[] utf8 = new byte[length];
            in.readFully(utf8);
            parts[i] = new String(utf8, StandardCharsets.UTF_8);
        }
        if (in.available() != 0) {
            throw new IOException("not a position");
        }
        return new Position(parts[0], parts[1]);
    }
}
