package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Role;

/** Who is calling: the account (null for the operator), the access key and its role. */
public record Caller(AccountId account, String accessKeyId, Role role) {
    public Caller {
        requireNonNull(accessKeyId, "accessKeyId is null");
        requireNonNull(role, "role is null");
    }

    public boolean operator() {
        return account == null;
    }

    /** The caller's account, or AccessDenied for the operator, who holds no clean-room resources. */
    public AccountId requireAccount() {
        if (account == null) {
            throw CleanroomException.accessDenied(
                    "The operator key manages accounts only; call this operation with an account's access key");
        }
        return account;
    }
}
