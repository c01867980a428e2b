package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * The server's certificate and key, as an in-memory key store: read from a PEM chain and key
 * (PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted), from a PKCS#12 key store, or made on first start
 * for development.
 *
 * <p>The development certificate: a certificate authority made for this server alone signs a
 * server certificate for localhost, 127.0.0.1, ::1, the listening address and the machine's name.
 * Clients trust the authority ({@code tls/ca.pem}); its private key is thrown away once the server
 * certificate is signed, so it can vouch for nothing else. Both are made again when the server
 * certificate is about to expire or does not name the listening address.
 */
final class TlsMaterial {
    /** An alias and password for the in-memory key store; never stored. */
    static final String ALIAS = "cleanroom";

    private static final Duration SERVER_VALIDITY = Duration.ofDays(397);
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private final KeyStore keyStore;
    private final char[] password;
    private final X509Certificate certificate;
    private final Path caBundle;

    private TlsMaterial(KeyStore keyStore, char[] password, X509Certificate certificate, Path caBundle) {
        this.keyStore = keyStore;
        this.password = password;
        this.certificate = certificate;
        this.caBundle = caBundle;
    }

    KeyStore keyStore() {
        return keyStore;
    }

    char[] password() {
        return password.clone();
    }

    /** The server's own certificate. */
    X509Certificate certificate() {
        return certificate;
    }

    /** The development authority's certificate, which clients trust; null for an operator's certificate. */
    Path caBundle() {
        return caBundle;
    }

