package io.cleanroom.core.service;

/** Encrypts access-key secrets for storage and decrypts them for signature verification. */
public interface SecretSealer {
    String seal(String secret);

    String open(String sealed);
}
