package io.cleanroom.core.model;

import java.util.regex.Pattern;

/** Shape checks shared by the identifier types. */
public final class Ids {
    private static final Pattern UUID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    private static final Pattern ACCOUNT = Pattern.compile("^\\d{12}$");

    private Ids() {
    }

    public static boolean isUuid(String value) {
        return value != null && UUID.matcher(value).matches();
    }

    public static boolean isAccountId(String value) {
        return value != null && ACCOUNT.matcher(value).matches();
    }
}