    /** The SHA-256 fingerprint of a certificate, as colon-separated upper-case hex (as openssl prints it). */
    static String fingerprint(Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static TlsMaterial load(ServerConfig.Tls tls, Path dataDir, String host) {
        requireNonNull(tls, "tls is null");
        try {
            if (tls.selfSigned()) {
                return development(dataDir.resolve("tls"), host);
            }
            if (tls.keyStore() != null) {
                return fromKeyStore(tls.keyStore(), tls.keyStorePassword());
            }
            return fromPem(tls.certificate(), tls.privateKey(), null);
        } catch (IOException | GeneralSecurityException e) {
            throw CleanroomException.invalidConfiguration("cannot read the TLS certificate or key: " + e.getMessage());
        }
    }

    private static TlsMaterial fromKeyStore(Path file, String password) throws IOException, GeneralSecurityException {
        char[] secret = password == null ? new char[0] : password.toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, secret);
        }
        String keyAlias = null;
        for (String alias : java.util.Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                if (keyAlias != null) {
                    throw new GeneralSecurityException("the key store " + file + " holds more than one key");
                }
                keyAlias = alias;
            }
        }
        if (keyAlias == null) {
            throw new GeneralSecurityException("the key store " + file + " holds no private key");
        }
        PrivateKey key = (PrivateKey) store.getKey(keyAlias, secret);
        Certificate[] chain = store.getCertificateChain(keyAlias);
        if (chain == null || chain.length == 0) {
            throw new GeneralSecurityException("the key in " + file + " has no certificate");
        }
        return inMemory(key, chain, null);
    }

    private static TlsMaterial fromPem(Path certificateFile, Path keyFile, Path caBundle)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader in = Files.newBufferedReader(certificateFile, StandardCharsets.US_ASCII);
                PEMParser pem = new PEMParser(in)) {
            Object o;
            while ((o = pem.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        }
        if (chain.isEmpty()) {
            throw new CertificateException("no PEM certificate in " + certificateFile);
        }
        PrivateKey key;
        try (Reader in = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
                PEMParser pem = new PEMParser(in)) {
            Object o = pem.readObject();
            JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                key = keys.getPrivateKey(pair.getPrivateKeyInfo());
            } else if (o instanceof PrivateKeyInfo info) {
                key = keys.getPrivateKey(info);
            } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new GeneralSecurityException("the private key in " + keyFile + " is encrypted; give it "
                        + "unencrypted (mode 0600), or use a PKCS#12 key store with a password");
            } else {
                throw new GeneralSecurityException("no PEM private key in " + keyFile);
            }
        }
        return inMemory(key, chain.toArray(new Certificate[0]), caBundle);
    }

    private static TlsMaterial inMemory(PrivateKey key, Certificate[] chain, Path caBundle)
            throws IOException, GeneralSecurityException {
        X509Certificate leaf = (X509Certificate) chain[0];
        if (!matches(key, leaf)) {
            throw new GeneralSecurityException("the private key does not belong to the certificate "
                    + leaf.getSubjectX500Principal());
        }
        char[] password = new char[24];
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < password.length; i++) {
            password[i] = (char) ('a' + random.nextInt(26));
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(ALIAS, key, password, chain);
        return new TlsMaterial(store, password, leaf, caBundle);
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        if (!key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new GeneralSecurityException("unsupported key algorithm " + key.getAlgorithm());
        };
        byte[] probe = "cleanroom key check".getBytes(StandardCharsets.US_ASCII);
        java.security.Signature signer = java.security.Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        try {
            return verifier.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    /** The development certificate in dir, made (again) when missing, expiring, or not naming host. */
    private static TlsMaterial development(Path dir, String host) throws IOException, GeneralSecurityException {
        Path ca = dir.resolve("ca.pem");
        Path chain = dir.resolve("server.pem");
        Path key = dir.resolve("server.key");
        Set<String> names = names(host);
        if (Files.exists(ca) && Files.exists(chain) && Files.exists(key)) {
            TlsMaterial existing = fromPem(chain, key, ca);
            if (stillGood(existing.certificate(), names)) {
                return existing;
            }
        }
        makeDevelopmentCertificate(dir, names);
        return fromPem(chain, key, ca);
    }

    private static boolean stillGood(X509Certificate certificate, Set<String> names) throws CertificateException {
        if (certificate.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
            return false;
        }
        Set<String> named = new java.util.HashSet<>();
        java.util.Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
        if (alternatives != null) {
            for (List<?> san : alternatives) {
                named.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
            }
        }
        for (String name : names) {
            if (!named.contains(name) && !named.contains(normalizeAddress(name))) {
                return false;
            }
        }
        return true;
    }

    private static String normalizeAddress(String name) {
        try {
            if (isAddress(name)) {
                return InetAddress.getByName(name).getHostAddress().toLowerCase(Locale.ROOT);
            }
        } catch (IOException e) {
            // a name, not an address
        }
        return name;
    }

    /** The names the development certificate is made for. */
    private static Set<String> names(String host) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        if (host != null && !host.isBlank() && !host.equals("0.0.0.0") && !host.equals("::")
                && !host.equals("[::]")) {
            names.add(host.toLowerCase(Locale.ROOT));
        }
        try {
            String machine = InetAddress.getLocalHost().getHostName();
            if (machine != null && !machine.isBlank() && !isAddress(machine)) {
                names.add(machine.toLowerCase(Locale.ROOT));
            }
        } catch (IOException e) {
            // no machine name to add
        }
        return names;
    }

    private static boolean isAddress(String name) {
        return name.matches("[0-9.]+") || name.contains(":");
    }

    private static void makeDevelopmentCertificate(Path dir, Set<String> names)
            throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair caKeys = generator.generateKeyPair();
        KeyPair serverKeys = generator.generateKeyPair();
        Instant now = Instant.now();
        String machine = names.stream().filter(n -> !n.equals("localhost") && !isAddress(n)).findFirst()
                .orElse("localhost");
        X500Name caName = new X500Name("CN=Cleanroom development CA (" + machine.replaceAll("[,=+<>#;\"\\\\]", "")
                + "),O=Cleanroom");
        X500Name serverName = new X500Name("CN=" + names.iterator().next() + ",O=Cleanroom");
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        try {
            X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caName, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(CA_VALIDITY)), caName,
                    caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate caCertificate = new JcaX509CertificateConverter().getCertificate(caBuilder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
            List<GeneralName> alternatives = new ArrayList<>();
            for (String name : names) {
                alternatives.add(isAddress(name) ? new GeneralName(GeneralName.iPAddress, name)
                        : new GeneralName(GeneralName.dNSName, name));
            }
            X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(caCertificate, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(SERVER_VALIDITY)), serverName,
                    serverKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(alternatives.toArray(new GeneralName[0])))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(serverKeys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(caCertificate));
            X509Certificate serverCertificate = new JcaX509CertificateConverter().getCertificate(serverBuilder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
            // the authority's key is not kept: it has signed the one certificate it is for
            Path key = dir.resolve("server.key");
            Files.deleteIfExists(key);
            Files.createFile(key);
            AesSecretSealer.restrict(key);
            Files.writeString(key, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(serverKeys.getPrivate(),
                    null)), StandardCharsets.US_ASCII,
                    StandardOpenOption.TRUNCATE_EXISTING);
            Files.writeString(dir.resolve("server.pem"), pem(serverCertificate) + pem(caCertificate),
                    StandardCharsets.US_ASCII);
            Files.writeString(dir.resolve("ca.pem"), pem(caCertificate), StandardCharsets.US_ASCII);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the development certificate", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).add(BigInteger.ONE);
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(o);
        }
        return out.toString();
    }
}
