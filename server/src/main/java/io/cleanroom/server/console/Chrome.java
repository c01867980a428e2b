package io.cleanroom.server.console;

/**
 * What every page shows around its content: its title, the navigation item it belongs to, who is
 * signed in (null when no one is), the CSRF token its forms carry, and a notice to show once.
 */
record Chrome(String title, String nav, String accountId, String accessKeyId, String role, boolean operator,
        String csrf, String notice) {
    boolean signedIn() {
        return accessKeyId != null;
    }

    static Chrome signedOut(String title, String csrf, String notice) {
        return new Chrome(title, "", null, null, null, false, csrf, notice);
    }
}
