package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccessKey;
import io.cleanroom.core.model.Account;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

/** Accounts and access keys: managed by the operator, looked up to authenticate every request. */
public final class AccountService {
    private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final String SECRET_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private final ServiceContext context;
    private final SecretSealer sealer;
    private final SecureRandom random = new SecureRandom();

    public AccountService(ServiceContext context, SecretSealer sealer) {
        this.context = requireNonNull(context, "context is null");
        this.sealer = requireNonNull(sealer, "sealer is null");
    }

    /** A newly issued key: the only time its secret is seen. */
    public record IssuedKey(AccessKey key, String secretAccessKey) {
        @Override
        public String toString() {
            return "IssuedKey[" + key + "]";
        }
    }

    public record CreatedAccount(Account account, IssuedKey key) {
    }

    private static void requireOperator(Caller caller) {
        if (!caller.operator()) {
            throw CleanroomException.accessDenied("Only the operator can manage accounts and access keys");
        }
    }

    private String randomString(String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    private IssuedKey issue(Tx tx, AccountId account, Role role) {
        String id = (account == null ? "CROP" : "CRAK") + randomString(KEY_ALPHABET, 16);
        String secret = randomString(SECRET_ALPHABET, 40);
        AccessKey key = new AccessKey(id, account, role, true, sealer.seal(secret), context.now());
        tx.of(Kinds.ACCESS_KEYS).insert(key);
        return new IssuedKey(key, secret);
    }

    /** Creates the operator's key if there is none yet; empty when one exists. */
    public Optional<IssuedKey> bootstrapOperator() {
        return context.store().inTransaction(tx -> {
            if (!tx.of(Kinds.ACCESS_KEYS).find("account_id", "operator").isEmpty()) {
                return Optional.<IssuedKey>empty();
            }
            return Optional.of(issue(tx, null, Role.ADMINISTRATOR));
        });
    }

    /** An account without data roots: it can register no table until the operator grants one. */
    public CreatedAccount createAccount(Caller caller, AccountId id, String name) {
        return createAccount(caller, id, name, List.of());
    }

    /** An account confined to dataRoots (absolute, existing directories; stored as real paths). */
    public CreatedAccount createAccount(Caller caller, AccountId id, String name, List<String> dataRoots) {
        requireOperator(caller);
        if (name == null || name.isBlank() || name.length() > 100) {
            throw CleanroomException.validation("name", "Account name must be 1-100 characters");
        }
        List<String> roots = realRoots(dataRoots);
        return context.store().inTransaction(tx -> {
            if (tx.of(Kinds.ACCOUNTS).get(id.value()).isPresent()) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.ACCOUNT, id.value(),
                        "Account " + id + " already exists");
            }
            Account account = new Account(id, name, true, roots, context.now());
            tx.of(Kinds.ACCOUNTS).insert(account);
            return new CreatedAccount(account, issue(tx, id, Role.ADMINISTRATOR));
        });
    }

    /** Accounts in id order, a page at a time. */
    public Page<Account> listAccounts(Caller caller, Page.Request page) {
        requireOperator(caller);
        Listing listing = context.pages().listing("ListAccounts", caller);
        return context.store().inTransaction(tx -> listing.read(page,
                (after, n) -> tx.of(Kinds.ACCOUNTS).findAfter(null, null, after, n), Kinds.ACCOUNTS::positionOf,
                a -> true));
    }

    private static Account account(Tx tx, AccountId id) {
        return tx.of(Kinds.ACCOUNTS).get(id.value())
                .orElseThrow(() -> CleanroomException.notFound(ResourceType.ACCOUNT, id.value()));
    }

    public Account setAccountEnabled(Caller caller, AccountId id, boolean enabled) {
        requireOperator(caller);
        return context.store().inTransaction(tx -> {
            Account account = account(tx, id);
            Account updated = account.withEnabled(enabled);
            tx.of(Kinds.ACCOUNTS).update(updated);
            return updated;
        });
    }

    /**
     * Sets the directories (absolute, existing) and S3 folders ({@code s3://bucket/prefix/}) the
     * account's catalog tables may point into. An empty list removes them all: the account can then
     * register nothing, and queries over its tables fail, until the operator grants a root again.
     */
    public Account setDataRoots(Caller caller, AccountId id, List<String> roots) {
        requireOperator(caller);
        List<String> canonical = realRoots(roots);
        return context.store().inTransaction(tx -> {
            Account updated = account(tx, id).withDataRoots(canonical);
            tx.of(Kinds.ACCOUNTS).update(updated);
            return updated;
        });
    }

    /**
     * Each root as its real path (symbolic links resolved), so that locations compare with it; an
     * S3 root ({@code s3://bucket/prefix/}) in its normal form, with a trailing "/".
     */
    private static List<String> realRoots(List<String> roots) {
        List<String> canonical = new java.util.ArrayList<>();
        for (int i = 0; i < roots.size(); i++) {
            if (roots.get(i) != null && roots.get(i).startsWith("s3://")) {
                io.cleanroom.core.model.S3Location.Parsed s3 = io.cleanroom.core.model.S3Location.parse(roots.get(i));
                if (s3.location().isEmpty()) {
                    throw CleanroomException.validation("dataRoots[" + i + "]", "An S3 root " + s3.problem());
                }
                if (!canonical.contains(s3.location().get().toString())) {
                    canonical.add(s3.location().get().toString());
                }
                continue;
            }
            java.nio.file.Path path;
            try {
                path = java.nio.file.Path.of(roots.get(i));
            } catch (java.nio.file.InvalidPathException e) {
                throw CleanroomException.validation("dataRoots[" + i + "]", "Not a valid path");
            }
            if (!path.isAbsolute() || !java.nio.file.Files.isDirectory(path)) {
                throw CleanroomException.validation("dataRoots[" + i + "]",
                        "Must be an absolute path of an existing directory");
            }
            try {
                String real = path.toRealPath().toString();
                if (!canonical.contains(real)) {
                    canonical.add(real);
                }
            } catch (java.io.IOException e) {
                throw CleanroomException.validation("dataRoots[" + i + "]", "The directory cannot be resolved");
            }
        }
        return List.copyOf(canonical);
    }

    public IssuedKey createKey(Caller caller, AccountId id, Role role) {
        requireOperator(caller);
        return context.store().inTransaction(tx -> {
            account(tx, id);
            return issue(tx, id, role);
        });
    }

    /** An account's keys, oldest first, a page at a time. */
    public Page<AccessKey> listKeys(Caller caller, AccountId id, Page.Request page) {
        requireOperator(caller);
        Listing listing = context.pages().listing("ListAccessKeys", caller, id.value());
        return context.store().inTransaction(tx -> {
            account(tx, id);
            return listing.read(page, (after, n) -> tx.of(Kinds.ACCESS_KEYS).findAfter("account_id", id.value(),
                    after, n), Kinds.ACCESS_KEYS::positionOf, k -> true);
        });
    }

    private static AccessKey accountKey(Tx tx, String keyId) {
        return tx.of(Kinds.ACCESS_KEYS).get(keyId)
                .filter(k -> !k.operator())
                .orElseThrow(() -> CleanroomException.notFound(ResourceType.ACCESS_KEY, keyId));
    }

    public AccessKey setKeyActive(Caller caller, String keyId, boolean active) {
        requireOperator(caller);
        return context.store().inTransaction(tx -> {
            AccessKey updated = accountKey(tx, keyId).withActive(active);
            tx.of(Kinds.ACCESS_KEYS).update(updated);
            return updated;
        });
    }

    /** Issues a new key with the same account and role and disables the old one, atomically. */
    public IssuedKey rotateKey(Caller caller, String keyId) {
        requireOperator(caller);
        return context.store().inTransaction(tx -> {
            AccessKey old = accountKey(tx, keyId);
            tx.of(Kinds.ACCESS_KEYS).update(old.withActive(false));
            return issue(tx, old.accountId(), old.role());
        });
    }

    public void deleteKey(Caller caller, String keyId) {
        requireOperator(caller);
        context.store().inTransaction(tx -> tx.of(Kinds.ACCESS_KEYS).delete(accountKey(tx, keyId).accessKeyId()));
    }

    /** An active key with its decrypted secret, for verifying a signature. */
    public record Credential(AccessKey key, String secret) {
        @Override
        public String toString() {
            return "Credential[" + key + "]";
        }
    }

    /** Looks up an access key for authentication: empty if unknown, disabled, or its account is disabled. */
    public Optional<Credential> credential(String accessKeyId) {
        return context.store().read(tx -> {
            Optional<AccessKey> key = tx.of(Kinds.ACCESS_KEYS).get(accessKeyId).filter(AccessKey::active);
            if (key.isEmpty()) {
                return Optional.<Credential>empty();
            }
            if (key.get().accountId() != null) {
                Optional<Account> account = tx.of(Kinds.ACCOUNTS).get(key.get().accountId().value());
                if (account.isEmpty() || !account.get().enabled()) {
                    return Optional.<Credential>empty();
                }
            }
            return Optional.of(new Credential(key.get(), sealer.open(key.get().sealedSecret())));
        });
    }
}
